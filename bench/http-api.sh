#!/usr/bin/env bash
# HTTP API figures of the dev agent (issue 3):
#   - wrk (Debian package 'wrk'): PUT and GET /v1/kv with 16 connections, requests/s and p99;
#   - 10,000 blocking queries on distinct keys held open: agent threads, RSS and heap, and the
#     write-to-wake latency of one waiter (bench/LongPollBench.java).
# Usage: bench/http-api.sh [seconds-per-wrk-run]     (build first: mvn -q -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
port=18588
command -v wrk >/dev/null || { echo "install wrk first: apt-get install -y wrk" >&2; exit 2; }
bin/tribune agent -dev -http-port "$port" -grpc-port -1 -dns-port -1 -log-level warn >/tmp/tribune-bench-agent.log 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  out=$(curl -s -m 1 "127.0.0.1:$port/v1/status/leader" || true)
  [ "${#out}" -gt 2 ] && break
  sleep 0.05
done
curl -s -X PUT -d "$(head -c 128 /dev/zero | tr '\0' x)" "127.0.0.1:$port/v1/kv/bench/get" >/dev/null
echo "== wrk PUT /v1/kv (128-byte values, distinct keys), 16 connections, ${secs}s"
wrk -t2 -c16 -d"${secs}s" --latency -s bench/kv-put.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|99%|50%|Non-2xx"
echo "== wrk GET /v1/kv/bench/get (default consistency), 16 connections, ${secs}s"
wrk -t2 -c16 -d"${secs}s" --latency "http://127.0.0.1:$port/v1/kv/bench/get" | grep -E "Requests/sec|99%|50%|Non-2xx"
echo "== wrk GET /v1/kv/bench/get?stale, 16 connections, ${secs}s"
wrk -t2 -c16 -d"${secs}s" --latency "http://127.0.0.1:$port/v1/kv/bench/get?stale" | grep -E "Requests/sec|99%|50%|Non-2xx"
echo "== 10,000 blocking queries on distinct keys"
java bench/LongPollBench.java "$port" "$pid" 10000 30
