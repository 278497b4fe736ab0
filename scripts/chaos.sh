#!/usr/bin/env bash
# npm run chaos: the long chaos suite (test/chaos) against the local stack — 10,000 claims while
# services are SIGKILLed, the Kafka broker and PostgreSQL restart and the gateway misbehaves.
# It restarts the SHARED broker and database: run it when nothing else uses the stack
# (or pass --no-broker-restarts). Prints the verdict as the last line of JSON.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib/preflight.sh"; preflight
source "$ROOT/scripts/lib/node.sh"
source "$ROOT/scripts/lib/stack-env.sh"
source "$ROOT/scripts/lib/install.sh"; install_and_build
cd "$ROOT"
bash scripts/stack.sh up
export LOG_LEVEL="${LOG_LEVEL:-warn}"
exec node --enable-source-maps dist/test/chaos/main.js "$@"
