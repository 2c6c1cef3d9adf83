#!/bin/sh
# Acceptance-evaluation benchmark: writes a results folder of NODES nodes (default 250, four tool
# outputs each: 1,000 files) under target/bench/, three nodes faulty, and times
# `pitwall check evaluate` on it as JSON and as the HTML report, each in a fresh JVM.
# Usage: bench/acceptance.sh [NODES]
set -eu
. "$(dirname "$0")/build.sh"
results="$root/target/bench/acceptance"
rm -rf "$results"
trap 'rm -rf "$results"' EXIT
"$JAVA_HOME/bin/java" -cp "$bench_classpath" \
  dev.pitwall.bench.AcceptanceBench "$pitwall_jar" "${1:-250}" "$results"
