#!/bin/sh
# Acceptance-evaluation benchmark: writes a results folder of NODES nodes (default 250, four tool
# outputs each: 1,000 files) under target/bench/, three nodes faulty, and times
# `pitwall check evaluate` on it as JSON and as the HTML report, each in a fresh JVM.
# Usage: bench/acceptance.sh [NODES]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/find-jdk.sh"
pitwall_find_jdk || exit 1
mkdir -p "$root/target"
(cd "$root" && ./mvnw -B -q -DskipTests package -pl server,bench -am) >"$root/target/bench-build.log" 2>&1 \
  || { tail -n 40 "$root/target/bench-build.log" >&2; exit 1; }
results="$root/target/bench/acceptance"
rm -rf "$results"
trap 'rm -rf "$results"' EXIT
"$JAVA_HOME/bin/java" -cp "$root/bench/target/pitwall-bench-0.1.0-SNAPSHOT.jar:$root/bench/target/libs/*" \
  dev.pitwall.bench.AcceptanceBench "$root/server/target/pitwall.jar" "${1:-250}" "$results"
