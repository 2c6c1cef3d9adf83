# Sourced by the benchmark scripts (POSIX sh): finds a JDK 21+, builds the server and the
# benchmarks (log in target/bench-build.log), and sets root, pitwall_jar and bench_classpath.
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/.mvn/find-jdk.sh"
pitwall_find_jdk || exit 1
mkdir -p "$root/target"
(cd "$root" && ./mvnw -B -q -DskipTests package -pl server,bench -am) >"$root/target/bench-build.log" 2>&1 \
  || { tail -n 40 "$root/target/bench-build.log" >&2; exit 1; }
pitwall_jar="$root/server/target/pitwall.jar"
bench_classpath="$root/bench/target/pitwall-bench-0.1.0-SNAPSHOT.jar:$root/bench/target/libs/*"
