#!/usr/bin/env bash
# Kubernetes manifests, offline: `tools` fetches the pinned kubectl (kustomize inside), `build
# dev|prod` prints an overlay, `check` runs the validation suite (kustomize build of every
# overlay, schemas of every object, topics against libs/contracts, policy).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib/node.sh"
source "$ROOT/scripts/lib/kubectl.sh"
cmd="${1:-check}"; shift || true
case "$cmd" in
  tools) ensure_kubectl; "$KUBECTL" version --client ;;
  build) ensure_kubectl; "$KUBECTL" kustomize "$ROOT/k8s/overlays/${1:?usage: k8s.sh build dev|prod}" ;;
  check) ensure_kubectl; cd "$ROOT" && node_modules/.bin/jest tools/k8s --selectProjects unit ;;
  *) echo "usage: k8s.sh tools | build dev|prod | check" >&2; exit 2 ;;
esac
