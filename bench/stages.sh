#!/bin/sh
# Per-stage benchmarks of the gateway's request path (JMH): authentication lookup, parsing the
# request, the contract check, routing, the upstream body, metrics, and per chunk of a stream the
# SSE framing and the relay's work. Time per operation and, with the gc profiler, bytes allocated
# per operation. Bounded: 3 warm-up and 5 measured iterations of 2 s per benchmark, one fork.
# Usage: bench/stages.sh [JMH OPTIONS]   e.g. bench/stages.sh GatewayStages.contractCheck -f 3
set -eu
. "$(dirname "$0")/build.sh"
exec "$JAVA_HOME/bin/java" -cp "$bench_classpath" org.openjdk.jmh.Main -prof gc \
  -rf json -rff "$root/target/bench/stages.json" "${@:-GatewayStages}"
