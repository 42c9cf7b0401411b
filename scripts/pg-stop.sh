#!/usr/bin/env bash
# Stops and removes a PostgreSQL started by scripts/pg-start.sh.
set -uo pipefail
dir=${1:?usage: pg-stop.sh DIR}
runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$dir/data" -m fast stop >/dev/null 2>&1
rm -rf "$dir"
