#!/bin/sh
# Development signer only (docker compose, the k8s dev overlay): makes sure the SoftHSM token
# and the demo facilities' keys and certificates exist, then starts the signer. With the
# argument `init` it stops after provisioning (the Kubernetes init container). Idempotent.
# PINs come from HSM_PIN_FILE / HSM_SO_PIN_FILE (mounted secrets); when those files do not
# exist yet they are generated at random into the state volume — never printed.
set -eu
: "${STATE_DIR:=/var/lib/bhyt}"
secrets="$STATE_DIR/secrets"
mkdir -p "$secrets"
chmod 700 "$secrets"
export HSM_PIN_FILE="${HSM_PIN_FILE:-$secrets/hsm-pin}"
so_pin_file="${HSM_SO_PIN_FILE:-$secrets/hsm-so-pin}"
random_pin() { node -e 'process.stdout.write(require("crypto").randomBytes(12).toString("hex"))'; }
[ -s "$HSM_PIN_FILE" ] || (umask 077 && random_pin > "$HSM_PIN_FILE")
[ -s "$so_pin_file" ] || (umask 077 && random_pin > "$so_pin_file")

slots="$(softhsm2-util --show-slots 2>/dev/null || true)"
if ! printf '%s\n' "$slots" | grep -Eq "Label:[[:space:]]+${HSM_TOKEN_LABEL}[[:space:]]*$"; then
  echo "softhsm: initialising token '${HSM_TOKEN_LABEL}'" >&2
  softhsm2-util --init-token --free --label "$HSM_TOKEN_LABEL" \
    --so-pin "$(cat "$so_pin_file")" --pin "$(cat "$HSM_PIN_FILE")" >/dev/null
fi
# Keys and dev-CA certificates of config/facilities.dev.json (or FACILITY_REGISTRY_FILE);
# the certificates go to $STATE_DIR/certs for the gateway simulator.
DEV_CA_DIR="${DEV_CA_DIR:-$STATE_DIR/dev-ca}" node dist/tools/stack/provision-hsm.js

[ "${1:-}" = init ] && exit 0
exec node --enable-source-maps main.js "$@"
