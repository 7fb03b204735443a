#!/usr/bin/env bash
# HTTP next to gRPC, as issue 12 asks to measure it: three servers with --http-port on a stock
# Mosquitto; writes, then reads, on the first server, 64 in flight, each first for WARMUP (dropped)
# then for DURATION: gRPC with ./client.sh bench, HTTP with wrk (Debian's; PUT /v1/kv/KEY with a
# text body, GET /v1/kv/KEY over keys the PUT phase wrote), one after the other in one run.
#
#   bench/http-vs-grpc.sh                   # 20 s + 20 s per phase
#
# Needs wrk (apt-get install wrk). Not part of the test command.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly DURATION=${DURATION:-20s}
readonly WARMUP=${WARMUP:-20s}
# shellcheck source=bench/lib.sh
source bench/lib.sh

command -v wrk >/dev/null || die "wrk is needed (apt-get install wrk)"
[[ -f kvs-server/target/kvs-server.jar ]] || ./compile.sh >&2
BROKER=$(free_port)
start mosquitto mosquitto -p "$BROKER"
await_port "$BROKER" "mosquitto"
SERVERS=(); HTTP=()
for i in 0 1 2; do
  port=$(free_port); http=$(free_port)
  SERVERS+=("$port"); HTTP+=("$http")
  start "server-$port" ./server.sh "$port" --broker "tcp://127.0.0.1:$BROKER" --topic kvs/http-bench --http-port "$http"
done
for port in "${SERVERS[@]}" "${HTTP[@]}"; do await_port "$port" "server"; done
agreed "${SERVERS[@]}" >/dev/null || die "the servers did not catch up"

cat >"$WORK/put.lua" <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("PUT", "/v1/kv/wrk-" .. (counter % 10000), {["Content-Type"] = "text/plain"}, "valor-" .. counter)
end
LUA
cat >"$WORK/get.lua" <<'LUA'
request = function()
  return wrk.format("GET", "/v1/kv/wrk-" .. math.random(0, 9999))
end
LUA
# wrk -c 64 over 2 threads: 64 requests in flight, as bench -c 64.
http_phase() { # http_phase NAME SCRIPT
  wrk -t2 -c64 -d"$WARMUP" -s "$WORK/$2" "http://127.0.0.1:${HTTP[0]}" >/dev/null
  wrk -t2 -c64 -d"$DURATION" --latency -s "$WORK/$2" "http://127.0.0.1:${HTTP[0]}" >"$WORK/$1.txt"
  printf '%-10s %s req/s, p50 %s, p99 %s, %s\n' "$1" \
    "$(awk '/Requests\/sec/ {print $2}' "$WORK/$1.txt")" \
    "$(awk '$1 == "50%" {print $2}' "$WORK/$1.txt")" "$(awk '$1 == "99%" {print $2}' "$WORK/$1.txt")" \
    "$(grep -E 'Non-2xx|Socket errors' "$WORK/$1.txt" | tr '\n' ' ' || echo 'no errors')"
}
grpc_phase() { # grpc_phase NAME WORKLOAD ARGS...
  local name=$1; shift
  bench "$name" "$@" -t "127.0.0.1:${SERVERS[0]}" -c 64 --warmup "$WARMUP" -d "$DURATION"
  printf '%-10s %.0f ops/s, p50 %s ms, p99 %s ms, %s errors\n' "$name" \
    "$(field "$name" ops_per_s)" "$(field "$name" p50_ms)" "$(field "$name" p99_ms)" "$(field "$name" errors)"
}

grpc_phase grpc-put insere
http_phase http-put put.lua
grpc_phase grpc-get consulta --keys 10000 --preload
http_phase http-get get.lua
agreed "${SERVERS[@]}" || log "the servers do not agree"
