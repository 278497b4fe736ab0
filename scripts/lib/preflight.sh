#!/usr/bin/env bash
# Says clearly what is missing on this machine and how to get it, before anything starts.
preflight() {
  local missing=0
  need() { command -v "$1" >/dev/null 2>&1 || { printf 'preflight: %s is missing — %s\n' "$1" "$2" >&2; missing=1; }; }
  need npm "install Node.js >= 20 with npm (the scripts fetch Node 24 themselves)"
  need java "install Java 17+ (apt-get install openjdk-17-jre-headless) for the Kafka broker"
  need mvn "install Maven (apt-get install maven): Kafka is resolved from Maven Central"
  need pg_isready "install the PostgreSQL client (apt-get install postgresql-client), or set DATABASE_URL"
  need openssl "install openssl"
  if command -v java >/dev/null 2>&1; then
    local v; v=$(java -version 2>&1 | awk -F'"' '/version/ {print $2}' | cut -d. -f1)
    [ "${v:-0}" -ge 17 ] 2>/dev/null || { echo "preflight: Java $v found, Kafka 4 needs Java 17+" >&2; missing=1; }
  fi
  [ "$missing" = 0 ] || exit 1
}
