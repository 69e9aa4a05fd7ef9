#!/usr/bin/env bash
# Builds cds/tribune.jsa in a distribution: a class-data sharing archive (JEP 350, dynamic CDS) of
# the classes a server agent loads, which bin/tribune maps at start instead of loading and
# verifying them from the jars again. Run by the bundles module after it lays out the
# distribution; safe to run again by hand after replacing jars: bin/tribune ignores an archive
# whose jars changed (silently: the JVM checks paths, sizes and times).
#
# The training run is two real servers (storage-rocksdb, transport-grpc, raft, gossip-swim, DNS,
# gRPC API) on 127.0.0.1 with every port 0 that find each other through gossip, elect a leader and
# serve a few HTTP calls through both (so the archive also holds the classes of server-to-server
# calls and forwarding), then are stopped with SIGTERM; the first JVM writes the archive as it
# exits. Uses bash's /dev/tcp, not curl. While they run, the usual CLI commands run against them
# with -XX:DumpLoadedClassList; their merged list (cds/cli.classlist) becomes the CLI's static
# archive (bin/tribune --build-cli-cds). Usage: train.sh DIST_DIR
set -euo pipefail
dist="$(cd "$1" && pwd)"
archive_dir="$dist/cds"
rm -rf "$archive_dir"
tmp="$(mktemp -d /tmp/tribune-cds.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
config() { # node-name [retry-join address]
  local join=""
  [ -n "${2:-}" ] && join=", \"retry_join\": [\"$2\"], \"retry_interval\": \"200ms\""
  printf '{"server": true, "bootstrap_expect": 2, "node_name": "%s", "bind_addr": "127.0.0.1",
 "client_addr": "127.0.0.1", "log_level": "info"%s,
 "ports": {"http": 0, "dns": 0, "grpc": 0, "server": 0, "serf_lan": 0, "serf_wan": 0}}\n' "$1" "$join"
}
fail() { echo "cds training: $1" >&2; cat "$tmp"/*.log >&2; exit 1; }
logged() { # log-file sed-expression: waits up to 30 s for a line, prints the captured part
  local v=""
  for _ in $(seq 1 600); do
    v="$(sed -n "$2" "$1" | head -n 1 || true)"
    [ -n "$v" ] && { echo "$v"; return 0; }
    sleep 0.05
  done
  return 1
}
config cds-a >"$tmp/a.json"
TRIBUNE_JAVA_OPTS="-XX:ArchiveClassesAtExit=$tmp/tribune.jsa" \
  "$dist/bin/tribune" agent -config-file "$tmp/a.json" -data-dir "$tmp/a" >"$tmp/a.log" 2>&1 &
pids+=($!)
serf="$(logged "$tmp/a.log" 's|.*LAN pool .* on 127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p')" || fail "no gossip port"
config cds-b "127.0.0.1:$serf" >"$tmp/b.json"
"$dist/bin/tribune" agent -config-file "$tmp/b.json" -data-dir "$tmp/b" >"$tmp/b.log" 2>&1 &
pids+=($!)
port_a="$(logged "$tmp/a.log" 's|.*HTTP API on /127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p')" || fail "no HTTP API"
port_b="$(logged "$tmp/b.log" 's|.*HTTP API on /127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p')" || fail "no HTTP API"

# One HTTP/1.1 request; prints the response (status line, headers, body).
http() { # port method path [body]
  local body="${4:-}"
  exec 3<>"/dev/tcp/127.0.0.1/$1"
  printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s' \
    "$2" "$3" "${#body}" "$body" >&3
  cat <&3
  exec 3<&-
}
leader=""
for _ in $(seq 1 600); do
  if http "$port_a" GET /v1/status/leader | tail -n 1 | grep -q '127.0.0.1:'; then leader=yes; break; fi
  sleep 0.05
done
[ -n "$leader" ] || fail "no leader within 30 s"
for port in "$port_a" "$port_b"; do
  for i in 1 2 3 4 5 6; do
    http "$port" PUT "/v1/kv/cds/key-$i" "value-$i" >/dev/null
    http "$port" GET "/v1/kv/cds/key-$i" >/dev/null
    http "$port" GET "/v1/kv/cds/key-$i?consistent" >/dev/null
    http "$port" GET "/v1/kv/cds/key-$i?stale" >/dev/null
  done
  http "$port" GET "/v1/kv/cds/?recurse" >/dev/null
  http "$port" PUT /v1/agent/service/register '{"Name": "web", "Port": 80, "Check": {"TTL": "30s"}}' >/dev/null
  http "$port" GET /v1/catalog/services >/dev/null
  http "$port" GET /v1/health/service/web >/dev/null
  http "$port" GET /v1/agent/self >/dev/null
  http "$port" GET /v1/agent/members >/dev/null
done

# release (issue 16): the classes CLI commands load, for the CLI's own archive (bin/tribune runs
# every command but agent/plugins/validate on a small class path). Each command appends the classes
# it loaded; the merged list keeps the first occurrence of each line, in load order.
cli() { # args...: one CLI command against server a, its class list in $tmp/cli-N.list
  cli_n=$((${cli_n:-0} + 1))
  TRIBUNE_JAVA_OPTS="-XX:DumpLoadedClassList=$tmp/cli-$cli_n.list" TRIBUNE_HTTP_ADDR="127.0.0.1:$port_a" \
    "$dist/bin/tribune" "$@" >/dev/null 2>&1 || true
}
cli version
cli help
cli help kv
cli members
cli info
cli kv put cds/cli value
cli kv get cds/cli
cli kv get -recurse cds/
cli kv get cds/missing
cli kv delete cds/cli
cli catalog services
cli catalog nodes
cli operator raft list-peers
cli snapshot save "$tmp/cli.snap"
cli snapshot inspect "$tmp/cli.snap"
cli kv get -no-such-flag
cli members -http-addr 127.0.0.1:1

for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${pids[@]}"; do wait "$p" || true; done
pids=()
[ -s "$tmp/tribune.jsa" ] || fail "the JVM wrote no archive"
mkdir -p "$archive_dir"
mv "$tmp/tribune.jsa" "$archive_dir/tribune.jsa"
echo "cds training: wrote $archive_dir/tribune.jsa ($(( $(stat -c %s "$archive_dir/tribune.jsa") / 1048576 )) MiB)"
cat "$tmp"/cli-*.list 2>/dev/null | awk '!seen[$0]++' >"$archive_dir/cli.classlist"
[ -s "$archive_dir/cli.classlist" ] || fail "the CLI commands wrote no class list"
"$dist/bin/tribune" --build-cli-cds || fail "could not write the CLI's archive"

