#!/usr/bin/env bash
# Defaults for the local stack, shared by every script. Each one can be overridden by the
# environment (the configuration table in README.md lists them).
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
export STATE_DIR="${STATE_DIR:-$ROOT/.state}"
export KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
export KAFKA_PORT="${KAFKA_PORT:-9092}"
export KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
export KAFKA_DIR="$STATE_DIR/kafka"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}"
export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${PGPORT:-5432}"
if [ -z "${DATABASE_URL:-}" ]; then
  export DATABASE_URL="postgres://${PGUSER:-postgres}@$PGHOST:$PGPORT/postgres"
  export DATABASE_URL_FROM_DEFAULT=1
fi
export HSM_DIR="$STATE_DIR/softhsm"
export SOFTHSM2_CONF="${SOFTHSM2_CONF:-$HSM_DIR/softhsm2.conf}"
export SOFTHSM2_MODULE="${SOFTHSM2_MODULE:-/usr/lib/softhsm/libsofthsm2.so}"
export PKCS11_MODULE="${PKCS11_MODULE:-$SOFTHSM2_MODULE}"
export HSM_TOKEN_LABEL="${HSM_TOKEN_LABEL:-bhyt-dev}"
export HSM_PIN_FILE="${HSM_PIN_FILE:-$STATE_DIR/secrets/hsm-pin}"
export HSM_SO_PIN_FILE="${HSM_SO_PIN_FILE:-$STATE_DIR/secrets/hsm-so-pin}"
export DEV_CA_DIR="${DEV_CA_DIR:-$STATE_DIR/dev-ca}"
