#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 from /usr/lib/postgresql/15/bin as the postgres user (initdb refuses
# root) and prints its URL. Used by .ci/run and by the benchmarks.
#   scripts/pg-start.sh DIR [PORT] [--fast]   → prints postgres://postgres@127.0.0.1:PORT/postgres
#   scripts/pg-stop.sh DIR
# --fast turns fsync and synchronous_commit off (tests only; benchmarks run with the defaults).
set -euo pipefail
dir=${1:?usage: pg-start.sh DIR [PORT] [--fast]}
port=${2:-55432}
extra=()
[ "${3:-}" = "--fast" ] && extra=(-c fsync=off -c synchronous_commit=off -c full_page_writes=off)
bin=/usr/lib/postgresql/15/bin
mkdir -p "$dir"
chown postgres:postgres "$dir"
if [ ! -f "$dir/data/PG_VERSION" ]; then
  runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1,::1 -c max_connections=300 ${extra[*]}" start >/dev/null
echo "postgres://postgres@127.0.0.1:$port/postgres"
