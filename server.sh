#!/usr/bin/env bash
# Runs a KVS server:  ./server.sh <port> [--broker tcp://localhost:1883]
#   [--topic kvs/replication] [--id ID] [--log-level INFO] [--write-timeout 3s]
# Extra JVM options can be passed in KVS_JAVA_OPTS (e.g. KVS_JAVA_OPTS=-Xmx256m).
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$DIR/kvs-server/target/kvs-server.jar"

if [[ ! -f $JAR ]]; then
  echo "server.sh: $JAR not found; run ./compile.sh first" >&2
  exit 1
fi

# KVS_JAVA_OPTS is a whitespace-separated list of JVM options (split, not globbed).
read -r -a java_opts <<<"${KVS_JAVA_OPTS:-}"
exec java "${java_opts[@]}" -jar "$JAR" "$@"
