#!/usr/bin/env bash
# Runs a command from node_modules/.bin with the project's Node (>= 22.15).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib/node.sh"
export PATH="$ROOT/node_modules/.bin:$PATH"
exec "$@"
