#!/usr/bin/env bash
# npm start [-- --encounters N --exit --out DIR]: install, build, local stack, all services,
# the gateway simulator and the demo.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib/preflight.sh"; preflight
source "$ROOT/scripts/lib/node.sh"
source "$ROOT/scripts/lib/stack-env.sh"
source "$ROOT/scripts/lib/install.sh"; install_and_build
bash "$ROOT/scripts/stack.sh" up
exec node --enable-source-maps "$ROOT/dist/tools/platform/start.js" "$@"
