#!/usr/bin/env bash
# Reproduces the table of docs/PERFORMANCE.md: KVS (three servers and a stock Mosquitto), etcd
# (Debian's etcd-server, one member, defaults), Redis (Debian's redis-server) and a bare gRPC echo
# server, all on this machine, measured in one run by the same tool (./client.sh bench; Redis by
# redis-benchmark). Installs etcd-server and redis-server with apt-get when they are missing, builds
# KVS when needed, uses free ports and a temporary directory, and stops everything it started.
#
#   bench/performance.sh            # about 12 minutes; prints the table (markdown) and the raw JSON
#   DURATION=20s bench/performance.sh
#
# Every figure is one measurement on a shared machine: compare the rows of one run, not runs.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly DURATION=${DURATION:-10s}
readonly WARMUP=${WARMUP:-30s} # JIT compilation, in the servers and in the load generator

# shellcheck source=bench/lib.sh
source bench/lib.sh

# --- what the run needs ---------------------------------------------------------------------------

install_packages() {
  local missing=()
  command -v etcd >/dev/null || missing+=(etcd-server)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v redis-benchmark >/dev/null || missing+=(redis-tools)
  command -v jcmd >/dev/null || die "jcmd (part of the JDK) is needed to measure the heap"
  [[ ${#missing[@]} -eq 0 ]] && return
  log "installing ${missing[*]}"
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q "${missing[@]}" >/dev/null
}

# live_heap_mb PID: live objects after a full GC (the class histogram's total), in MB
live_heap_mb() {
  jcmd "$1" GC.class_histogram | awk '/^Total/ {printf "%.1f", $3 / 1e6}'
}

fmt() { printf "%.0f" "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
check() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == ">=") ? v >= t : v < t; print ok ? "yes" : "**no**" }'; }

# --- the run --------------------------------------------------------------------------------------

install_packages
./compile.sh >&2

BROKER=$(free_port)
start mosquitto mosquitto -p "$BROKER" # the stock configuration
await_port "$BROKER" "mosquitto"

ECHO=$(free_port)
start echo ./client.sh bench echo-server "$ECHO"
ETCD=$(free_port); ETCD_PEER=$(free_port)
start etcd etcd --name perf --data-dir "$WORK/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD" --advertise-client-urls "http://127.0.0.1:$ETCD" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
  --initial-cluster "perf=http://127.0.0.1:$ETCD_PEER"
REDIS=$(free_port)
start redis redis-server --port "$REDIS" --bind 127.0.0.1 --dir "$WORK"
await_port "$ECHO" "the echo server"; await_port "$ETCD" "etcd"; await_port "$REDIS" "redis"

start_kvs main
ALL=$(ports "${SERVERS[@]}")
ONE=${SERVERS[0]}
log "KVS servers on $ALL, broker $BROKER, etcd $ETCD, redis $REDIS, echo $ECHO"

# 7. A burst of 100,000 writes over the three servers, on a fresh cluster, stock broker.
bench burst insere -p "$ALL" -c 256 -n 100000
BURST_AGREE=$(agreed "${SERVERS[@]}") || die "after the burst the servers do not agree"
BURST_SNAPSHOTS=$(for p in "${SERVERS[@]}"; do ./client.sh -p "$p" -o snapshot --deadline 60s | sha256sum | cut -c1-16; done | sort -u | wc -l)

# 1, 2. Insere against etcd's put.
bench insere64 insere -p "$ALL" -c 64 -d "$DURATION" --warmup "$WARMUP"
bench etcd_put64 insere -s etcd -p "$ETCD" -c 64 -d "$DURATION" --warmup "$WARMUP"
bench insere1 insere -p "$ALL" -c 1 -d "$DURATION" --warmup "$WARMUP"
bench etcd_put1 insere -s etcd -p "$ETCD" -c 1 -d "$DURATION" --warmup "$WARMUP"

# 3. Consulta against etcd's serializable range and the bare echo server, one server each.
bench consulta64 consulta -p "$ONE" -c 64 --keys 100000 --preload -d "$DURATION" --warmup "$WARMUP"
bench etcd_range64 consulta -s etcd -p "$ETCD" -c 64 --keys 100000 --preload -d "$DURATION" --warmup "$WARMUP"
bench echo64 consulta -s echo -p "$ECHO" -c 64 -d "$DURATION" --warmup "$WARMUP"

# 4. InsereVarias: one million items, then every server must hold the same state.
bench varias insere-varias -p "$ALL" -c 3 -n 1000000 --batch 1000
VARIAS_AGREE=$(agreed "${SERVERS[@]}") || die "after insere-varias the servers do not agree"

# 5. Replication lag at half the maximum write rate (the insere64 rate above).
HALF=$(awk -v r="$(field insere64 ops_per_s)" 'BEGIN { printf "%d", r / 2 }')
# 64 in flight, as in row 1, so the background writes can keep up with their schedule.
bench lag lag -p "$ALL" --rate "$HALF" -c 64 -d "$DURATION" --warmup "$WARMUP"

# Redis, for scale (plain clients, no pipelining).
redis-benchmark -p "$REDIS" -t set,get -c 50 -n 300000 -q --csv >"$WORK/redis.csv" 2>/dev/null
REDIS_SET=$(awk -F'"' '$2 == "SET" {print $4}' "$WORK/redis.csv")
REDIS_GET=$(awk -F'"' '$2 == "GET" {print $4}' "$WORK/redis.csv")

# 6. One million keys, one version each, on a fresh cluster: live heap per server and Snapshot(0).
stop_kvs
start_kvs million
bench snapshot snapshot -p "${SERVERS[0]}" --keys 1000000 -n 3 --timeout 60s
MILLION_AGREE=$(agreed "${SERVERS[@]}") || die "after loading a million keys the servers do not agree"
HEAPS=()
for pid in "${SERVER_PIDS[@]}"; do
  # server.sh execs java, so the pid is the JVM's
  HEAPS+=("$(live_heap_mb "$pid")")
done
MAX_HEAP=$(printf '%s\n' "${HEAPS[@]}" | sort -n | tail -1)

# --- the table ------------------------------------------------------------------------------------

K64=$(field insere64 ops_per_s); E64=$(field etcd_put64 ops_per_s)
K1=$(field insere1 p50_ms); E1=$(field etcd_put1 p50_ms)
C64=$(field consulta64 ops_per_s); R64=$(field etcd_range64 ops_per_s); X64=$(field echo64 ops_per_s)
VAR=$(field varias items_per_s)
LAG99=$(field lag lag_p99_ms)
SNAP_MS=$(field snapshot p50_ms); SNAP_MAX=$(field snapshot max_ms)

cat <<EOF

Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), $(mosquitto -h 2>/dev/null | head -1 | sed 's/ (build.*//'), etcd $(etcd --version 2>/dev/null | awk '/etcd Version/ {print $3}'), $(redis-server --version | awk '{print $1, $2, $3}'); $(date -u +%Y-%m-%d).
Durations $DURATION after $WARMUP of warm-up; three KVS servers, Mosquitto, etcd, Redis and the load generator on this one machine.

| # | measure | KVS | reference | ratio | target | met |
| --- | --- | --- | --- | --- | --- | --- |
| 1 | Insere, 64 in flight over 3 servers (ops/s) | $(fmt "$K64") | etcd put: $(fmt "$E64") | $(ratio "$K64" "$E64") | >= 1.5x etcd | $(check "$(ratio "$K64" "$E64")" ">=" 1.5) |
| 2 | Insere, 1 in flight (p50 ms) | $K1 | etcd put: $E1 | $(ratio "$K1" "$E1") | < etcd | $(check "$K1" "<" "$E1") |
| 3a | Consulta, 64 in flight, one server (ops/s) | $(fmt "$C64") | etcd serializable range: $(fmt "$R64") | $(ratio "$C64" "$R64") | >= 4x etcd | $(check "$(ratio "$C64" "$R64")" ">=" 4) |
| 3b | Consulta, 64 in flight, one server (ops/s) | $(fmt "$C64") | bare gRPC echo: $(fmt "$X64") | $(ratio "$C64" "$X64") | >= 0.6x echo | $(check "$(ratio "$C64" "$X64")" ">=" 0.6) |
| 4 | InsereVarias, 1,000,000 items over 3 servers (items/s) | $(fmt "$VAR") | | | >= 100,000, all on every server | $(check "$VAR" ">=" 100000) ($VARIAS_AGREE) |
| 5 | Replication lag at $(fmt "$HALF") writes/s, half of row 1 (p99 ms; writes done: $(fmt "$(field lag load_ops_per_s)")/s) | $LAG99 | | | < 5 | $(check "$LAG99" "<" 5) |
| 6a | Live heap per server, 1,000,000 keys of 16+16 chars (MB) | ${HEAPS[*]} | | | <= 200 | $(check "$MAX_HEAP" "<" 200.01) |
| 6b | Snapshot(0) of those 1,000,000 keys (p50 / max of 3, ms) | $SNAP_MS / $SNAP_MAX | | | < 3000 | $(check "$SNAP_MAX" "<" 3000) |
| 7 | Burst of 100,000 writes, 256 in flight over 3 servers, stock broker | $(field burst errors) errors | | | identical Snapshot(0) | $([[ $BURST_SNAPSHOTS == 1 ]] && echo yes || echo "**no**") ($BURST_AGREE) |
| - | Redis SET / GET, 50 clients, redis-benchmark (ops/s) | | $(fmt "${REDIS_SET:-0}") / $(fmt "${REDIS_GET:-0}") | | for scale | |

Latencies (p50 / p99 ms): Insere 64: $(field insere64 p50_ms) / $(field insere64 p99_ms); etcd put 64: $(field etcd_put64 p50_ms) / $(field etcd_put64 p99_ms); Insere 1: $K1 / $(field insere1 p99_ms); etcd put 1: $E1 / $(field etcd_put1 p99_ms); Consulta 64: $(field consulta64 p50_ms) / $(field consulta64 p99_ms); etcd range 64: $(field etcd_range64 p50_ms) / $(field etcd_range64 p99_ms); echo 64: $(field echo64 p50_ms) / $(field echo64 p99_ms); lag: $(field lag lag_p50_ms) / $LAG99.
EOF

echo
echo "Raw results (one JSON line per run, from ./client.sh bench --json):"
for f in burst insere64 etcd_put64 insere1 etcd_put1 consulta64 etcd_range64 echo64 varias lag snapshot; do
  echo "$f: $(cat "$WORK/$f.json")"
done
