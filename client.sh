#!/usr/bin/env bash
# Runs the KVS command-line client, e.g.
#   ./client.sh -p 9000 -o insere -k chave1 -v valor1 --json
# or, with "bench" first, the benchmark tool (kvs-bench), e.g.
#   ./client.sh bench insere -p 9000,9001,9002 -c 16 -d 10s      (./client.sh bench --help)
# Extra JVM options can be passed in KVS_JAVA_OPTS.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$DIR/kvs-client/target/kvs-client-cli.jar"
ARGS=("$@")
if [[ ${1:-} == bench ]]; then
  JAR="$DIR/kvs-bench/target/kvs-bench.jar"
  ARGS=("${@:2}")
fi

if [[ ! -f $JAR ]]; then
  echo "client.sh: $JAR not found; run ./compile.sh first" >&2
  exit 1
fi

# Java decodes arguments in the locale's charset: make it UTF-8 so keys like "chave-ç" arrive intact.
case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
  *UTF-8* | *utf-8* | *UTF8* | *utf8*) ;;
  *) export LC_ALL=C.UTF-8 ;;
esac

# A one-shot CLI call lives a second: the quick compiler only, and the class-data-sharing
# archive that compile.sh makes (ignored, silently, when missing or stale). Not for the bench,
# whose measurements need the optimizing compiler.
quick=()
if [[ ${1:-} != bench ]]; then
  quick=(-XX:TieredStopAtLevel=1 -XX:SharedArchiveFile="$DIR/kvs-client/target/kvs-client-cli.jsa"
    -Xlog:cds=off -Xlog:cds+dynamic=off)
fi

# KVS_JAVA_OPTS is a whitespace-separated list of JVM options (split, not globbed); they come
# last, so they override the ones above.
read -r -a java_opts <<<"${KVS_JAVA_OPTS:-}"
exec java "${quick[@]}" "${java_opts[@]}" -jar "$JAR" "${ARGS[@]}"
