#!/usr/bin/env bash
# The local stack: Apache Kafka (KRaft, single node, from Maven Central), PostgreSQL (local
# server or DATABASE_URL), SoftHSM2 (PKCS#11). Idempotent: `up` twice is fine. State lives in
# the git-ignored .state/ folder; `down` stops processes but keeps data, `reset` removes it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib/node.sh"
source "$ROOT/scripts/lib/stack-env.sh"
cmd="${1:-up}"; shift || true
what="${1:-all}"

log() { printf '› %s\n' "$*" >&2; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- Kafka
kafka_classpath() {
  local libs="$ROOT/.tools/kafka-$KAFKA_VERSION/libs"
  if [ ! -f "$libs/.complete" ]; then
    command -v mvn >/dev/null || die "Maven is required to fetch Kafka $KAFKA_VERSION from Maven Central (apt-get install maven)"
    command -v java >/dev/null || die "Java 17+ is required for the Kafka broker (apt-get install openjdk-17-jre-headless)"
    log "resolving Apache Kafka $KAFKA_VERSION from Maven Central (cached in ~/.m2)"
    rm -rf "$libs"; mkdir -p "$libs"
    mvn -q -B -f "$ROOT/tools/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
      dependency:copy-dependencies -DoutputDirectory="$libs" >/dev/null
    touch "$libs/.complete"
  fi
  echo "$libs/*"
}

kafka_java() { # main class + args, Kafka's own tools from the same jars
  java -Xshare:auto -Dlog4j2.configurationFile="$ROOT/tools/kafka/log4j2.yaml" -cp "$(kafka_classpath)" "$@"
}

kafka_running() { [ -f "$KAFKA_DIR/pid" ] && kill -0 "$(cat "$KAFKA_DIR/pid")" 2>/dev/null; }

kafka_up() {
  mkdir -p "$KAFKA_DIR"
  if kafka_running; then log "kafka already running (pid $(cat "$KAFKA_DIR/pid")) on 127.0.0.1:$KAFKA_PORT"; return; fi
  kafka_classpath >/dev/null
  cat > "$KAFKA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=168
PROPS
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    log "formatting KRaft storage"
    kafka_java kafka.tools.StorageTool format --standalone -t "$(kafka_java kafka.tools.StorageTool random-uuid)" \
      -c "$KAFKA_DIR/server.properties" >/dev/null
  fi
  log "starting kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT"
  nohup java -Xms256m -Xmx768m -XX:+UseG1GC -Dlog4j2.configurationFile="$ROOT/tools/kafka/log4j2.yaml" \
    -cp "$(kafka_classpath)" kafka.Kafka "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/kafka.log" 2>&1 &
  echo $! > "$KAFKA_DIR/pid"
  for _ in $(seq 1 120); do
    if kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --list >/dev/null 2>&1; then
      log "kafka ready"; return
    fi
    kafka_running || { tail -30 "$KAFKA_DIR/kafka.log" >&2; die "kafka exited during start-up (log: $KAFKA_DIR/kafka.log)"; }
    sleep 1
  done
  die "kafka not ready after 120 s (log: $KAFKA_DIR/kafka.log)"
}

kafka_down() {
  if kafka_running; then
    local pid; pid="$(cat "$KAFKA_DIR/pid")"
    log "stopping kafka (pid $pid)"; kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$KAFKA_DIR/pid"
}

# ---------------------------------------------------------------- PostgreSQL
postgres_up() {
  if [ -n "${DATABASE_URL:-}" ] && [ "${DATABASE_URL_FROM_DEFAULT:-0}" != 1 ]; then
    log "using DATABASE_URL (external PostgreSQL)"
  elif ! pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null && [ "$(id -u)" = 0 ]; then
      log "starting the local PostgreSQL cluster"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
    fi
    for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
    pg_isready -q -h "$PGHOST" -p "$PGPORT" || die "PostgreSQL is not reachable at $PGHOST:$PGPORT: start it or set DATABASE_URL"
  fi
  node "$ROOT/tools/stack/create-databases.mjs"
  mkdir -p "$STATE_DIR/secrets"; chmod 700 "$STATE_DIR/secrets"
  if [ ! -s "$STATE_DIR/secrets/identity-hash-key" ]; then
    # Key of the identifier hashes in intake: random per checkout, never committed.
    (umask 077; node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))' > "$STATE_DIR/secrets/identity-hash-key")
  fi
}

# ---------------------------------------------------------------- Debian packages
# Everything the tests need from Debian, installed before any test runs (the unit tests call
# promtool and xmlsec1 too, so this cannot wait for the HSM step). Idempotent and quiet.
DEBIAN_PACKAGES=(softhsm2:/usr/lib/softhsm/libsofthsm2.so opensc:pkcs11-tool xmlsec1:xmlsec1 prometheus:promtool chromium:chromium)
packages_up() {
  local missing=() entry pkg probe
  for entry in "${DEBIAN_PACKAGES[@]}"; do
    pkg="${entry%%:*}"; probe="${entry#*:}"
    if [[ "$probe" == /* ]]; then [ -e "$probe" ] && continue; else command -v "$probe" >/dev/null && continue; fi
    missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing Debian packages: ${missing[*]}"
    (apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1) \
      || (apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null) \
      || die "could not install ${missing[*]} (apt-get install ${missing[*]})"
  else
    die "missing Debian packages: ${missing[*]} (e.g. sudo apt-get install ${missing[*]})"
  fi
}

# ---------------------------------------------------------------- SoftHSM2
hsm_up() {
  packages_up
  mkdir -p "$HSM_DIR/tokens" "$(dirname "$HSM_PIN_FILE")"
  chmod 700 "$HSM_DIR" "$(dirname "$HSM_PIN_FILE")"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
    "$HSM_DIR/tokens" > "$SOFTHSM2_CONF"
  if [ ! -s "$HSM_PIN_FILE" ]; then
    # A fresh random PIN per checkout: never committed, never printed.
    (umask 077; node -e 'process.stdout.write(require("crypto").randomBytes(12).toString("hex"))' > "$HSM_PIN_FILE")
    (umask 077; node -e 'process.stdout.write(require("crypto").randomBytes(12).toString("hex"))' > "$HSM_SO_PIN_FILE")
  fi
  # Capture first: with pipefail, `grep -q` closing the pipe early can fail the pipeline and
  # re-initialise a second token with the same label.
  local slots; slots="$(softhsm2-util --show-slots 2>/dev/null || true)"
  if ! grep -Eq "Label:[[:space:]]+$HSM_TOKEN_LABEL[[:space:]]*$" <<<"$slots"; then
    log "initialising SoftHSM token '$HSM_TOKEN_LABEL'"
    softhsm2-util --init-token --free --label "$HSM_TOKEN_LABEL" \
      --so-pin "$(cat "$HSM_SO_PIN_FILE")" --pin "$(cat "$HSM_PIN_FILE")" >/dev/null
  fi
  # Keys and certificates for the demo facilities (idempotent).
  node "$ROOT/dist/tools/stack/provision-hsm.js"
}

case "$cmd" in
  up)
    case "$what" in
      all) postgres_up; kafka_up; node "$ROOT/dist/tools/stack/create-topics.js"; hsm_up ;;
      kafka) kafka_up; node "$ROOT/dist/tools/stack/create-topics.js" ;;
      postgres) postgres_up ;;
      hsm) hsm_up ;;
      packages|chromium) packages_up ;;
      *) die "unknown component $what" ;;
    esac ;;
  down) kafka_down ;;
  restart-kafka) kafka_down; kafka_up ;;
  reset) kafka_down; rm -rf "$KAFKA_DIR" "$HSM_DIR"; log "state removed" ;;
  kafka-tool) kafka_java "$@" ;;
  classpath) kafka_classpath ;;
  status)
    kafka_running && echo "kafka: running (pid $(cat "$KAFKA_DIR/pid"), 127.0.0.1:$KAFKA_PORT)" || echo "kafka: stopped"
    pg_isready -h "$PGHOST" -p "$PGPORT" || true
    [ -f "$SOFTHSM2_CONF" ] && echo "softhsm: $SOFTHSM2_CONF" || echo "softhsm: not initialised" ;;
  *) die "usage: stack.sh up [all|kafka|postgres|hsm|packages] | down | restart-kafka | reset | status | kafka-tool CLASS ARGS" ;;
esac
