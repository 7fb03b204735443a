# Helpers of the bench scripts (sourced, from the repository root): a directory for logs (WORK),
# messages (log, die), the background processes to stop on exit (PIDS), free ports, a three-server
# KVS cluster on a broker, runs of ./client.sh bench. The script sets BROKER to the broker's port.

SCRIPT=$(basename "$0")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kvs-${SCRIPT%.sh}.XXXXXX")
readonly SCRIPT WORK
PIDS=()

log() { echo "$SCRIPT: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  log "logs and results in $WORK"
}
trap cleanup EXIT

port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# free_port: a port nothing listens on (and that this run has not handed out yet).
declare -A TAKEN=()
free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 40000))
    [[ -z ${TAKEN[$port]:-} ]] && ! port_open "$port" && break
  done
  TAKEN[$port]=1
  echo "$port"
}

await_port() {
  local port=$1 what=$2 i
  for i in $(seq 300); do port_open "$port" && return; sleep 0.1; done
  die "$what did not open port $port (see $WORK)"
}

LAST_PID=0
start() { # start NAME COMMAND...: runs it in the background, logs to WORK/NAME.log; LAST_PID
  local name=$1; shift
  "$@" >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

# --- the systems under test -----------------------------------------------------------------------

BROKER=0
SERVERS=()
SERVER_PIDS=()
start_kvs() { # start_kvs TOPIC: three servers on a fresh topic of the broker, caught up
  local topic=$1 i port
  SERVERS=(); SERVER_PIDS=()
  for i in 0 1 2; do
    port=$(free_port)
    SERVERS+=("$port")
    start "server-$topic-$port" ./server.sh "$port" --broker "tcp://127.0.0.1:$BROKER" --topic "kvs/bench/$topic"
    SERVER_PIDS+=("$LAST_PID")
  done
  for port in "${SERVERS[@]}"; do await_port "$port" "server"; done
  agreed "${SERVERS[@]}" >/dev/null || die "the servers did not catch up"
}

stop_kvs() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
}

ports() { local IFS=,; echo "$*"; }

# --- measuring ------------------------------------------------------------------------------------

# bench NAME ARGS...: one run of ./client.sh bench, its JSON line kept as WORK/NAME.json
bench() {
  local name=$1; shift
  log "bench $name: $*"
  ./client.sh bench "$@" --json -q >"$WORK/$name.json" 2>"$WORK/$name.err" || die "bench $name failed: $(cat "$WORK/$name.err")"
}

# field NAME KEY: a number from WORK/NAME.json (nothing when it has no such key)
field() {
  { grep -o "\"$2\":[-0-9.eE]*" "$WORK/$1.json" || true; } | head -1 | cut -d: -f2
}

# agreed PORTS...: the servers are caught up, connected and agree (status exits 0); prints that line
agreed() {
  local i
  for i in $(seq 600); do
    if ./client.sh status "$@" >"$WORK/status.txt" 2>&1 && grep -q agree "$WORK/status.txt"; then
      tail -1 "$WORK/status.txt"; return 0
    fi
    sleep 0.1
  done
  cat "$WORK/status.txt" >&2
  return 1
}

