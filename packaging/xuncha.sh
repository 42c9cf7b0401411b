#!/bin/sh
# Runs Xuncha with the Node runtime shipped beside it: no npm, no registry, no network needed.
self=$(readlink -f "$0")
dir=$(dirname "$(dirname "$self")")
exec "$dir/node/bin/node" "$dir/app/xuncha.mjs" "$@"
