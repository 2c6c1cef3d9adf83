#!/bin/sh
# Detection benchmark: classification throughput on a generated mixed log of MEGABYTES (default
# 1024) against ripgrep (Debian package ripgrep) searching the same patterns, then the delay from a
# line being written to its incident showing it (SAMPLES lines, default 20), through the node agent
# and a server on loopback. Bounded: one pass over the file, SAMPLES lines. Files go under target/bench/.
# Usage: bench/detect.sh [MEGABYTES] [SAMPLES]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/find-jdk.sh"
pitwall_find_jdk || exit 1
command -v rg >/dev/null 2>&1 || { echo "bench/detect.sh: ripgrep is missing: apt-get install ripgrep" >&2; exit 1; }
mkdir -p "$root/target"
(cd "$root" && ./mvnw -B -q -DskipTests package -pl server,bench -am) >"$root/target/bench-build.log" 2>&1 \
  || { tail -n 40 "$root/target/bench-build.log" >&2; exit 1; }
work="$root/target/bench/detect"
rm -rf "$work"
trap 'rm -rf "$work"' EXIT
"$JAVA_HOME/bin/java" -cp "$root/bench/target/pitwall-bench-0.1.0-SNAPSHOT.jar:$root/bench/target/libs/*" \
  dev.pitwall.bench.DetectBench "${1:-1024}" "${2:-20}" "$work"
