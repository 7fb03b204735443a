#!/usr/bin/env bash
# A slow disk under one server, as issue 10 asks to measure it: three servers on a stock Mosquitto,
# the first with --data-dir --fsync batch and every fsync of it made DELAY_MS slower by strace's
# fault injection (a real process, a real file system, the kernel's fsync; only its return is late).
# One Insere client keeps 64 writes in flight over all three for WARMUP (dropped), then for DURATION;
# then prints its rate, latencies and errors, and each server's re-syncs and skipped messages.
#
#   bench/slow-disk.sh                             # 20 ms per fsync, 20 s + 15 s of load
#   DELAY_MS=0 bench/slow-disk.sh                  # the same disk at its own speed
#   SERVER_JAR=/tmp/old.jar bench/slow-disk.sh     # another build of the server, side by side
#   DELAY_MS=none bench/slow-disk.sh               # no data directory and no strace anywhere
#
# Needs strace (apt-get install strace). Not part of the test command.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly DELAY_MS=${DELAY_MS:-20}
readonly DURATION=${DURATION:-15s}
readonly WARMUP=${WARMUP:-20s} # the JIT's time, dropped from the results
readonly SERVER_JAR=${SERVER_JAR:-kvs-server/target/kvs-server.jar}
# shellcheck source=bench/lib.sh
source bench/lib.sh

command -v strace >/dev/null || die "strace is needed (apt-get install strace)"
[[ -f $SERVER_JAR ]] || ./compile.sh >&2
BROKER=$(free_port)
start mosquitto mosquitto -p "$BROKER"
await_port "$BROKER" "mosquitto"

SERVERS=()
for i in 0 1 2; do
  port=$(free_port)
  SERVERS+=("$port")
  server=(java -jar "$SERVER_JAR" "$port" --broker "tcp://127.0.0.1:$BROKER" --topic kvs/slow-disk --id "disk-$i")
  if [[ $i == 0 && $DELAY_MS != none ]]; then
    # Only fsync and fdatasync stop under strace (seccomp-bpf): the rest of the JVM runs at speed.
    start "server-$port" strace -f --seccomp-bpf -qq -o /dev/null -e trace=fsync,fdatasync \
      -e inject=fsync,fdatasync:delay_exit=$((DELAY_MS * 1000)) \
      "${server[@]}" --data-dir "$WORK/data-$port" --fsync batch
  else
    start "server-$port" "${server[@]}"
  fi
done
for port in "${SERVERS[@]}"; do await_port "$port" "server"; done
if [[ $DELAY_MS != none ]]; then
  TRACED=$(pgrep -P "${PIDS[1]}" java) || die "no server process under strace"
  PIDS+=("$TRACED") # stopping strace would leave the server it traces running
fi
agreed "${SERVERS[@]}" >/dev/null || die "the servers did not catch up"
TARGETS=$(ports "${SERVERS[@]}")

log "fsync of the server on ${SERVERS[0]} delayed by $DELAY_MS ms; Insere, 64 in flight, for $DURATION on $TARGETS"
bench insere insere -p "$TARGETS" -c 64 --warmup "$WARMUP" -d "$DURATION"
printf 'insere: %.0f ops/s, p50 %s ms, p99 %s ms, max %s ms, %s errors\n' \
  "$(field insere ops_per_s)" "$(field insere p50_ms)" "$(field insere p99_ms)" "$(field insere max_ms)" "$(field insere errors)"
agreed "${SERVERS[@]}" || log "the servers do not agree"
for port in "${SERVERS[@]}"; do
  ./client.sh -p "$port" -o status --json >"$WORK/status-$port.json"
  echo "server $port: $(grep -o '"\(resyncs\|skippedMessages\)":[0-9]*' "$WORK/status-$port.json" | tr '\n' ' ')"
done
