#!/usr/bin/env bash
# Sustained load, as issue 9 asks to show it: several clients stream writes as fast as they can into
# three servers for DURATION, on a stock Mosquitto, with the load generators on this same machine;
# then checks that no server re-synchronized, no write answered -1 or failed, and the three agree.
# Builds KVS when needed, uses free ports and a temporary directory, stops everything it started.
#
#   bench/sustained-load.sh                      # about 90 s: 3 InsereVarias clients + 1 Insere client
#   CLIENTS=6 DURATION=120s bench/sustained-load.sh
#
# Exits 0 when every check holds, 1 otherwise. Not part of the test command (it takes a while).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly DURATION=${DURATION:-60s}
readonly CLIENTS=${CLIENTS:-3}
# shellcheck source=bench/lib.sh
source bench/lib.sh

./compile.sh >&2
BROKER=$(free_port)
start mosquitto mosquitto -p "$BROKER" # the stock configuration: at most 1,000 queued per subscriber
await_port "$BROKER" "mosquitto"
start_kvs sustained
TARGETS=$(ports "${SERVERS[@]}")

log "$CLIENTS InsereVarias clients (2 streams of 1,000-item batches each) and one Insere client (64 in flight) for $DURATION on $TARGETS"
LOADS=()
for i in $(seq "$CLIENTS"); do
  ./client.sh bench insere-varias -p "$TARGETS" -c 2 --batch 1000 -d "$DURATION" --json -q \
    >"$WORK/varias-$i.json" 2>"$WORK/varias-$i.err" &
  LOADS+=($!)
done
./client.sh bench insere -p "$TARGETS" -c 64 -d "$DURATION" --json -q >"$WORK/insere.json" 2>"$WORK/insere.err" &
LOADS+=($!)
for pid in "${LOADS[@]}"; do wait "$pid" || die "a load generator failed (see $WORK)"; done

failed=0
items=0
for result in "$WORK"/varias-*.json "$WORK/insere.json"; do
  name=$(basename "$result" .json)
  ops=$(field "$name" items_per_s) # InsereVarias: items; Insere: one write per call
  [[ -n $ops ]] || ops=$(field "$name" ops_per_s)
  errors=$(field "$name" errors)
  printf '%-10s %12.0f writes/s  %s errors\n' "$name" "$ops" "$errors"
  items=$(awk -v a="$items" -v b="$ops" 'BEGIN { print a + b }')
  [[ $errors == 0 ]] || failed=1
done
printf 'all       %12.0f writes/s\n' "$items"

agreement=$(agreed "${SERVERS[@]}") || { log "the servers do not agree"; failed=1; }
echo "$agreement"
for port in "${SERVERS[@]}"; do
  resyncs=$(./client.sh -p "$port" -o status --json | grep -o '"resyncs":[0-9]*' | cut -d: -f2)
  echo "server $port: $resyncs re-syncs"
  [[ $resyncs == 0 ]] || failed=1
done
[[ $failed == 0 ]] && log "every check holds" || log "a check failed"
exit "$failed"
