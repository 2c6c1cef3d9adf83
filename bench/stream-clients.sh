#!/bin/sh
# Heap per open upstream stream, by HTTP client: Helidon's WebClient as the gateway uses it
# (a reader thread and queue per stream) against the JDK's HttpClient with a push subscriber,
# STREAMS streams (default 2000) held open on loopback to a server in a child process.
# Bounded: STREAMS streams per client, ended once measured.
# Usage: bench/stream-clients.sh [STREAMS]
set -eu
. "$(dirname "$0")/build.sh"
exec "$JAVA_HOME/bin/java" -XX:+UseParallelGC -cp "$bench_classpath" dev.pitwall.bench.StreamClientBench "${1:-2000}"
