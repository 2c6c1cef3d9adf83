#!/bin/sh
# Profile-analysis benchmark: writes a generated PyTorch profiler trace of MEGABYTES (default
# 1024) under target/bench/, analyses it with `pitwall plan profile` in a JVM limited to HEAP
# (default 256m), and prints throughput, peak RSS and the breakdown against the known one.
# Usage: bench/profile.sh [MEGABYTES] [HEAP]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/find-jdk.sh"
pitwall_find_jdk || exit 1
mkdir -p "$root/target"
(cd "$root" && ./mvnw -B -q -DskipTests package -pl server,bench -am) >"$root/target/bench-build.log" 2>&1 \
  || { tail -n 40 "$root/target/bench-build.log" >&2; exit 1; }
trace="$root/target/bench/trace.json"
trap 'rm -f "$trace"' EXIT
"$JAVA_HOME/bin/java" -cp "$root/bench/target/pitwall-bench-0.1.0-SNAPSHOT.jar:$root/bench/target/libs/*" \
  dev.pitwall.bench.ProfileBench "$root/server/target/pitwall.jar" "${1:-1024}" "${2:-256m}" "$trace"
