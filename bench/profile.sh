#!/bin/sh
# Profile-analysis benchmark: writes a generated PyTorch profiler trace of MEGABYTES (default
# 1024) under target/bench/, analyses it with `pitwall plan profile` in a JVM limited to HEAP
# (default 256m), and prints throughput, peak RSS and the breakdown against the known one.
# Usage: bench/profile.sh [MEGABYTES] [HEAP]
set -eu
. "$(dirname "$0")/build.sh"
trace="$root/target/bench/trace.json"
trap 'rm -f "$trace"' EXIT
"$JAVA_HOME/bin/java" -cp "$bench_classpath" \
  dev.pitwall.bench.ProfileBench "$pitwall_jar" "${1:-1024}" "${2:-256m}" "$trace"
