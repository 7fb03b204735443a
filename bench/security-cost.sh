#!/usr/bin/env bash
# The cost of the security options, as issue 11 asks to measure it: three servers as shipped
# (plaintext gRPC, unsigned replication, anonymous plaintext MQTT); then each option alone (gRPC
# over TLS; --cluster-key-file; Mosquitto over TLS with a password file and an ACL); then all of
# them; then the open ones again, to see the machine's noise. Each time one Insere client keeps 64
# writes in flight over the three servers for WARMUP (dropped), then for DURATION.
#
#   bench/security-cost.sh                  # 40 s + 20 s per run
#   WARMUP=60s DURATION=30s bench/security-cost.sh
#   RUNS="open grpc-tls+signed mqtt-tls+signed all" bench/security-cost.sh   # other combinations
#
# Needs openssl and mosquitto (./compile.sh installs it). Not part of the test command.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly DURATION=${DURATION:-20s}
readonly WARMUP=${WARMUP:-40s} # the JIT's time, dropped from the results
# shellcheck source=bench/lib.sh
source bench/lib.sh

[[ -f kvs-server/target/kvs-server.jar ]] || ./compile.sh >&2
scripts/dev-certs.sh "$WORK/certs" >&2
PASSWORD=$(openssl rand -hex 16)
(umask 077 && echo "$PASSWORD" >"$WORK/broker.pass" && openssl rand -hex 32 >"$WORK/cluster.key")
mosquitto_passwd -c -b "$WORK/passwd" kvs "$PASSWORD"
printf 'user kvs\ntopic readwrite kvs/bench/#\n' >"$WORK/acl"

OPEN_BROKER=$(free_port)
SECURE_BROKER=$(free_port)
start mosquitto-open mosquitto -p "$OPEN_BROKER"
cat >"$WORK/secure.conf" <<CONF
user root
listener $SECURE_BROKER 127.0.0.1
certfile $WORK/certs/server.pem
keyfile $WORK/certs/server.key
allow_anonymous false
password_file $WORK/passwd
acl_file $WORK/acl
persistence false
CONF
start mosquitto-secure mosquitto -c "$WORK/secure.conf"
await_port "$OPEN_BROKER" "mosquitto"
await_port "$SECURE_BROKER" "mosquitto (TLS)"

run() { # run NAME SERVER-OPTIONS...: three servers with those options, measured, stopped
  local name=$1 port i
  shift
  SERVERS=(); SERVER_PIDS=()
  for i in 0 1 2; do
    port=$(free_port)
    SERVERS+=("$port")
    start "server-$name-$port" ./server.sh "$port" --topic "kvs/bench/$name" "$@"
    SERVER_PIDS+=("$LAST_PID")
  done
  for port in "${SERVERS[@]}"; do await_port "$port" "server"; done
  agreed "${SERVERS[@]}" >/dev/null || die "the servers did not catch up"
  bench "$name" insere -p "$(ports "${SERVERS[@]}")" -c 64 --warmup "$WARMUP" -d "$DURATION"
  printf '%-8s insere: %.0f ops/s, p50 %s ms, p99 %s ms, %s errors\n' "$name" \
    "$(field "$name" ops_per_s)" "$(field "$name" p50_ms)" "$(field "$name" p99_ms)" "$(field "$name" errors)"
  agreed "${SERVERS[@]}" || log "the servers do not agree"
  stop_kvs
}

OPEN=(--broker "tcp://127.0.0.1:$OPEN_BROKER")
GRPC_TLS=(--tls-cert "$WORK/certs/server.pem" --tls-key "$WORK/certs/server.key")
SIGNED=(--cluster-key-file "$WORK/cluster.key")
BROKER_TLS=(--broker "ssl://127.0.0.1:$SECURE_BROKER" --broker-ca "$WORK/certs/ca.pem"
  --broker-user kvs --broker-password-file "$WORK/broker.pass")

# A run's name says its options: open, or grpc-tls, signed and mqtt-tls joined by '+' (or all).
run_named() {
  local name=$1 part options=() broker=("${OPEN[@]}")
  unset KVS_TLS_CA
  [[ $name == all ]] && name=all+grpc-tls+signed+mqtt-tls
  for part in ${name//+/ }; do
    case $part in
      open | open2 | all) ;;
      grpc-tls) options+=("${GRPC_TLS[@]}"); export KVS_TLS_CA="$WORK/certs/ca.pem" ;;
      signed) options+=("${SIGNED[@]}") ;;
      mqtt-tls) broker=("${BROKER_TLS[@]}") ;;
      *) die "unknown run $part (open, grpc-tls, signed, mqtt-tls, all)" ;;
    esac
  done
  run "${1//+/-}" "${broker[@]}" "${options[@]}"
}

for name in ${RUNS:-open grpc-tls signed mqtt-tls all open2}; do
  run_named "$name"
done
