#!/usr/bin/env bash
# npm run bench: the machine's limits, each stage alone and the pipeline end to end, in one run
# (bench/run.ts). Not part of npm test. Prints a table and writes bench/results.json.
#   npm run bench -- [--claims 4000] [--load-seconds 15] [--rate 200] [--seconds 3] [--profile] [--skip-limits] [--e2e-only]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib/node.sh"
source "$ROOT/scripts/lib/stack-env.sh"
cd "$ROOT"
if ! command -v pgbench >/dev/null; then
  # pgbench ships with the PostgreSQL client packages (postgresql-contrib on older releases).
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "› installing pgbench (postgresql-client / postgresql-contrib)" >&2
    apt-get install -y -qq postgresql-client postgresql-contrib >/dev/null 2>&1 || { apt-get update -qq >/dev/null; apt-get install -y -qq postgresql-client postgresql-contrib >/dev/null; }
  else
    echo "bench: pgbench is missing: install postgresql-client (or postgresql-contrib)" >&2; exit 1
  fi
fi
echo "› building (swc)" >&2
node_modules/.bin/swc apps libs tools test bench -d dist --config-file .swcrc --copy-files --quiet >&2
bash scripts/stack.sh up >&2
exec node dist/bench/run.js "$@"
