#!/bin/sh
# The image's entry point: Pitwall's command line on the bundled runtime, with
# PITWALL_JAVA_OPTS (default: the launcher's) and the class-data archive made at build time.
set -eu
opts=${PITWALL_JAVA_OPTS:-"-XX:+UseParallelGC -Xmn256m"}
# shellcheck disable=SC2086 # several options on purpose
exec /opt/pitwall/runtime/bin/java $opts -XX:SharedArchiveFile=/opt/pitwall/pitwall.jsa -Xshare:auto \
  -jar /opt/pitwall/pitwall.jar "$@"
