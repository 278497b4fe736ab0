#!/usr/bin/env bash
# CI check: no secret, PIN or private key is committed. Scans every tracked (and new, not
# ignored) file for private-key blocks, key/keystore files, literal PINs/passwords/secrets in
# env, shell and YAML settings, JWTs and cloud access keys. Secrets belong in env or secret
# files under the git-ignored .state/ (development) or the cluster's secret store (production).
# A deliberate false positive is allowed by adding `secret-scan: allow` to that line.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -d '' files < <(git ls-files -z --cached --others --exclude-standard)
else
  mapfile -d '' files < <(find . -type f -not -path './node_modules/*' -not -path './.state/*' -not -path './.tools/*' -not -path './dist/*' -not -path './.git/*' -print0)
fi

hits=0
report() { printf 'secret-scan: %s: %s\n' "$1" "$2" >&2; hits=$((hits + 1)); }

# Patterns over file contents (extended regex). The `secret-scan: allow` marker exempts a line.
content_rules=(
  'private key block|-----BEGIN ([A-Z]+ )?PRIVATE KEY-----'
  'JSON web token|eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}'
  'AWS access key|AKIA[0-9A-Z]{16}'
  'literal PIN, password or secret in a setting|^[[:space:]]*(export[[:space:]]+)?[A-Z0-9_]*(PIN|PASSWORD|PASSWD|SECRET|PRIVATE_KEY|API_KEY|HASH_KEY|DATA_KEY)[A-Z0-9_]*[[:space:]]*[=:][[:space:]]*["'"'"']?[A-Za-z0-9+/_.-]{6,}'
)

scan=(); settings=()
for f in "${files[@]}"; do
  f="${f#./}"
  [ -f "$f" ] || continue
  case "$f" in
    node_modules/*|dist/*|.state/*|.tools/*) continue ;;
    *.pem|*.key|*.p12|*.pfx|*.jks|*.keystore|.env|.env.*|*/.env|*/.env.*|*/hsm-pin|*/hsm-so-pin|*dev-client-secrets.json|*/pii-data-key|*/identity-hash-key)
      report "$f" "key, keystore or secret file is tracked"; continue ;;
  esac
  scan+=("$f")
  # Only settings files are checked for literal assignments; code builds values from env.
  case "$f" in *.sh|*.yaml|*.yml|*.properties|*.conf|*.ini|*.toml|*Dockerfile|*.env|.env*|*/.env*) settings+=("$f") ;; esac
done

for rule in "${content_rules[@]}"; do
  name="${rule%%|*}"; re="${rule#*|}"
  if [[ "$name" == literal* ]]; then targets=("${settings[@]}"); else targets=("${scan[@]}"); fi
  [ "${#targets[@]}" -gt 0 ] || continue
  # One grep per rule over all files (-I skips binaries); output is file:line:text.
  while IFS= read -r hit; do
    [[ "$hit" == *'secret-scan: allow'* ]] && continue
    file="${hit%%:*}"; rest="${hit#*:}"; line="${rest%%:*}"; text="${rest#*:}"
    # References to other variables or files are not literals ($VAR, ${VAR}, $(cmd), /path), and
    # values prefixed `dev-` are the simulator's published development fixtures.
    value="${text#*[=:]}"
    if [[ "$name" == literal* ]] && [[ "$value" =~ ^[[:space:]]*[\"\']?(\$|/|\<|dev-) ]]; then continue; fi
    report "$file:$line" "$name"
  done < <(printf '%s\0' "${targets[@]}" | xargs -0 grep -IHnE -- "$re" 2>/dev/null || true)
done

if [ "$hits" -gt 0 ]; then
  echo "secret-scan: $hits finding(s); move the secret to env or a secret file (or mark a false positive with 'secret-scan: allow')" >&2
  exit 1
fi
echo "secret-scan: ${#files[@]} files, no secrets" >&2
