#!/usr/bin/env bash
# Builds the start-up archives of a distribution, which bin/tribune maps at start instead of loading,
# verifying and linking the same classes from the jars again (issue 19). Run by the bundles module
# after it lays out the distribution; safe to run again by hand after replacing jars (bin/tribune
# ignores an archive whose jars changed: the JVM checks paths, sizes and times, and -Xlog keeps it
# quiet). Usage: train.sh DIST_DIR
#
#   cds/tribune.jsa      JDK 17-24: a dynamic class-data sharing archive (JEP 350), written by the JDK
#                        that runs the build when it is older than 25 (else the newest such JDK found).
#   cds/tribune-felix-KEY.aot
#                        JDK 25+: an AOT cache (JEP 483/514/515: classes loaded and linked ahead of
#                        time plus the method profiles of this training run), written by the newest
#                        JDK 25+ found (TRIBUNE_AOT_JAVA to choose one) with compact object headers,
#                        as bin/tribune runs it; KEY names that JVM and this place (bin/tribune
#                        --aot-cache-file). TRIBUNE_AOT_RUNTIMES="felix jpms" also trains the JPMS
#                        runtime's (left out by default: it gains little, see docs/architecture.md).
#                        No JDK 25 on the build machine: skipped, with a line saying so.
#   cds/cli.classlist and the CLI's static archive (see below).
#
# Each training run is two real servers (storage-rocksdb, transport-grpc, raft, gossip-swim, DNS,
# gRPC API) on 127.0.0.1 with every port 0 that find each other through gossip, elect a leader and
# serve a few hundred HTTP calls through both (KV writes and reads in every consistency mode,
# catalog, health, agent endpoints, DNS over UDP and TCP: so the archive also holds the classes of
# server-to-server calls and forwarding, and the AOT cache the profiles of the request paths), then
# are stopped with SIGTERM; the first JVM writes its archive as it exits. Uses bash's /dev/tcp and
# /dev/udp, not curl. While the CDS run's servers run, the usual CLI commands run against them with
# -XX:DumpLoadedClassList; their merged list (cds/cli.classlist) becomes the CLI's static archive
# (bin/tribune --build-cli-cds).
set -euo pipefail
dist="$(cd "$1" && pwd)"
archive_dir="$dist/cds"
rm -rf "$archive_dir"
mkdir -p "$archive_dir"
tmp="$(mktemp -d /tmp/tribune-cds.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# ---------------------------------------------------------------- which JDKs
feature() { # JDK home -> feature release from its 'release' file, or nothing
  [ -r "$1/release" ] || return 0
  sed -n 's/^JAVA_VERSION="\(1\.\)\{0,1\}\([0-9][0-9]*\).*/\2/p' "$1/release" | head -n 1
}
home_of() { # java binary -> its JDK home
  local j; j="$(command -v "$1" 2>/dev/null)" || return 0
  j="$(readlink -f "$j")"; echo "${j%/bin/java}"
}
# The build's JDK (JAVA_HOME, else the java on PATH) writes the CDS archive when older than 25;
# otherwise the newest JDK 17-24 under /usr/lib/jvm does, if any.
cds_home="$(home_of "${JAVA_HOME:+$JAVA_HOME/bin/}java")"
f="$(feature "$cds_home")"
if [ -z "$f" ] || [ "$f" -ge 25 ] || [ "$f" -lt 17 ]; then
  cds_home="" best=0
  for j in /usr/lib/jvm/*/; do
    j="${j%/}"; f="$(feature "$j")"
    if [ -x "$j/bin/java" ] && [ -n "$f" ] && [ "$f" -ge 17 ] && [ "$f" -lt 25 ] && [ "$f" -gt "$best" ]; then
      best="$f"; cds_home="$j"
    fi
  done
fi
# The AOT cache's JDK: TRIBUNE_AOT_JAVA (a JDK home), else the newest JDK 25+ of JAVA_HOME and
# /usr/lib/jvm: the one bin/tribune picks on this machine when JAVA_HOME is unset.
aot_home="${TRIBUNE_AOT_JAVA:-}"
if [ -z "$aot_home" ]; then
  best=0
  for j in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/*/; do
    j="${j%/}"; f="$(feature "$j")"
    if [ -x "$j/bin/java" ] && [ -n "$f" ] && [ "$f" -ge 25 ] && [ "$f" -gt "$best" ]; then best="$f"; aot_home="$j"; fi
  done
fi

# ---------------------------------------------------------------- one training run
config() { # node-name [retry-join address]
  local join=""
  [ -n "${2:-}" ] && join=", \"retry_join\": [\"$2\"], \"retry_interval\": \"200ms\""
  printf '{"server": true, "bootstrap_expect": 2, "node_name": "%s", "bind_addr": "127.0.0.1",
 "client_addr": "127.0.0.1", "log_level": "info"%s,
 "ports": {"http": 0, "dns": 0, "grpc": 0, "server": 0, "serf_lan": 0, "serf_wan": 0}}\n' "$1" "$join"
}
fail() { echo "cds training: $1" >&2; tail -n 40 "$tmp"/*.log >&2; exit 1; }
logged() { # log-file sed-expression: waits up to 60 s for a line, prints the captured part
  local v=""
  for _ in $(seq 1 1200); do
    v="$(sed -n "$2" "$1" | head -n 1 || true)"
    [ -n "$v" ] && { echo "$v"; return 0; }
    sleep 0.05
  done
  return 1
}
# One HTTP/1.1 request; prints the response (status line, headers, body).
http() { # port method path [body]
  local body="${4:-}"
  exec 3<>"/dev/tcp/127.0.0.1/$1"
  printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s' \
    "$2" "$3" "${#body}" "$body" >&3
  cat <&3
  exec 3<&-
}
# A DNS question for web.service.consul (type A): over UDP (not waiting for the answer) and over TCP
# (two-byte length first; the answer is read and dropped).
DNS_Q='\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03web\x07service\x06consul\x00\x00\x01\x00\x01'
dns() { # port
  printf "$DNS_Q" >"/dev/udp/127.0.0.1/$1" || true
  exec 4<>"/dev/tcp/127.0.0.1/$1" || return 0
  printf "\x00\x24$DNS_Q" >&4
  timeout 2 head -c 2 <&4 >/dev/null || true
  exec 4<&-
}
port_a="" port_b=""
# train LABEL RUNTIME JDK_HOME VAR=VALUE...: the two servers on that JDK (empty: bin/tribune's
# choice), server a with the VAR=VALUE pairs in its environment (what makes it write its archive),
# the workload, then SIGTERM to both. Returns with both stopped; the archive is where a's flags said.
train() {
  local label="$1" runtime="$2" jdk="$3"; shift 3
  rm -rf "$tmp/$label"; mkdir -p "$tmp/$label"
  local d="$tmp/$label"
  config "$label-a" >"$d/a.json"
  env ${jdk:+TRIBUNE_JAVA="$jdk"} "$@" "$dist/bin/tribune" agent -runtime "$runtime" -config-file "$d/a.json" -data-dir "$d/a" >"$tmp/$label-a.log" 2>&1 &
  pids+=($!)
  local serf
  serf="$(logged "$tmp/$label-a.log" 's|.*LAN pool .* on 127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p')" || fail "$label: no gossip port"
  config "$label-b" "127.0.0.1:$serf" >"$d/b.json"
  env ${jdk:+TRIBUNE_JAVA="$jdk"} TRIBUNE_AOT=0 "$dist/bin/tribune" agent -runtime "$runtime" -config-file "$d/b.json" -data-dir "$d/b" >"$tmp/$label-b.log" 2>&1 &
  pids+=($!)
  port_a="$(logged "$tmp/$label-a.log" 's|.*HTTP API on /127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p')" || fail "$label: no HTTP API"
  port_b="$(logged "$tmp/$label-b.log" 's|.*HTTP API on /127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p')" || fail "$label: no HTTP API"
  local dns_a
  dns_a="$(logged "$tmp/$label-a.log" 's|.*DNS interface on [^:]*:\([0-9][0-9]*\).*|\1|p')" || dns_a=""
  local leader=""
  for _ in $(seq 1 1200); do
    if http "$port_a" GET /v1/status/leader | tail -n 1 | grep -q '127.0.0.1:'; then leader=yes; break; fi
    sleep 0.05
  done
  [ -n "$leader" ] || fail "$label: no leader within 60 s"
  local port i
  for port in "$port_a" "$port_b"; do
    http "$port" PUT /v1/agent/service/register '{"Name": "web", "Port": 80, "Check": {"TTL": "30s"}}' >/dev/null
    for i in $(seq 1 "${TRAIN_ROUNDS:-30}"); do
      http "$port" PUT "/v1/kv/cds/key-$i" "value-$i" >/dev/null
      http "$port" GET "/v1/kv/cds/key-$i" >/dev/null
      http "$port" GET "/v1/kv/cds/key-$i?consistent" >/dev/null
      http "$port" GET "/v1/kv/cds/key-$i?stale" >/dev/null
      if [ $((i % 5)) = 0 ]; then
        http "$port" GET "/v1/kv/cds/?recurse" >/dev/null
        http "$port" GET /v1/catalog/services >/dev/null
        http "$port" GET /v1/catalog/service/web >/dev/null
        http "$port" GET /v1/health/service/web >/dev/null
        http "$port" GET /v1/agent/self >/dev/null
        http "$port" GET /v1/agent/members >/dev/null
        [ -n "$dns_a" ] && dns "$dns_a"
      fi
    done
    http "$port" DELETE "/v1/kv/cds/?recurse" >/dev/null
  done
  [ "$label" = cds ] && cli_lists
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" || true; done
  pids=()
}

# release (issue 16): the classes CLI commands load, for the CLI's own archive (bin/tribune runs
# every command but agent/plugins/validate on a small class path). Each command appends the classes
# it loaded; the merged list keeps the first occurrence of each line, in load order. The commands run
# on the JVM bin/tribune picks for the CLI here (the archive is built for that JVM below).
cli() { # args...: one CLI command against server a, its class list in $tmp/cli-N.list
  cli_for 0 "$@"
}
cli_for() { # seconds args...: the same for a command that runs until stopped (watch, monitor): SIGTERM
            # after that many seconds (0: none); the JVM exits normally, the list is complete
  local secs="$1"; shift
  cli_n=$((${cli_n:-0} + 1))
  TRIBUNE_JAVA_OPTS="-XX:DumpLoadedClassList=$tmp/cli-$cli_n.list" TRIBUNE_HTTP_ADDR="127.0.0.1:$port_a" \
    timeout -s TERM "$secs" "$dist/bin/tribune" "$@" >/dev/null 2>&1 </dev/null || true
}
cli_lists() {
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
  # release (issue 16): the long-running commands too (a child process, blocking queries, a stream).
  cli lock cds/lock true
  cli_for 3 watch -type key -key cds/key-1
  cli_for 3 monitor
}

# ---------------------------------------------------------------- CDS (JDK 17-24) and the CLI's list
if [ -n "$cds_home" ]; then
  train cds felix "$cds_home" TRIBUNE_JAVA_OPTS="-XX:ArchiveClassesAtExit=$tmp/tribune.jsa"
  [ -s "$tmp/tribune.jsa" ] || fail "the JVM wrote no archive"
  mv "$tmp/tribune.jsa" "$archive_dir/tribune.jsa"
  echo "cds training: wrote $archive_dir/tribune.jsa for $cds_home ($(( $(stat -c %s "$archive_dir/tribune.jsa") / 1048576 )) MiB)"
else
  # Still the CLI's class list, from a run without archive.
  train cds felix "" TRIBUNE_AOT=0
  echo "cds training: no JDK 17-24 found (JAVA_HOME, PATH, /usr/lib/jvm): no cds/tribune.jsa"
fi
cat "$tmp"/cli-*.list 2>/dev/null | awk '!seen[$0]++' >"$archive_dir/cli.classlist"
[ -s "$archive_dir/cli.classlist" ] || fail "the CLI commands wrote no class list"
"$dist/bin/tribune" --build-cli-cds || fail "could not write the CLI's archive"

# ---------------------------------------------------------------- AOT cache (JDK 25+)
if [ -z "$aot_home" ]; then
  echo "cds training: no JDK 25 or later found (TRIBUNE_AOT_JAVA, JAVA_HOME, /usr/lib/jvm): no AOT cache; JDK 25 would start without one"
  exit 0
fi
for runtime in ${TRIBUNE_AOT_RUNTIMES:-felix}; do
  out="$(TRIBUNE_JAVA="$aot_home" "$dist/bin/tribune" --aot-cache-file "$runtime")" || fail "$aot_home is not JDK 25+"
  # The JVM of server a records the run and, as it exits, starts a second JVM with the same flags that
  # assembles the cache (JEP 514); its warnings (classes it leaves out) stay in the training log.
  train "aot-$runtime" "$runtime" "$aot_home" TRIBUNE_AOT_OUTPUT="$tmp/tribune.aot"
  [ -s "$tmp/tribune.aot" ] || fail "JDK $aot_home wrote no AOT cache ($runtime)"
  mv "$tmp/tribune.aot" "$out"
  echo "cds training: wrote $out for $aot_home, $runtime runtime ($(( $(stat -c %s "$out") / 1048576 )) MiB)"
done
