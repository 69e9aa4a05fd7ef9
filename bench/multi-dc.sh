#!/usr/bin/env bash
# Two datacenters on loopback (127.0.15.0/24, Consul's default ports on each address): dc1 has a
# server and a client agent, dc2 one server, federated through the WAN pool. Prints the latency of a
# KV read through dc1's client agent, local and with ?dc=dc2 (p50/p99 and the extra), then SIGKILLs
# dc2's server and prints how long reads for dc2 take to fail, and local reads meanwhile.
# Usage: bench/multi-dc.sh [samples]     (build first: mvn -q -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
samples="${1:-5000}"
net="${BENCH_NET:-127.0.15}"
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 2; }
dir=$(mktemp -d /tmp/tribune-multi-dc.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
agent() { # name ip dc args...
  local name=$1 ip=$2 dc=$3; shift 3
  bin/tribune agent -node "$name" -datacenter "$dc" -bind "$ip" -client "$ip" -data-dir "$dir/$name" \
    -retry-interval 1s -log-level warn "$@" >"$dir/$name.log" 2>&1 &
  pids+=($!)
  echo $! >"$dir/$name.pid"
}
wait_for() { # url what
  for _ in $(seq 1 1200); do
    out=$(curl -s -m 1 "$1" 2>/dev/null || true)
    if [ "${#out}" -gt 2 ] && [ "$out" != "No cluster leader" ]; then return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for $2" >&2; tail -50 "$dir"/*.log >&2; exit 1
}
agent d1-server "$net.1" dc1 -server -bootstrap-expect 1
agent d1-client "$net.2" dc1 -retry-join "$net.1"
agent d2-server "$net.11" dc2 -server -bootstrap-expect 1 -retry-join-wan "$net.1" -retry-interval-wan 1s
wait_for "http://$net.1:8500/v1/status/leader" "dc1's leader"
wait_for "http://$net.11:8500/v1/status/leader" "dc2's leader"
wait_for "http://$net.2:8500/v1/status/leader" "dc1's client"
for _ in $(seq 1 600); do
  if curl -s "http://$net.2:8500/v1/catalog/datacenters" | grep -q dc2; then break; fi
  sleep 0.1
done
curl -sf -X PUT -d "$(head -c 128 /dev/zero | tr '\0' v)" "http://$net.2:8500/v1/kv/bench/k" >/dev/null
curl -sf -X PUT -d "$(head -c 128 /dev/zero | tr '\0' v)" "http://$net.2:8500/v1/kv/bench/k?dc=dc2" >/dev/null
echo "multi-dc bench $(date -u +%FT%TZ) samples=$samples load=$(cut -d' ' -f1-3 /proc/loadavg)"
java bench/MultiDcBench.java "$net.2:8500" "$(cat "$dir/d2-server.pid")" "$samples"
