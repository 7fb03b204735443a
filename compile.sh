#!/usr/bin/env bash
# Builds KVS: makes sure Java 17+, Maven and Mosquitto are installed (installing
# them with apt-get on Debian/Ubuntu when missing), then builds the runnable jars
#   kvs-server/target/kvs-server.jar, kvs-client/target/kvs-client-cli.jar and
#   kvs-bench/target/kvs-bench.jar (./client.sh bench)
# with Maven, unless they are already newer than every source file.
#
# Usage: ./compile.sh [--force]     (--force rebuilds even when nothing changed)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

readonly SERVER_JAR=kvs-server/target/kvs-server.jar
readonly CLIENT_JAR=kvs-client/target/kvs-client-cli.jar
readonly BENCH_JAR=kvs-bench/target/kvs-bench.jar
# Class-data-sharing archive of the CLI's classes: ./client.sh starts in about 1 s instead of 1.5.
readonly CLIENT_CDS=kvs-client/target/kvs-client-cli.jsa
readonly MIN_JAVA=17

say() { echo "compile.sh: $*"; }
die() { echo "compile.sh: ERROR: $*" >&2; exit 1; }

FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h|--help) echo "usage: $0 [--force]"; exit 0 ;;
    *) die "unknown argument '$arg' (usage: $0 [--force])" ;;
  esac
done

# --- package installation (Debian/Ubuntu only) -------------------------------

APT_UPDATED=0

# apt_install PKG... : installs packages with apt-get, as root or through sudo.
# Returns 1 (without installing) when this is not an apt-based system.
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  local -a as_root=()
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "need root to install $*: run as root or install sudo"
    as_root=(sudo)
  fi
  # Refresh the package lists once, and only when something must be installed.
  if [[ $APT_UPDATED -eq 0 ]]; then
    say "running apt-get update"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      || die "apt-get update failed"
    APT_UPDATED=1
  fi
  say "installing $* with apt-get"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
    || die "apt-get install $* failed"
}

# major_version "<tool -version output>" : prints the major version (8 for 1.8.x).
major_version() {
  local v
  v=$(sed -nE 's/.*(version "|javac )([0-9]+)(\.([0-9]+))?.*/\2.\4/p' <<<"$1" | head -n1)
  v=${v%.}
  if [[ $v == 1.* ]]; then v=${v#1.}; fi   # old scheme: 1.8 -> 8
  echo "${v%%.*}"
}

# java_ok : true when both java and javac on the PATH are version 17 or newer
# (Maven needs the JDK's compiler, not just a runtime).
java_ok() {
  command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 || return 1
  local jv cv
  jv=$(major_version "$(java -version 2>&1)")
  cv=$(major_version "$(javac -version 2>&1)")
  [[ -n $jv && -n $cv && $jv -ge $MIN_JAVA && $cv -ge $MIN_JAVA ]]
}

ensure_java() {
  java_ok && return 0
  apt_install openjdk-17-jdk-headless \
    || die "Java $MIN_JAVA+ JDK (java and javac) not found: install a JDK $MIN_JAVA or newer (e.g. OpenJDK 17) and put it on the PATH"
  if ! java_ok; then
    # Installed, but an older JDK is still the default: use the 17 one for this build.
    local jdk
    for jdk in /usr/lib/jvm/java-17-openjdk-*; do
      if [[ -x $jdk/bin/javac ]]; then
        export JAVA_HOME=$jdk PATH="$jdk/bin:$PATH"
        say "using $jdk (the default java is older; 'update-alternatives --config java' changes it)"
        break
      fi
    done
  fi
  java_ok || die "Java $MIN_JAVA+ still not available after installing openjdk-17-jdk-headless"
}

ensure_maven() {
  command -v mvn >/dev/null 2>&1 && return 0
  apt_install maven || die "Maven (mvn) not found: install Apache Maven 3.8 or newer"
  command -v mvn >/dev/null 2>&1 || die "mvn still not found after installing maven"
}

# Mosquitto is not needed to build, but ./teste.sh and the servers need a broker.
ensure_mosquitto() {
  local need=()
  [[ -x /usr/sbin/mosquitto ]] || command -v mosquitto >/dev/null 2>&1 || need+=(mosquitto)
  command -v mosquitto_sub >/dev/null 2>&1 || need+=(mosquitto-clients)
  # scripts/dev-certs.sh (TLS for development, and the tests) makes certificates with openssl.
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  [[ ${#need[@]} -eq 0 ]] && return 0
  apt_install "${need[@]}" \
    || die "${need[*]} not found: install the Mosquitto MQTT broker and its clients (needed by ./teste.sh and the servers)"
}

# --- build ---------------------------------------------------------------------

# up_to_date : true when every jar exists and no source, proto or pom.xml file is
# newer than the oldest jar.
up_to_date() {
  [[ -f $SERVER_JAR && -f $CLIENT_JAR && -f $BENCH_JAR ]] || return 1
  local oldest=$SERVER_JAR jar
  for jar in "$CLIENT_JAR" "$BENCH_JAR"; do
    if [[ $jar -ot $oldest ]]; then oldest=$jar; fi
  done
  local -a roots=(pom.xml)
  local p
  for p in proto kvs-*/src kvs-*/pom.xml; do
    [[ -e $p ]] && roots+=("$p")
  done
  local newer
  newer=$(find "${roots[@]}" -name target -prune -o -type f -newer "$oldest" -print -quit)
  [[ -z $newer ]]
}

# make_cds_archive : records the classes one client call loads (against a port nobody listens
# on) into $CLIENT_CDS, when it is missing or older than the client jar. The archive is only a
# speed-up: client.sh runs the same without it, or with one a later rebuild made stale.
make_cds_archive() {
  [[ -f $CLIENT_CDS && ! $CLIENT_CDS -ot $CLIENT_JAR ]] && return 0
  rm -f "$CLIENT_CDS"
  java -XX:ArchiveClassesAtExit="$CLIENT_CDS" -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$CLIENT_JAR" \
    -p 1 -o consulta -k chave1 --deadline 300ms >/dev/null 2>&1 || true
  [[ -f $CLIENT_CDS ]] && say "made $CLIENT_CDS (faster ./client.sh start)"
  return 0
}

ensure_java
ensure_maven
ensure_mosquitto

if [[ $FORCE -eq 0 ]] && up_to_date; then
  make_cds_archive
  say "jars are up to date, nothing to build (--force rebuilds)"
  exit 0
fi

say "building with 'mvn -B -q -DskipTests install'"
mvn -B -q -DskipTests install || die "Maven build failed (see the output above)"
[[ -f $SERVER_JAR ]] || die "build finished but $SERVER_JAR is missing"
[[ -f $CLIENT_JAR ]] || die "build finished but $CLIENT_JAR is missing"
[[ -f $BENCH_JAR ]] || die "build finished but $BENCH_JAR is missing"
# Maven may leave an unchanged jar untouched; mark them all as fresh for up_to_date.
touch "$SERVER_JAR" "$CLIENT_JAR" "$BENCH_JAR"
say "built $SERVER_JAR, $CLIENT_JAR and $BENCH_JAR"
make_cds_archive
