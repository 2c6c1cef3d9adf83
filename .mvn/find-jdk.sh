# Finds a JDK 21 or newer for Pitwall; sourced by ./pitwall, ./mvnw and .ci/run (POSIX sh).
# pitwall_find_jdk looks at JAVA_HOME, then the java on PATH, then /usr/lib/jvm/*, and exports
# JAVA_HOME as the first JDK (java and javac) of version 21 or newer; the newest one wins in
# /usr/lib/jvm. When none is found it says what it saw and what to install, and returns 1.
# PITWALL_DEFAULT_JAVA_OPTS (at the end) are the JVM options the launcher and benchmarks use.

pitwall_java_major() {
  # The release file answers without starting a JVM; older layouts need the JVM itself.
  if [ -r "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" | head -n 1
  else
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
  fi
}

pitwall_jdk_ok() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  pitwall_major=$(pitwall_java_major "$1")
  [ -n "$pitwall_major" ] && [ "$pitwall_major" -ge 21 ]
}

pitwall_find_jdk() {
  pitwall_seen=""
  if [ -n "${JAVA_HOME-}" ]; then
    if pitwall_jdk_ok "$JAVA_HOME"; then
      export JAVA_HOME
      return 0
    fi
    pitwall_seen="JAVA_HOME=$JAVA_HOME (version ${pitwall_major:-unknown})"
  fi
  pitwall_java=$(command -v java 2>/dev/null || true)
  if [ -n "$pitwall_java" ]; then
    pitwall_home=$(dirname "$(dirname "$(readlink -f "$pitwall_java")")")
    if pitwall_jdk_ok "$pitwall_home"; then
      JAVA_HOME=$pitwall_home
      export JAVA_HOME
      return 0
    fi
    pitwall_seen="${pitwall_seen:+$pitwall_seen, }java on PATH in $pitwall_home (version ${pitwall_major:-unknown})"
  fi
  pitwall_best=""
  pitwall_best_major=0
  for pitwall_name in $(ls /usr/lib/jvm 2>/dev/null); do
    pitwall_home="/usr/lib/jvm/$pitwall_name"
    if [ ! -L "$pitwall_home" ] && pitwall_jdk_ok "$pitwall_home" && [ "$pitwall_major" -gt "$pitwall_best_major" ]; then
      pitwall_best=$pitwall_home
      pitwall_best_major=$pitwall_major
    fi
  done
  if [ -n "$pitwall_best" ]; then
    JAVA_HOME=$pitwall_best
    export JAVA_HOME
    return 0
  fi
  {
    echo "Pitwall needs a JDK 21 or newer (java and javac), and none was found."
    echo "  Looked at: ${pitwall_seen:-no JAVA_HOME, no java on PATH}, and /usr/lib/jvm/*."
    echo "  Install one, for example Temurin 21 or 25 (https://adoptium.net; apt package temurin-21-jdk)"
    echo "  or your distribution's openjdk-21-jdk, then run again or set JAVA_HOME to it."
  } >&2
  return 1
}

# The JVM options Pitwall runs with when PITWALL_JAVA_OPTS is not set: the parallel collector
# with a young generation held to 256 MiB. On two cores G1's concurrent work cost the gateway
# about 0.1 core and 0.4 ms of added median latency at 1,000 requests/s, and the parallel
# collector left to size the young generation itself grew it until single collections paused
# for up to 0.1 s (bench/gateway.sh; README, "Performance").
PITWALL_DEFAULT_JAVA_OPTS="-XX:+UseParallelGC -Xmn256m"
