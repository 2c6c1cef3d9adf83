#!/bin/sh
# Detection benchmark: classification throughput on a generated mixed log of MEGABYTES (default
# 1024) against ripgrep (Debian package ripgrep) searching the same patterns, in-process and as the
# whole `./pitwall detect FILE` command (three runs under GNU time, Debian package time, for peak
# resident memory); then the delay from a line being written to its incident showing it (SAMPLES
# lines, default 20), through the node agent and a server on loopback; last, lines pushed to a
# server's /api/ingest/logs in batches of 20,000 (800,000 counted). Bounded: one pass over the file,
# SAMPLES lines, 60 batches. Files go under target/bench/.
# Usage: bench/detect.sh [MEGABYTES] [SAMPLES]
set -eu
command -v rg >/dev/null 2>&1 || { echo "bench/detect.sh: ripgrep is missing: apt-get install ripgrep" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/detect.sh: GNU time is missing: apt-get install time" >&2; exit 1; }
. "$(dirname "$0")/build.sh"
# The launcher's own build check and AOT cache training happen here, outside the timed runs.
"$root/pitwall" --version >/dev/null
work="$root/target/bench/detect"
rm -rf "$work"
trap 'rm -rf "$work"' EXIT
"$JAVA_HOME/bin/java" -cp "$bench_classpath" \
  dev.pitwall.bench.DetectBench "${1:-1024}" "${2:-20}" "$work" "$root/pitwall"
