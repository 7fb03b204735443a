#!/usr/bin/env bash
# What watchers cost the writers (issue 13: a watch must never slow replication): three servers,
# one Insere client keeping 64 writes in flight over them for WARMUP (dropped), then DURATION;
# first with no watcher, then with WATCHERS `client.sh watch --json` on each server (their lines
# counted against the changes made), then with as many watchers that stop reading (their output
# goes to a pipe nobody reads: the server cuts them, WATCH_TOO_SLOW), then with none again, to see
# the machine's noise. `idle` watchers watch a prefix no key has: they get a progress line a second.
#
#   bench/watch-cost.sh                  # 30 s + 20 s per run
#   WATCHERS=4 WARMUP=60s DURATION=30s bench/watch-cost.sh
#   RUNS="none idle none2 idle2" bench/watch-cost.sh   # NAME's letters before a digit: its kind
#
# Needs mosquitto (./compile.sh installs it). Not part of the test command.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly DURATION=${DURATION:-20s}
readonly WARMUP=${WARMUP:-30s}
readonly WATCHERS=${WATCHERS:-2}
# shellcheck source=bench/lib.sh
source bench/lib.sh

[[ -f kvs-server/target/kvs-server.jar ]] || ./compile.sh >&2
BROKER=$(free_port)
start mosquitto mosquitto -p "$BROKER"
await_port "$BROKER" "mosquitto"

run() { # run NAME none|reading|stalled
  local name=$1 kind=$2 port n watchers=()
  start_kvs "$name"
  if [[ $kind != none ]]; then
    for port in "${SERVERS[@]}"; do
      for n in $(seq "$WATCHERS"); do
        if [[ $kind == reading ]]; then
          start "watch-$name-$port-$n" ./client.sh watch -p "$port" --json
        elif [[ $kind == idle ]]; then
          start "watch-$name-$port-$n" ./client.sh watch -p "$port" --json -k "no key has this prefix"
        else # a reader that never reads: its pipe fills, then the CLI, then gRPC's window
          start "watch-$name-$port-$n" bash -c "./client.sh watch -p $port --json | sleep 100000"
        fi
        watchers+=("$WORK/watch-$name-$port-$n.log")
      done
    done
  fi
  bench "$name" insere -p "$(ports "${SERVERS[@]}")" -c 64 --warmup "$WARMUP" -d "$DURATION"
  printf '%-9s insere: %.0f ops/s, p50 %s ms, p99 %s ms, %s errors\n' "$name" \
    "$(field "$name" ops_per_s)" "$(field "$name" p50_ms)" "$(field "$name" p99_ms)" "$(field "$name" errors)"
  agreed "${SERVERS[@]}" || log "the servers do not agree"
  printf '  CPU seconds: servers %s, watchers %s\n' "$(cpu_seconds "${SERVER_PIDS[@]}")" \
    "$(cpu_seconds $(pgrep -f -- "-jar .*watch -p" || true))"
  if [[ $kind == reading ]]; then
    local position
    position=$(./client.sh -p "${SERVERS[0]}" -o status --json | grep -o '"position":[0-9]*' | head -1 | cut -d: -f2)
    sleep 2 # the watchers' last lines on their way to the files
    for n in "${watchers[@]}"; do
      printf '  watcher %s: last position %s of %s\n' "$(basename "$n" .log)" \
        "$(tail -1 "$n" | grep -o '"position":[0-9]*' | cut -d: -f2)" "$position"
    done
  fi
  pkill -f -- "watch -p" || true # the stalled ones' JVMs are children of their pipelines
  stop_kvs
}

cpu_seconds() { # cpu_seconds PID...: the user+system CPU time of those processes, summed
  local total=0 pid t
  for pid in "$@"; do
    t=$(ps -o times= -p "$pid" 2>/dev/null || true)
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

for name in ${RUNS:-none reading stalled none2}; do
  kind=${name%%[0-9]*}
  case $kind in none | reading | stalled | idle) ;; *) die "unknown run $name (none, reading, stalled, idle)" ;; esac
  run "$name" "$kind"
done
