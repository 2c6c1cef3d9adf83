#!/bin/sh
# Gateway protection benchmark on loopback: goodput and p99 latency of streams at 2x and 10x a
# simulated engine's capacity with adaptive concurrency on and off, then embeddings at 1, 16 and
# 64 concurrent callers with micro-batching on and off. Bounded: ten phases of SECONDS each
# (default 20). Everything runs in one JVM beside the simulated engine.
# Usage: bench/protection.sh [SECONDS]
set -eu
. "$(dirname "$0")/build.sh"
work="$root/target/bench/protection"
rm -rf "$work"
trap 'rm -rf "$work"' EXIT
"$JAVA_HOME/bin/java" -XX:+UseParallelGC -cp "$bench_classpath" dev.pitwall.bench.ProtectionBench "${1:-20}" "$work"
