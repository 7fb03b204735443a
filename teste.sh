#!/usr/bin/env bash
# Acceptance run of KVS: builds if needed, starts an MQTT broker (unless one
# already answers on localhost:1883) and three servers on ports 9000-9002, drives
# the course scenario through ./client.sh --json and checks every answer.
# Prints PASS/FAIL per check and "N passed, M failed"; exits non-zero on any failure.
#
# The scenario starts the moment the servers' ports answer: a server that is
# still catching up with its peers holds the calls until it has (it does not
# refuse them), so nothing waits for readiness first.
# Replication between servers is asynchronous, so before reading or writing on a
# server other than the one that took the previous write, the script polls that
# server (every 50 ms, 10 s deadline) until the previous write shows there.
# Reads are polled until they give the expected answer; writes are never retried.
#
# The course's ports by default; KVS_TESTE_BROKER_PORT and KVS_TESTE_PORTS (three
# ports, space-separated) choose others, so tests can run it beside anything else;
# KVS_TESTE_SKIP_BUILD=1 skips ./compile.sh.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1

readonly BROKER_HOST=127.0.0.1
readonly BROKER_PORT=${KVS_TESTE_BROKER_PORT:-1883}
read -r -a SERVER_PORTS <<<"${KVS_TESTE_PORTS:-9000 9001 9002}"
readonly SERVER_PORTS
readonly S0=${SERVER_PORTS[0]} S1=${SERVER_PORTS[1]} S2=${SERVER_PORTS[2]}
((${#SERVER_PORTS[@]} == 3)) || { echo "teste.sh: KVS_TESTE_PORTS must name three ports" >&2; exit 2; }
# A topic of our own, so retained or queued messages of other runs never interfere.
readonly TOPIC="kvs/teste/$$-$RANDOM"
readonly POLL_INTERVAL=0.05      # seconds between polls
readonly EVENTUAL_DEADLINE_MS=10000
readonly BROKER_DEADLINE_MS=10000
readonly SERVER_DEADLINE_MS=30000

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kvs-teste.XXXXXX") || exit 1
readonly WORK
BROKER_PID=""
declare -A SERVER_PIDS=()
PASSED=0
FAILED=0

log() { echo "teste.sh: $*"; }
die() { echo "teste.sh: ERROR: $*" >&2; exit 1; }

now_ms() {
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    local t=${EPOCHREALTIME/[.,]/}
    echo $((t / 1000))
  else
    date +%s%3N
  fi
}

# port_open PORT : true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# --- start and stop what this run owns ----------------------------------------

# stop_process NAME PID : SIGTERM, wait up to 10 s for it to end, then SIGKILL.
stop_process() {
  local name=$1 pid=$2
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  kill -TERM "$pid" 2>/dev/null
  local deadline=$(($(now_ms) + 10000))
  while kill -0 "$pid" 2>/dev/null && (($(now_ms) < deadline)); do
    sleep "$POLL_INTERVAL"
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) ignored SIGTERM for 10 s; killing it"
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
}

# On exit (normal, error, Ctrl-C): stop the servers and the broker this run
# started -- only those -- and keep the logs when something went wrong.
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local port
  for port in "${!SERVER_PIDS[@]}"; do
    stop_process "server $port" "${SERVER_PIDS[$port]}"
  done
  [[ -n $BROKER_PID ]] && stop_process "mosquitto" "$BROKER_PID"
  if [[ $rc -ne 0 && -n $(ls -A "$WORK") ]]; then
    local f
    for f in "$WORK"/server-*.log "$WORK"/mosquitto.log; do
      [[ -s $f ]] || continue
      echo "----- last lines of $f -----" >&2
      tail -n 15 "$f" >&2
    done
    echo "teste.sh: logs kept in $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

build() {
  # KVS_TESTE_SKIP_BUILD=1: the jars are there already (a test of the build that runs this script).
  [[ ${KVS_TESTE_SKIP_BUILD:-} == 1 ]] && return 0
  ./compile.sh || die "build failed"
}

check_ports_free() {
  local port
  for port in "${SERVER_PORTS[@]}"; do
    if port_open "$port"; then
      die "port $port is in use; stop whatever listens there"
    fi
  done
}

# Use the broker that already answers on localhost:1883, or start our own.
ensure_broker() {
  if port_open "$BROKER_PORT"; then
    log "using the MQTT broker already listening on $BROKER_HOST:$BROKER_PORT"
    return 0
  fi
  local bin
  if [[ -x /usr/sbin/mosquitto ]]; then
    bin=/usr/sbin/mosquitto
  else
    bin=$(command -v mosquitto) \
      || die "no MQTT broker on $BROKER_HOST:$BROKER_PORT and mosquitto is not installed; run ./compile.sh"
  fi
  log "starting $bin -p $BROKER_PORT (log: $WORK/mosquitto.log)"
  "$bin" -p "$BROKER_PORT" >"$WORK/mosquitto.log" 2>&1 &
  BROKER_PID=$!
  local deadline=$(($(now_ms) + BROKER_DEADLINE_MS))
  until port_open "$BROKER_PORT"; do
    kill -0 "$BROKER_PID" 2>/dev/null || die "mosquitto exited at start (see $WORK/mosquitto.log)"
    (($(now_ms) < deadline)) || die "mosquitto did not listen on port $BROKER_PORT within 10 s"
    sleep "$POLL_INTERVAL"
  done
}

start_servers() {
  local port
  for port in "${SERVER_PORTS[@]}"; do
    ./server.sh "$port" --broker "tcp://$BROKER_HOST:$BROKER_PORT" --topic "$TOPIC" \
      --id "s$port" >"$WORK/server-$port.log" 2>&1 &
    SERVER_PIDS[$port]=$!
  done
  local started
  started=$(now_ms)
  log "started servers on ports ${SERVER_PORTS[*]} (topic $TOPIC, logs in $WORK)"
  for port in "${SERVER_PORTS[@]}"; do
    wait_port_open "$port"
    log "port $port open $(($(now_ms) - started)) ms after launch"
  done
}

# wait_port_open PORT : until the server's port accepts connections (no call).
wait_port_open() {
  local port=$1 pid=${SERVER_PIDS[$1]}
  local deadline=$(($(now_ms) + SERVER_DEADLINE_MS))
  until port_open "$port"; do
    kill -0 "$pid" 2>/dev/null || die "server $port exited at start (see $WORK/server-$port.log)"
    (($(now_ms) < deadline)) || die "server $port did not listen within 30 s"
    sleep "$POLL_INTERVAL"
  done
}

# --- expected answers (the client's --json lines) -----------------------------

w()  { printf '{"key":"%s","version":%s}\n' "$1" "$2"; }                # write/remove answer
t()  { printf '{"key":"%s","value":"%s","version":%s}\n' "$1" "$2" "$3"; } # found tuple
nf() { printf '{"key":"%s","value":null,"version":0}\n' "$1"; }          # not found

# --- running the client and comparing -----------------------------------------

LAST_ERR=""

# render OUTPUT RC : one-line form "line1 line2 ... (exit RC)". Lines keep their
# order: snapshots come in key order.
render() {
  local out=$1 rc=$2
  local -a lines=()
  [[ -n $out ]] && mapfile -t lines <<<"$out"
  local IFS=' '
  printf '%s (exit %s)' "${lines[*]}" "$rc"
}

# expected_exit EXPECTED : 1 when some result is negative (-1 or not found), else 0.
expected_exit() {
  if [[ $1 == *'"version":-1}'* || $1 == *'"value":null'* ]]; then echo 1; else echo 0; fi
}

# observe PORT ARGS... : runs one client call with --json; prints the rendered
# answer. The client's stderr goes to $WORK/client.log (last error in LAST_ERR).
observe() {
  local port=$1; shift
  local out rc
  echo "## ./client.sh -p $port $* --json" >>"$WORK/client.log"
  out=$(./client.sh -p "$port" "$@" --json 2>"$WORK/client.err")
  rc=$?
  cat "$WORK/client.err" >>"$WORK/client.log"
  LAST_ERR=$(tail -n 1 "$WORK/client.err")
  render "$out" "$rc"
}

# want EXPECTED : the rendered expected answer.
want() {
  render "$1" "$(expected_exit "$1")"
}

pass() { PASSED=$((PASSED + 1)); echo "PASS step $1: $2"; }
fail() {
  FAILED=$((FAILED + 1))
  local detail=""
  [[ $4 == *"(exit "[234]")" && -n $LAST_ERR ]] && detail=" [client: $LAST_ERR]"
  echo "FAIL step $1: $2: expected $3 got $4$detail"
}

# check STEP DESC EXPECTED PORT ARGS... : runs the call once (for writes).
check() {
  local step=$1 desc=$2 expected=$3; shift 3
  local exp got
  exp=$(want "$expected")
  got=$(observe "$@")
  if [[ $got == "$exp" ]]; then pass "$step" "$desc"; else fail "$step" "$desc" "$exp" "$got"; fi
}

# poll_until EXPECTED PORT ARGS... : repeats the call every 50 ms until it gives
# EXPECTED or 10 s pass; returns 0 when it matched. Sets POLLED to the last answer.
POLLED=""
poll_until() {
  local expected=$1; shift
  local exp deadline
  exp=$(want "$expected")
  deadline=$(($(now_ms) + EVENTUAL_DEADLINE_MS))
  while true; do
    POLLED=$(observe "$@")
    [[ $POLLED == "$exp" ]] && return 0
    (($(now_ms) < deadline)) || return 1
    sleep "$POLL_INTERVAL"
  done
}

# expect_eventually STEP DESC EXPECTED PORT ARGS... : a read that must reach
# EXPECTED within the deadline (replication is asynchronous).
expect_eventually() {
  local step=$1 desc=$2 expected=$3; shift 3
  if poll_until "$expected" "$@"; then
    pass "$step" "$desc"
  else
    fail "$step" "$desc (within 10 s)" "$(want "$expected")" "$POLLED"
  fi
}

# await STEP DESC EXPECTED PORT ARGS... : precondition of a write on another
# server: wait (silently) until that server shows the previous write. Counts as a
# failure only when it never does.
await() {
  local step=$1 desc=$2 expected=$3; shift 3
  poll_until "$expected" "$@" && return 0
  fail "$step" "before '$desc', server $1 never showed the previous write (${*:2}) within 10 s" \
    "$(want "$expected")" "$POLLED"
}

# check_exit STEP DESC RC PORT ARGS... : only the client's exit code matters.
check_exit() {
  local step=$1 desc=$2 want_rc=$3; shift 3
  local got
  got=$(observe "$@")
  if [[ $got == *"(exit $want_rc)" ]]; then pass "$step" "$desc"; else fail "$step" "$desc" "exit $want_rc" "$got"; fi
}

# --- the scenario --------------------------------------------------------------

scenario() {
  local d

  # 1. successive versions of chave1 written on different servers
  check 1 "insere chave1=valor1 @$S0 -> 1" "$(w chave1 1)" $S0 -o insere -k chave1 -v valor1
  d="insere chave1=valor2 @$S2 -> 2"
  await 1 "$d" "$(t chave1 valor1 1)" $S2 -o consulta -k chave1
  check 1 "$d" "$(w chave1 2)" $S2 -o insere -k chave1 -v valor2
  d="insere chave1=valor3 @$S1 -> 3"
  await 1 "$d" "$(t chave1 valor2 2)" $S1 -o consulta -k chave1
  check 1 "$d" "$(w chave1 3)" $S1 -o insere -k chave1 -v valor3
  check 1 "insere chave1=valor4 @$S1 -> 4" "$(w chave1 4)" $S1 -o insere -k chave1 -v valor4

  # 2. same for chave99
  check 2 "insere chave99=valor111 @$S0 -> 1" "$(w chave99 1)" $S0 -o insere -k chave99 -v valor111
  d="insere chave99=valor222 @$S1 -> 2"
  await 2 "$d" "$(t chave99 valor111 1)" $S1 -o consulta -k chave99
  check 2 "$d" "$(w chave99 2)" $S1 -o insere -k chave99 -v valor222
  d="insere chave99=valor333 @$S2 -> 3"
  await 2 "$d" "$(t chave99 valor222 2)" $S2 -o consulta -k chave99
  check 2 "$d" "$(w chave99 3)" $S2 -o insere -k chave99 -v valor333

  # 3. a batch write (chave1 v4 was written on $S1 itself; chave99 v3 came from $S2)
  d="insere-v @$S1 chave1=valor5 chave99=valor444 chave-aaa=valor-aaa chave-bbb=valor-bbb -> 5 4 1 1"
  await 3 "$d" "$(t chave99 valor333 3)" $S1 -o consulta -k chave99
  check 3 "$d" "$(w chave1 5; w chave99 4; w chave-aaa 1; w chave-bbb 1)" \
    $S1 -o insere-v -k chave1 -v valor5 -k chave99 -v valor444 \
    -k chave-aaa -v valor-aaa -k chave-bbb -v valor-bbb

  # 4. reads of given / newest versions
  expect_eventually 4 "consulta chave1 -e 1 @$S0 -> valor1 (1)" \
    "$(t chave1 valor1 1)" $S0 -o consulta -k chave1 -e 1
  expect_eventually 4 "consulta chave1 --ver=-1 @$S2 -> valor5 (5)" \
    "$(t chave1 valor5 5)" $S2 -o consulta -k chave1 --ver=-1
  expect_eventually 4 "consulta chave99 @$S0 -> valor444 (4)" \
    "$(t chave99 valor444 4)" $S0 -o consulta -k chave99
  expect_eventually 4 "consulta chave99 -e 1000 @$S1 -> valor444 (4)" \
    "$(t chave99 valor444 4)" $S1 -o consulta -k chave99 -e 1000

  # 5. batch read
  expect_eventually 5 "consulta-v @$S1 chave99 -e 3, chave-aaa -e 0 -> valor333 (3), valor-aaa (1)" \
    "$(t chave99 valor333 3; t chave-aaa valor-aaa 1)" \
    $S1 -o consulta-v -k chave99 -e 3 -k chave-aaa -e 0

  # 6-7. snapshots of the newest and of version <= 2
  expect_eventually 6 "snapshot -e 0 @$S1 -> newest of the 4 keys" \
    "$(t chave-aaa valor-aaa 1; t chave-bbb valor-bbb 1; t chave1 valor5 5; t chave99 valor444 4)" \
    $S1 -o snapshot -e 0
  expect_eventually 7 "snapshot -e 2 @$S2 -> versions <= 2" \
    "$(t chave-aaa valor-aaa 1; t chave-bbb valor-bbb 1; t chave1 valor2 2; t chave99 valor222 2)" \
    $S2 -o snapshot -e 2

  # 8. removes of one version and of all versions
  check 8 "remove chave1 -e 1 @$S0 -> 1" "$(w chave1 1)" $S0 -o remove -k chave1 -e 1
  d="remove chave1 -e 1 @$S1 -> -1"
  await 8 "$d" "$(nf chave1)" $S1 -o consulta -k chave1 -e 1
  check 8 "$d" "$(w chave1 -1)" $S1 -o remove -k chave1 -e 1
  d="remove chave99 @$S2 -> 0"
  await 8 "$d" "$(t chave99 valor444 4)" $S2 -o consulta -k chave99
  check 8 "$d" "$(w chave99 0)" $S2 -o remove -k chave99
  d="remove chave99 -e 1000 @$S1 -> -1"
  await 8 "$d" "$(nf chave99)" $S1 -o consulta -k chave99
  check 8 "$d" "$(w chave99 -1)" $S1 -o remove -k chave99 -e 1000

  # 9. batch remove ($S1 holds chave1 v2 and chave-aaa v1 already)
  check 9 "remove-v @$S1 chave1 -e 2, chave-aaa -e 2 -> 2, -1" "$(w chave1 2; w chave-aaa -1)" \
    $S1 -o remove-v -k chave1 -e 2 -k chave-aaa -e 2

  # 10. the removed versions are gone everywhere
  expect_eventually 10 "consulta chave1 -e 1 @$S2 -> not found" \
    "$(nf chave1)" $S2 -o consulta -k chave1 -e 1
  expect_eventually 10 "snapshot -e 2 @$S0 -> chave-aaa 1, chave-bbb 1" \
    "$(t chave-aaa valor-aaa 1; t chave-bbb valor-bbb 1)" $S0 -o snapshot -e 2

  # 11. versions keep growing after removes
  d="insere chave1=valor6 @$S2 -> 6"
  await 11 "$d" "$(t chave1 valor5 5)" $S2 -o consulta -k chave1
  check 11 "$d" "$(w chave1 6)" $S2 -o insere -k chave1 -v valor6
  d="insere chave99=valor555 @$S1 -> 5"
  await 11 "$d" "$(nf chave99)" $S1 -o consulta -k chave99
  check 11 "$d" "$(w chave99 5)" $S1 -o insere -k chave99 -v valor555
  d="insere chave-aaa=valor-aaa2 @$S0 -> 2"
  await 11 "$d" "$(t chave-aaa valor-aaa 1)" $S0 -o consulta -k chave-aaa
  check 11 "$d" "$(w chave-aaa 2)" $S0 -o insere -k chave-aaa -v valor-aaa2

  # 12-13. final snapshots
  expect_eventually 12 "snapshot -e 0 @$S1 -> newest of the 4 keys" \
    "$(t chave-aaa valor-aaa2 2; t chave-bbb valor-bbb 1; t chave1 valor6 6; t chave99 valor555 5)" \
    $S1 -o snapshot -e 0
  expect_eventually 13 "snapshot -e 2 @$S0 -> chave-aaa 2, chave-bbb 1" \
    "$(t chave-aaa valor-aaa2 2; t chave-bbb valor-bbb 1)" $S0 -o snapshot -e 2
}

# A port nobody listens on (the one after the last server's, unless taken).
free_port() {
  local port=$((SERVER_PORTS[2] + 1))
  while port_open "$port"; do port=$((port + 1)); done
  echo "$port"
}

negative_checks() {
  check 14 "insere with a 2-char key @$S0 -> -1 (exit 1)" "$(w ab -1)" "$S0" -o insere -k ab -v valor
  check_exit 15 "usage error: insere-v with 2 keys and 1 value -> exit 2" 2 \
    "$S0" -o insere-v -k chave-x1 -k chave-x2 -v valor
  local port
  port=$(free_port)
  check_exit 16 "closed port $port -> exit 3" 3 "$port" -o consulta -k chave1
}

# --- main ------------------------------------------------------------------------

build
check_ports_free
ensure_broker
start_servers
scenario
negative_checks

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
