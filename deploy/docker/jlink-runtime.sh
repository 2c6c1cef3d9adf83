#!/bin/sh
# Builds a Java runtime holding only the JDK modules Pitwall uses, for the container image:
#   deploy/docker/jlink-runtime.sh OUTPUT_DIR
# The modules are those jdeps finds in the server jar and its libraries, plus those reached
# only by reflection or service loading (jdeps cannot see them): Flight Recorder's and the
# management beans' modules, zip file systems, DNS and jdk.unsupported.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/.mvn/find-jdk.sh"
pitwall_find_jdk
out=${1:?usage: jlink-runtime.sh OUTPUT_DIR}
jar="$root/server/target/pitwall.jar"
[ -f "$jar" ] || { echo "no $jar: build first (./mvnw -B -DskipTests package)" >&2; exit 1; }
found=$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 21 \
  --class-path "$root/server/target/libs/*" "$jar")
modules="$found,jdk.jfr,jdk.management,jdk.management.jfr,jdk.zipfs,jdk.naming.dns,jdk.unsupported,jdk.crypto.ec"
# jdk.crypto.ec is folded into java.base from JDK 22 on; keep it only where it exists.
"$JAVA_HOME/bin/java" --list-modules | grep -q '^jdk.crypto.ec@' || modules=$(echo "$modules" | sed 's/,jdk.crypto.ec//')
rm -rf "$out"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress zip-6 --output "$out"
echo "$modules" > "$out/pitwall-modules.txt"
echo "runtime in $out: $(du -sh "$out" | cut -f1) ($modules)"
