#!/usr/bin/env bash
# Copies the field tables of every edition of the standard from the shared spec folder (first
# argument, default ../shared/spec next to the checkout, or /work/shared/spec) into
# libs/xml130/src/spec and regenerates row-types.generated.ts from them. A new edition: add its
# file to FILES and its date to libs/xml130/src/spec/standards.ts.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
SRC="${1:-}"
if [[ -z "$SRC" ]]; then
  for d in "$ROOT/../shared/spec" "$ROOT/../../shared/spec" /work/shared/spec; do [[ -d "$d" ]] && { SRC="$d"; break; }; done
fi
[[ -n "$SRC" && -d "$SRC" ]] || { echo "spec folder not found; pass it as the first argument" >&2; exit 1; }
FILES=(xml130-fields.json xml3176-fields.json)
for f in "${FILES[@]}"; do cp "$SRC/$f" "$ROOT/libs/xml130/src/spec/$f"; echo "copied $f"; done
cd "$ROOT"
UPDATE_XML130_TYPES=1 bash scripts/with-node.sh jest libs/xml130/src/spec/metadata.spec.ts --selectProjects unit -t 'generated row types'
