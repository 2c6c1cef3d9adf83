#!/bin/sh
# A campaign's bookkeeping: NODES nodes (default 1000) through ROUNDS rounds (default 100), each
# round stored and every node checked for trends, then a restart's read-back, with the heap the
# history holds. Bounded: ROUNDS rounds on an SQLite store in a temporary folder, heap capped at 1 GiB.
# Usage: bench/campaign.sh [NODES] [ROUNDS]
set -eu
. "$(dirname "$0")/build.sh"
"$JAVA_HOME/bin/java" -Xmx1g -cp "$bench_classpath" dev.pitwall.bench.CampaignBench "${1:-1000}" "${2:-100}"
