#!/bin/sh
# Start-up of short commands and the size of the runtime image. Runs `pitwall --version`,
# `pitwall --help`, `pitwall detect` on a one-line log and `pitwall plan compat` RUNS times each
# (default 10) on the plain JVM and with the AOT cache (JDK 25+) or CDS archive the launcher
# makes, and prints the median and the range; then cuts the jlink runtime of the container
# image and prints its size beside the JDK's.
# Usage: bench/startup.sh [RUNS]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/find-jdk.sh"
pitwall_find_jdk
runs=${1:-10}
"$root/pitwall" --version >/dev/null   # builds when needed, and makes the class-data cache
jar="$root/server/target/pitwall.jar"
java="$JAVA_HOME/bin/java"
opts=$PITWALL_DEFAULT_JAVA_OPTS
cache=$(ls "$root"/target/pitwall-*.aot "$root"/target/pitwall-*.jsa 2>/dev/null | head -n 1)
case "$cache" in
  *.aot) cached="-XX:AOTCache=$cache" ;;
  *.jsa) cached="-XX:SharedArchiveFile=$cache" ;;
  *) cached="" ;;
esac

# Prints "median (min–max) s" of RUNS runs of the command line given.
time_runs() {
  i=0
  : > "$root/target/startup-times"
  while [ "$i" -lt "$runs" ]; do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 )) >> "$root/target/startup-times"
    i=$((i + 1))
  done
  sort -n "$root/target/startup-times" | awk '{a[NR]=$1} END {printf "%.2f s (%.2f–%.2f)", a[int((NR+1)/2)]/1000, a[1]/1000, a[NR]/1000}'
}

log="$root/target/bench/startup-kern.log"
mkdir -p "${log%/*}"
echo "[Sun Feb 23 16:24:18 2025] NVRM: Xid (PCI:0000:9b:00): 79, pid=1, name=python, GPU has fallen off the bus." > "$log"

echo "JDK $JAVA_HOME, $runs runs each; plain JVM, then with ${cache##*/}"
# Prints one row: the command's name, then its times on the plain JVM and with the cache.
row() {
  name=$1
  shift
  # shellcheck disable=SC2086
  printf '  %-13s %s   %s\n' "$name" "$(time_runs "$java" $opts -jar "$jar" "$@")" \
    "$(time_runs "$java" $opts $cached -jar "$jar" "$@")"
}
row "--version" --version
row "--help" --help
row "detect" detect "$log"
row "plan compat" plan compat --gpu h100-sxm

runtime="$root/target/bench/runtime"
"$root/deploy/docker/jlink-runtime.sh" "$runtime" >/dev/null 2>&1
echo "runtime image: $(du -sh "$runtime" | cut -f1) (jlink, $(tr ',' '\n' < "$runtime/pitwall-modules.txt" | sort -u | wc -l) modules)," \
  "the JDK: $(du -sh "$JAVA_HOME" | cut -f1), the jar and its libraries: $(du -shc "$jar" "$root/server/target/libs" | tail -n 1 | cut -f1)"
