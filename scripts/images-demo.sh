#!/usr/bin/env bash
# npm run images:demo [-- --encounters N]: builds the images (npm run images, cached) and plays the
# demo through them: every service runs from its image (buildah run, host network) against the
# local Kafka, PostgreSQL and SoftHSM; exits 0 once every encounter reached the gateway simulator
# exactly once. CI runs it after npm test (.ci/run): too long for npm test on a fresh machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
t0=$(date +%s)
bash "$ROOT/scripts/images.sh"
t1=$(date +%s)
out="${IMAGES_DEMO_OUT:-$ROOT/.state/images/demo}"
bash "$ROOT/scripts/start.sh" --from-images --encounters 20 --exit --out "$out" "$@"
echo "› images built in $((t1 - t0)) s, demo through them in $(( $(date +%s) - t1 )) s ($out/summary.json)" >&2
