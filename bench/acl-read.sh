#!/usr/bin/env bash
# ACL cost on reads (issue 13): wrk GET /v1/kv/bench/get with 64 connections against two dev
# agents of the same build started side by side: one with ACLs off, one with ACLs on
# (default_policy deny) read with a token whose policy allows key_prefix "bench/" read (resolved
# once, then served from the resolver's cache). Runs off, on, off, on and prints requests/s of
# each and the figure: mean(on) / mean(off) (target >= 0.9).
# Usage: bench/acl-read.sh [seconds-per-wrk-run]     (build first: mvn -q -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
off_port=18591
on_port=18592
root="bench-acl-root-$$"
command -v wrk >/dev/null || { echo "install wrk first: apt-get install -y wrk" >&2; exit 2; }
bin/tribune agent -dev -node bench-off -http-port "$off_port" -grpc-port -1 -dns-port -1 -server-port 18593 \
  -log-level warn >/tmp/tribune-bench-acl-off.log 2>&1 &
off_pid=$!
cfg=$(mktemp --suffix=.json)
printf '{"acl": {"enabled": true, "default_policy": "deny", "tokens": {"master": "%s"}}}' "$root" >"$cfg"
bin/tribune agent -dev -node bench-on -config-file "$cfg" -http-port "$on_port" -grpc-port -1 -dns-port -1 \
  -server-port 18594 -log-level warn >/tmp/tribune-bench-acl-on.log 2>&1 &
on_pid=$!
trap 'kill -TERM $off_pid $on_pid 2>/dev/null || true; wait $off_pid $on_pid 2>/dev/null || true; rm -f "$cfg"' EXIT
for port in $off_port $on_port; do
  for _ in $(seq 1 600); do
    out=$(curl -s -m 1 -H "X-Consul-Token: $root" "127.0.0.1:$port/v1/status/leader" || true)
    [ "${#out}" -gt 2 ] && break
    sleep 0.05
  done
done
value=$(head -c 128 /dev/zero | tr '\0' x)
curl -sf -X PUT -d "$value" "127.0.0.1:$off_port/v1/kv/bench/get" >/dev/null
curl -sf -X PUT -H "X-Consul-Token: $root" -d "$value" "127.0.0.1:$on_port/v1/kv/bench/get" >/dev/null
curl -sf -X PUT -H "X-Consul-Token: $root" "127.0.0.1:$on_port/v1/acl/policy" \
  -d '{"Name": "bench", "Rules": "key_prefix \"bench/\" { policy = \"read\" }"}' >/dev/null
token=$(curl -sf -X PUT -H "X-Consul-Token: $root" "127.0.0.1:$on_port/v1/acl/token" \
  -d '{"Description": "bench reader", "Policies": [{"Name": "bench"}]}' | sed -E 's/.*"SecretID":"([^"]+)".*/\1/')
# The token reads, and the anonymous token does not.
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Consul-Token: $token" "127.0.0.1:$on_port/v1/kv/bench/get")" = 200 ]
[ "$(curl -s -o /dev/null -w '%{http_code}' "127.0.0.1:$on_port/v1/kv/bench/get")" = 403 ]
run() { # port [header]
  if [ -n "${2:-}" ]; then
    wrk -t2 -c64 -d"${secs}s" -H "$2" "http://127.0.0.1:$1/v1/kv/bench/get" | awk '/Requests\/sec/ {print $2}'
  else
    wrk -t2 -c64 -d"${secs}s" "http://127.0.0.1:$1/v1/kv/bench/get" | awk '/Requests\/sec/ {print $2}'
  fi
}
# Warm both JVMs first.
run $off_port >/dev/null
run $on_port "X-Consul-Token: $token" >/dev/null
off1=$(run $off_port); on1=$(run $on_port "X-Consul-Token: $token")
off2=$(run $off_port); on2=$(run $on_port "X-Consul-Token: $token")
echo "== GET /v1/kv/bench/get, 64 connections, ${secs}s per run (requests/s)"
echo "ACLs off: $off1 $off2"
echo "ACLs on (cached token): $on1 $on2"
awk -v a="$off1" -v b="$off2" -v c="$on1" -v d="$on2" \
  'BEGIN { printf "figure: ACLs on / ACLs off = %.3f (target >= 0.9)\n", ((c + d) / 2) / ((a + b) / 2) }'
