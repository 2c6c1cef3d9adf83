#!/bin/sh
# Gateway load benchmark on loopback: direct to a simulated engine, through Pitwall's gateway,
# and through nginx (apt-get install nginx-light) for comparison. Bounded: a few phases of
# SECONDS each (default 15); an empty RATES, STREAMS or HELD ("") skips those phases.
# Usage: bench/gateway.sh [SECONDS] [RATES] [STREAMS] [HELD]
#   bench/gateway.sh 15 500,1000 100,500,2000 2000
set -eu
. "$(dirname "$0")/build.sh"
# The gateway runs with the launcher's JVM options unless BENCH_GATEWAY_JAVA_OPTS says otherwise.
export BENCH_GATEWAY_JAVA_OPTS="${BENCH_GATEWAY_JAVA_OPTS-$PITWALL_DEFAULT_JAVA_OPTS}"
exec "$JAVA_HOME/bin/java" -cp "$bench_classpath" \
  dev.pitwall.bench.GatewayBench "$pitwall_jar" "${1:-15}" "${2-500,1000}" "${3-100,500,2000}" "${4-2000}"
