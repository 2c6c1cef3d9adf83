#!/bin/sh
# Gateway load benchmark on loopback: direct to a simulated engine, through Pitwall's gateway,
# and through nginx (apt-get install nginx-light) for comparison. Bounded: a few phases of
# SECONDS each (default 15); an empty RATES or STREAMS ("") skips those phases.
# Usage: bench/gateway.sh [SECONDS] [RATES] [STREAMS]
#   bench/gateway.sh 15 500,1000 100,500,2000
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/find-jdk.sh"
pitwall_find_jdk || exit 1
(cd "$root" && ./mvnw -B -q -DskipTests package -pl server,bench -am) >"$root/target/bench-build.log" 2>&1 \
  || { tail -n 40 "$root/target/bench-build.log" >&2; exit 1; }
# The gateway runs with the launcher's JVM options unless BENCH_GATEWAY_JAVA_OPTS says otherwise.
export BENCH_GATEWAY_JAVA_OPTS="${BENCH_GATEWAY_JAVA_OPTS-$PITWALL_DEFAULT_JAVA_OPTS}"
exec "$JAVA_HOME/bin/java" -cp "$root/bench/target/pitwall-bench-0.1.0-SNAPSHOT.jar:$root/bench/target/libs/*" \
  dev.pitwall.bench.GatewayBench "$root/server/target/pitwall.jar" "${1:-15}" "${2-500,1000}" "${3-100,500,2000}"
