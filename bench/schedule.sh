#!/bin/sh
# Scheduling simulator speed: JOBS synthetic jobs (default 100000) on 6,496 GPUs, every policy
# replayed once on one core (the JVM limited to one processor). Bounded: one replay per policy.
# Usage: bench/schedule.sh [JOBS]
set -eu
. "$(dirname "$0")/build.sh"
"$JAVA_HOME/bin/java" -XX:+UseSerialGC -XX:ActiveProcessorCount=1 -cp "$bench_classpath" \
  dev.pitwall.bench.ScheduleBench "${1:-100000}"
