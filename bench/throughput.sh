#!/bin/sh
# Gateway throughput on loopback, closed loop: wrk (Debian package wrk) keeps CONNECTIONS requests
# in flight for SECONDS against an upstream answering a fixed OpenAI chat completion (nginx, as an
# engine that costs next to nothing), then through nginx as a plain reverse proxy, then through
# Pitwall's gateway (API key, contract check, routing, metrics, access log). Each target is warmed
# up first (the gateway for WARMUP seconds, for its JIT); the CPU seconds each proxy used are read
# from /proc, so CPU per request is its own, not wrk's or the upstream's.
# Bounded: one phase of SECONDS per target and count, after warm-ups of WARMUP seconds (the gateway)
# and 5 s (nginx); then everything it started stops.
# Usage: bench/throughput.sh [SECONDS] [CONNECTIONS] [WARMUP]
#   bench/throughput.sh 10 64,8 40
set -eu
command -v wrk >/dev/null 2>&1 || { echo "bench/throughput.sh: wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -x /usr/sbin/nginx ] || { echo "bench/throughput.sh: nginx is missing: apt-get install nginx-light" >&2; exit 1; }
. "$(dirname "$0")/build.sh"
seconds=${1:-10}
counts=$(echo "${2:-64,8}" | tr ',' ' ')
warmup=${3:-40}
work="$root/target/bench/throughput"
rm -rf "$work"
mkdir -p "$work/logs"
pids=""
cleanup() {
  for pid in $pids; do kill "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# Free ports from the kernel: bind to 0, read what was given.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
upstream=$(port); proxy=$(port); gateway=$(port)
answer='{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}'

# One nginx, one worker a role: the upstream and the reverse proxy.
cat > "$work/nginx.conf" <<EOF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/logs/nginx-error.log warn;
events { worker_connections 16384; }
http {
  client_body_temp_path $work/body;
  proxy_temp_path $work/proxy;
  upstream engine { server 127.0.0.1:$upstream; keepalive 256; }
  server {
    listen 127.0.0.1:$upstream;
    access_log off;
    keepalive_requests 1000000;
    location / { default_type application/json; return 200 '$answer'; }
  }
  server {
    listen 127.0.0.1:$proxy;
    access_log $work/logs/nginx-access.log;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://engine;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
/usr/sbin/nginx -p "$work" -c "$work/nginx.conf"

admin_key=bench-admin-key-0123456789
cat > "$work/pitwall.yaml" <<EOF
data-dir: $work/data
server:
  port: $gateway
gateway:
  backends:
    - name: upstream
      url: http://127.0.0.1:$upstream/v1
      kind: openai
      models: [bench]
      max-in-flight: 10000
      # The proxy's own cost is measured here, so no limit of its own gets in the way.
      concurrency: {algorithm: fixed}
EOF
# shellcheck disable=SC2086 # the options are several on purpose
PITWALL_GATEWAY_ADMIN_KEY=$admin_key "$JAVA_HOME/bin/java" ${BENCH_GATEWAY_JAVA_OPTS-$PITWALL_DEFAULT_JAVA_OPTS} \
  -jar "$pitwall_jar" serve --config "$work/pitwall.yaml" > "$work/logs/gateway.log" 2>&1 &
gateway_pid=$!
pids="$gateway_pid"
i=0
until curl -sf "http://127.0.0.1:$gateway/health/ready" >/dev/null; do
  i=$((i + 1))
  [ "$i" -lt 240 ] || { echo "the gateway did not start; see $work/logs/gateway.log" >&2; exit 1; }
  sleep 0.25
done
key=$(curl -sf -X POST -H "Authorization: Bearer $admin_key" -d '{"tenant":"bench"}' \
  "http://127.0.0.1:$gateway/admin/api/keys" | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')

cat > "$work/chat.lua" <<'EOF'
wrk.method = "POST"
wrk.body = '{"model":"bench","messages":[{"role":"user","content":"Say hello"}],"max_tokens":1}'
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("BENCH_KEY")
if key and key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end
EOF

ticks=$(getconf CLK_TCK)
# CPU ticks (user + system) of a process and its threads so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# The nginx worker serving a port's connections cannot be told apart; nginx's CPU is its workers'.
nginx_ticks() { for p in $(pgrep -P "$(cat "$work/nginx.pid")"); do cpu_ticks "$p"; done | awk '{t += $1} END {print t}'; }

# Runs wrk against URL with KEY at each count; prints a row a count. $4 says whose CPU to count.
measure() {
  name=$1 target=$2 bench_key=$3 whose=$4
  for c in $counts; do
    before=$($whose)
    out=$(BENCH_KEY=$bench_key wrk -t2 -c"$c" -d"${seconds}s" --latency -s "$work/chat.lua" "$target")
    after=$($whose)
    echo "$out" > "$work/logs/wrk-$name-$c.txt"
    echo "$out" | awk -v name="$name" -v c="$c" -v cpu="$((after - before))" -v ticks="$ticks" '
      function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
      /requests in/ { n = $1 }
      /Requests\/sec/ { rps = $2 }
      $1 == "50%" { p50 = ms($2) }
      $1 == "99%" { p99 = ms($2) }
      /Non-2xx|Socket errors/ { errors += $NF }
      END {
        per = cpu > 0 && n > 0 ? sprintf("%8.0f", cpu / ticks * 1e6 / n) : "       -"
        printf "%-10s %5d %10.0f %9.2f %9.2f %8d %s\n", name, c, rps, p50, p99, errors, per
      }'
  done
}
gateway_ticks() { cpu_ticks "$gateway_pid"; }

path=/v1/chat/completions
BENCH_KEY=$key wrk -t2 -c64 -d"${warmup}s" -s "$work/chat.lua" "http://127.0.0.1:$gateway$path" >/dev/null
wrk -t2 -c64 -d5s -s "$work/chat.lua" "http://127.0.0.1:$proxy$path" >/dev/null

echo "Closed-loop non-streamed chat, wrk -t2, ${seconds} s a row, $(nproc) cores, JDK $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1 | cut -d'"' -f2)"
echo "target     conns      req/s    p50 ms    p99 ms   errors  cpu us/req"
measure upstream "http://127.0.0.1:$upstream$path" "" nginx_ticks
measure nginx "http://127.0.0.1:$proxy$path" "" nginx_ticks
measure gateway "http://127.0.0.1:$gateway$path" "$key" gateway_ticks
echo "(cpu: the upstream row is the upstream's own; the nginx row is the proxy's and the upstream's, one nginx serving both; resident memory of the gateway: $(awk '/VmRSS/ {printf "%d MiB", $2 / 1024}' "/proc/$gateway_pid/status"))"
