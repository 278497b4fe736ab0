#!/usr/bin/env bash
# npm run chaos: the long chaos suite (test/chaos) against the local stack — 10,000 claims, every
# service as --replicas N processes, while replicas are SIGKILLed, rolled and scaled, the Kafka
# broker and PostgreSQL restart and the gateway misbehaves (--gateway production: no lookup).
# It restarts the broker at KAFKA_BROKERS and PostgreSQL: run it when nothing else uses the stack,
# or against a broker of its own (docs/runbook.md, "Chaos runs") with --no-postgres-restarts, or
# pass --no-broker-restarts. Prints the verdict as the last line of JSON.
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
