#!/usr/bin/env bash
# Whole-cluster figures on loopback, Tribune beside etcd 3.4 (issue: "cluster benchmark"):
#   - cluster start: exec of 3 servers to a leader;
#   - wrk (2 threads) at 16 and 64 connections: PUT /v1/kv (128-byte values, distinct keys) and GET of
#     one 128-byte key in the default, stale and consistent modes; requests/s, p99, non-2xx count;
#     every request goes to the LEADER's HTTP address (no forwarding hop);
#   - leader failover: SIGKILL the leader, time to the next successful write through another server
#     (curl, 500 ms client timeout, retried at once), then restart it; median of N;
#   - failure detection of a killed client agent: SIGKILL it, time until the leader's
#     /v1/health/node/<client> shows serfHealth critical; median of N; plus a watcher that polls
#     /v1/health/state/critical during the load and detection phases and counts serfHealth critical
#     entries for nodes that were alive (false positives);
#   - GET default, consistent and stale through a FOLLOWER's HTTP address at 64 connections;
#   - RSS per server (ps) idle after the start and after the write load;
#   - cold figures: PUT at 16 and 64 connections in the first seconds after the leader is up (no JIT
#     warm-up), then GET default/stale/consistent and a follower's GET, before the warm-up and the
#     warm figures above;
#   - the stale-read window: from the leader's answer to a write to a follower having applied it
#     (bench/StaleWindowBench.java, 200 writes);
#   - all of the Tribune part once per JVM (BENCH_JDKS), side by side in the table;
#   - the same for a 3-member etcd cluster (start, PUT, linearizable and serializable range, failover),
#     and a table of ratios: Tribune / etcd, and Tribune / Consul 1.4.5's published figures (below).
#
# Usage: bench/cluster.sh [wrk-seconds]      (default 10)
# Environment: BENCH_RUNS (failover and detection runs, default 5), BENCH_WARMUP (seconds of unreported
#              wrk PUT and GET at 64 connections against Tribune before measuring, for the JIT; default 20
#              (the write path reaches steady state after ~20-30 s of load on 2 cores; with 5 s the first
#              figures, PUT at 16 connections, came out 2-3x lower),
#              0 for none), BENCH_SKIP_ETCD=1 (Tribune only),
#              BENCH_COLD_SECS (seconds of each cold figure, default 5: the two cold PUT runs fill the
#              first 10 s after the start), BENCH_JDKS (JDK homes to run Tribune on, space-separated,
#              each passed as TRIBUNE_JAVA; default: the JDK 17 of the java on PATH and the newest
#              JDK 25+ under /usr/lib/jvm, e.g. Temurin 25 with its AOT cache, if present),
#              BENCH_SKIP_TRIBUNE=1 (etcd only), BENCH_CONSUL (a consul binary, e.g. 1.4.5: the same
#              run against it, a "consul" column, and the best/Consul ratios against it instead of
#              the published figures below), BENCH_NET (loopback /24 prefix, default 127.0.0; e.g.
#              127.0.1 keeps the run apart from itests' ClusterIT, which uses 127.0.0.2-6 with the same
#              ports: agents of both would gossip with each other), TRIBUNE_JAVA_OPTS (bin/tribune).
# Needs: the distribution (mvn -q -pl launcher,bundles install -DskipTests), curl, jq, wrk, and for
# the peer etcd + etcdctl (Debian: apt-get install -y wrk jq etcd-server etcd-client). Installs nothing.
# Addresses: Tribune servers on $BENCH_NET.2-4 and a client on .5 with Consul's default ports
# (HTTP 8500, RPC 8300, Serf 8301, DNS 8600; gRPC off); etcd members on .2-4 with client port
# 12379 and peer port 12380, so that a system etcd on 2379/2380 does not clash.
# Every process started here is killed by PID on exit; the temporary directory is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
runs="${BENCH_RUNS:-5}"
warm="${BENCH_WARMUP:-20}"
net="${BENCH_NET:-127.0.0}"
cold_secs="${BENCH_COLD_SECS:-5}"
. bench/lib.sh
# JVMs to run Tribune on, one whole run each (bin/tribune gets each as TRIBUNE_JAVA): by default the
# build baseline (JDK 17) and the newest JDK 25+ under /usr/lib/jvm (Temurin 25 here), when present.
jdks="${BENCH_JDKS:-$(bench_jdks)}"
bench_check_net "$net"
case "$secs" in ''|*[!0-9]*) echo "wrk seconds must be a positive integer, got '$secs'" >&2; exit 2 ;; esac
case "$warm" in ''|*[!0-9]*) echo "BENCH_WARMUP must be seconds (0 for none), got '$warm'" >&2; exit 2 ;; esac
case "$cold_secs" in ''|*[!0-9]*|0) echo "BENCH_COLD_SECS must be a positive integer, got '$cold_secs'" >&2; exit 2 ;; esac
for j in $jdks; do
  [ -x "$j/bin/java" ] || { echo "BENCH_JDKS: no $j/bin/java" >&2; exit 2; }
done
case "$runs" in ''|*[!0-9]*) echo "BENCH_RUNS must be a positive integer, got '$runs'" >&2; exit 2 ;; esac
[ "$secs" -ge 1 ] && [ "$secs" -le 600 ] || { echo "wrk seconds must be 1..600" >&2; exit 2; }
[ "$runs" -ge 1 ] && [ "$runs" -le 20 ] || { echo "BENCH_RUNS must be 1..20" >&2; exit 2; }

# Consul 1.4.5 on this kind of machine, same harness (issue 19's table, one run beside etcd), for the
# read and memory ratios.
CONSUL_READ_DEFAULT=26200
CONSUL_READ_STALE=20705
CONSUL_READ_CONSISTENT=16277
CONSUL_RSS_MIB=209
# Consul 1.4.5 default reads sent to a follower (forwarded to its leader), 64 connections.
CONSUL_FOLLOWER_READ_DEFAULT=8563

missing=()
for tool in curl jq wrk; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ -z "${BENCH_SKIP_ETCD:-}" ]; then
  command -v etcd >/dev/null || missing+=("etcd (package etcd-server)")
  command -v etcdctl >/dev/null || missing+=("etcdctl (package etcd-client)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing: ${missing[*]}" >&2
  echo "install them first, e.g.: apt-get install -y wrk jq etcd-server etcd-client" >&2
  echo "(or BENCH_SKIP_ETCD=1 to measure Tribune alone)" >&2
  exit 2
fi
if [ -z "${BENCH_SKIP_TRIBUNE:-}" ] && [ ! -d bundles/target/dist/lib ]; then
  echo "no distribution: build it first: mvn -q -pl launcher,bundles install -DskipTests" >&2
  exit 2
fi

bench_init cluster-bench
watcher=""
stop_watcher() { [ -n "$watcher" ] && kill "$watcher" 2>/dev/null; watcher=""; }
BENCH_CLEANUP_HOOK=stop_watcher

# ratio A B -> A/B with 2 decimals, or "-" when either is missing.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }

# Runs wrk for WRK_SECS (default: the run's seconds) and prints "requests/s p99_ms non2xx". Extra
# arguments are wrk's (script, URL).
run_wrk() {
  local conns="$1" rps p99 bad; shift
  read -r rps p99 bad _ < <(bench_wrk "$conns" "${WRK_SECS:-$secs}" "$@")
  echo "$rps $p99 $bad"
}

# ---------------------------------------------------------------- Tribune
declare -A T=()          # figures of the current run
declare -A TR=()         # figures of every run, keyed "<jdk label>:<figure>"
labels=()
t_http() { echo "$net.$1:8500"; }
t_start() { # name index [server]
  if [ "${3:-}" = server ]; then bench_start_agent . "$1" "$net" "$2" "$tmp/$1" -server -bootstrap-expect 3
  else bench_start_agent . "$1" "$net" "$2" "$tmp/$1"; fi
}
t_leader_ip() { bench_leader_ip "$net.$1"; }
t_put() { # ip key value -> 0 when the server answered 200 true
  local out
  out=$(curl -s -m 0.5 -o - -w ' %{http_code}' -X PUT --data-binary "$3" "$1:8500/v1/kv/$2" 2>/dev/null || true)
  [ "$out" = "true 200" ]
}
t_serf_status() { # server-ip node -> serfHealth status or nothing
  curl -s -m 1 "$1:8500/v1/health/node/$2" 2>/dev/null \
    | jq -r '.[] | select(.CheckID == "serfHealth") | .Status' 2>/dev/null || true
}

run_tribune() { # one whole Tribune run with the JVM of $JAVA_HOME (or the default java); fills T
  bench_ensure_free "$net" 2 3 4 5
  rm -rf "$tmp"/server-* "$tmp"/client-*
  if [ -n "${BENCH_AGENT_BIN:-}" ]; then
    echo "== $("$BENCH_AGENT_BIN" version 2>&1 | head -1) ($BENCH_AGENT_BIN), the same harness: 3 servers on $net.2-4 (wrk ${secs}s, $runs failover/detection runs; logs in $tmp)"
  else
    echo "== Tribune on $(bench_java_line "$(bench_agent_java)") ($(bench_agent_java)): 3 servers on $net.2-4 (wrk ${secs}s, $runs failover/detection runs; logs in $tmp)"
  fi
  t0=$(bench_now_ms)
  for i in 2 3 4; do t_start "server-$i" "$i" server; done
  leader_ip=""; http_up=""
  for _ in $(seq 1 1200); do
    # Where start time goes: first HTTP answer of server-2 (JVM + plugins up), then the leader.
    if [ -z "$http_up" ] && [ "$(curl -s -m 1 -o /dev/null -w '%{http_code}' "$(t_http 2)/v1/status/leader" 2>/dev/null || true)" != 000 ]; then
      http_up=$(( $(bench_now_ms) - t0 ))
    fi
    leader_ip=$(t_leader_ip 2)
    [ -n "$leader_ip" ] && break
    sleep 0.01
  done
  [ -n "$leader_ip" ] || { echo "no leader within 12 s"; tail -n 20 "$tmp"/server-*.log; exit 1; }
  T[start_ms]=$(( $(bench_now_ms) - t0 ))
  for _ in $(seq 1 600); do t_put "$leader_ip" bench/get x && break; sleep 0.01; done
  T[first_write_ms]=$(( $(bench_now_ms) - t0 ))
  echo "start: server-2 HTTP up after ${http_up:-?} ms, leader ${leader_ip} after ${T[start_ms]} ms, first write after ${T[first_write_ms]} ms"
  rss=()
  for i in 2 3 4; do rss+=("$(bench_rss_mib "${PID[server-$i]}")"); done
  T[rss_idle_max]=$(bench_max "${rss[@]}")
  echo "RSS idle after start (MiB): server-2..4 = ${rss[*]}"
  value=$(head -c 128 /dev/zero | tr '\0' x)
  t_put "$leader_ip" bench/get "$value" || { echo "seed write failed"; exit 1; }
  fip="$net.2"; [ "$fip" = "$leader_ip" ] && fip="$net.3"
  # Cold: what a user meets right after a (re)start, before the JIT has compiled the hot paths. The
  # writes fill the first 2 x cold_secs seconds after the leader is up; the reads follow at once.
  for c in 16 64; do
    read -r T[cold_put_$c] T[cold_put_p99_$c] T[cold_put_bad_$c] < <(WRK_SECS=$cold_secs run_wrk "$c" -s bench/kv-put.lua "http://$leader_ip:8500")
  done
  read -r T[cold_get_64] T[cold_get_p99_64] _ < <(WRK_SECS=$cold_secs run_wrk 64 "http://$leader_ip:8500/v1/kv/bench/get")
  read -r T[cold_stale_64] T[cold_stale_p99_64] _ < <(WRK_SECS=$cold_secs run_wrk 64 "http://$leader_ip:8500/v1/kv/bench/get?stale")
  read -r T[cold_cons_64] T[cold_cons_p99_64] _ < <(WRK_SECS=$cold_secs run_wrk 64 "http://$leader_ip:8500/v1/kv/bench/get?consistent")
  read -r T[cold_fget] T[cold_fget_p99] _ < <(WRK_SECS=$cold_secs run_wrk 64 "http://$fip:8500/v1/kv/bench/get")
  echo "cold (${cold_secs}s each, from the start): PUT c=16 ${T[cold_put_16]}/s p99 ${T[cold_put_p99_16]} ms; PUT c=64 ${T[cold_put_64]}/s p99 ${T[cold_put_p99_64]} ms;" \
       "GET c=64 default ${T[cold_get_64]}/s, stale ${T[cold_stale_64]}/s, consistent ${T[cold_cons_64]}/s; follower default ${T[cold_fget]}/s"

  # The client agent for the detection figure joins now, so that its join is not mid-measurement.
  t_start client-5 5
  for _ in $(seq 1 1000); do [ "$(t_serf_status "$leader_ip" client-5)" = passing ] && break; sleep 0.02; done
  [ "$(t_serf_status "$leader_ip" client-5)" = passing ] || { echo "client-5 never joined"; tail -n 20 "$tmp/client-5.log"; exit 1; }

  # False-positive watcher: any serfHealth critical seen on any live node while nothing is killed.
  : >"$tmp/critical.log"
  ( while :; do
      for i in 2 3 4; do
        curl -s -m 1 "$net.$i:8500/v1/health/state/critical" 2>/dev/null \
          | jq -r '.[] | select(.CheckID == "serfHealth") | .Node' 2>/dev/null >>"$tmp/critical.log" || true
      done
      sleep 0.2
    done ) &
  watcher=$!

  if [ "$warm" -gt 0 ]; then
    # JIT warm-up (not reported): the first seconds of a cold JVM are interpreted code.
    WRK_SECS=$warm run_wrk 64 -s bench/kv-put.lua "http://$leader_ip:8500" >/dev/null
    WRK_SECS=$warm run_wrk 64 "http://$leader_ip:8500/v1/kv/bench/get" >/dev/null
  fi
  for c in 16 64; do
    read -r T[put_$c] T[put_p99_$c] T[put_bad_$c] < <(run_wrk "$c" -s bench/kv-put.lua "http://$leader_ip:8500")
    read -r T[get_$c] T[get_p99_$c] T[get_bad_$c] < <(run_wrk "$c" "http://$leader_ip:8500/v1/kv/bench/get")
    read -r T[stale_$c] T[stale_p99_$c] T[stale_bad_$c] < <(run_wrk "$c" "http://$leader_ip:8500/v1/kv/bench/get?stale")
    read -r T[cons_$c] T[cons_p99_$c] T[cons_bad_$c] < <(run_wrk "$c" "http://$leader_ip:8500/v1/kv/bench/get?consistent")
    echo "c=$c: PUT ${T[put_$c]}/s p99 ${T[put_p99_$c]} ms (non-2xx ${T[put_bad_$c]});" \
         "GET ${T[get_$c]}/s p99 ${T[get_p99_$c]} ms (${T[get_bad_$c]}); stale ${T[stale_$c]}/s p99 ${T[stale_p99_$c]} ms (${T[stale_bad_$c]});" \
         "consistent ${T[cons_$c]}/s p99 ${T[cons_p99_$c]} ms (${T[cons_bad_$c]})"
  done
  # Reads through a follower (issue 12): Consul serves default reads there by forwarding to the leader.
  if [ "$warm" -gt 0 ]; then
    WRK_SECS=$(( warm < 10 ? warm : 10 )) run_wrk 64 "http://$fip:8500/v1/kv/bench/get" >/dev/null
  fi
  read -r T[fget] T[fget_p99] T[fget_bad] < <(run_wrk 64 "http://$fip:8500/v1/kv/bench/get")
  read -r T[fcons] T[fcons_p99] T[fcons_bad] < <(run_wrk 64 "http://$fip:8500/v1/kv/bench/get?consistent")
  read -r T[fstale] T[fstale_p99] T[fstale_bad] < <(run_wrk 64 "http://$fip:8500/v1/kv/bench/get?stale")
  echo "follower $fip c=64: GET ${T[fget]}/s p99 ${T[fget_p99]} ms (${T[fget_bad]}); consistent ${T[fcons]}/s p99 ${T[fcons_p99]} ms (${T[fcons_bad]});" \
       "stale ${T[fstale]}/s p99 ${T[fstale_p99]} ms (${T[fstale_bad]})"
  # Stale-read window: leader's ack of a write to the follower having applied it.
  read -r _ _ T[window_p50] T[window_p90] T[window_p99] _ < <(java bench/StaleWindowBench.java "$leader_ip:8500" "$fip:8500" 200 \
    | sed 's/[a-z0-9_]*=//g')
  echo "stale-read window (leader ack to follower applied, 200 writes): p50 ${T[window_p50]} ms, p90 ${T[window_p90]} ms, p99 ${T[window_p99]} ms"
  rss=()
  for i in 2 3 4; do rss+=("$(bench_rss_mib "${PID[server-$i]}")"); done
  T[rss]="${rss[*]}"
  T[rss_max]=$(bench_max "${rss[@]}")
  applied=$(curl -s -m 2 "$leader_ip:8500/v1/agent/self" 2>/dev/null | jq -r '.Stats.raft.applied_index // "?"' 2>/dev/null || echo "?")
  echo "RSS after the write load (MiB): server-2..4 = ${T[rss]} (log entries applied: $applied, nearly all of them distinct 128-byte keys)"

  # Client failure detection, while the watcher runs (client-5 excluded from its count below).
  det=()
  for r in $(seq 1 "$runs"); do
    kill -KILL "${PID[client-5]}"; wait "${PID[client-5]}" 2>/dev/null || true
    k=$(bench_now_ms); got=""
    for _ in $(seq 1 1200); do
      [ "$(t_serf_status "$leader_ip" client-5)" = critical ] && { got=$(( $(bench_now_ms) - k )); break; }
      sleep 0.025
    done
    [ -n "$got" ] || { echo "client-5 not marked critical within 30 s"; exit 1; }
    det+=("$got")
    t_start client-5 5
    for _ in $(seq 1 1500); do [ "$(t_serf_status "$leader_ip" client-5)" = passing ] && break; sleep 0.02; done
  done
  w="$watcher"; stop_watcher; wait "$w" 2>/dev/null || true
  T[detect_ms]=$(bench_median "${det[@]}")
  T[false_pos]=$(grep -cE '^server-[234]$' "$tmp/critical.log" || true)
  echo "client failure detection (ms): ${det[*]} -> median ${T[detect_ms]}; serfHealth critical on live servers during load+detection: ${T[false_pos]} samples ($(grep -E '^server-[234]$' "$tmp/critical.log" | sort -u | tr '\n' ' '))"
  foreign=$(curl -s -m 1 "$(t_http 2)/v1/agent/members" 2>/dev/null | jq -r '.[].Name' 2>/dev/null | grep -vE '^(server-[234]|client-5)$' | tr '\n' ' ' || true)
  foreign="$foreign$(sort -u "$tmp/critical.log" | grep -vE '^(server-[234]|client-5)$' | tr '\n' ' ' || true)"
  [ -z "$foreign" ] || echo "WARNING: agents not started here joined the pool ($foreign): another cluster on $net.x? Figures are disturbed; rerun with BENCH_NET=127.0.1"

  # Failover: SIGKILL the leader, time to the next successful write through another server.
  fo=()
  for r in $(seq 1 "$runs"); do
    lip=$(t_leader_ip 2); [ -n "$lip" ] || lip=$(t_leader_ip 3)
    li="${lip##*.}"
    other=2; [ "$li" = 2 ] && other=3
    kill -KILL "${PID[server-$li]}"; wait "${PID[server-$li]}" 2>/dev/null || true
    k=$(bench_now_ms); got=""
    # Until a write succeeds, for at most 60 s (a follower may answer "no leader" at once: retry).
    while [ $(( $(bench_now_ms) - k )) -lt 60000 ]; do
      t_put "$net.$other" "failover/$r" "v$r" && { got=$(( $(bench_now_ms) - k )); break; }
      sleep 0.005
    done
    if [ -z "$got" ]; then
      echo "no write accepted within 60 s of killing the leader"
      keep="$(mktemp -d /tmp/tribune-failover-failure.XXXXXX)"
      for n in server-2 server-3 server-4; do
        kill -0 "${PID[$n]}" 2>/dev/null && command -v jstack >/dev/null && jstack "${PID[$n]}" >"$keep/$n.jstack" 2>&1
        curl -s -m 1 "$(t_http "${n#server-}")/v1/agent/self" >"$keep/$n.self.json" 2>/dev/null || true
      done
      cp "$tmp"/server-*.log "$keep"/ 2>/dev/null || true
      tail -n 20 "$tmp"/server-*.log
      echo "thread dumps, agent/self and logs kept in $keep"
      exit 1
    fi
    fo+=("$got")
    t_start "server-$li" "$li" server
    # Back in the cluster: the restarted server has the write made after its death.
    ok=""
    for _ in $(seq 1 1500); do
      [ "$(curl -s -m 1 "$net.$li:8500/v1/kv/failover/$r?stale&raw" 2>/dev/null || true)" = "v$r" ] && { ok=1; break; }
      sleep 0.02
    done
    [ -n "$ok" ] || { echo "restarted server-$li did not catch up"; tail -n 20 "$tmp/server-$li.log"; exit 1; }
  done
  T[failover_ms]=$(bench_median "${fo[@]}")
  echo "failover (ms): ${fo[*]} -> median ${T[failover_ms]}"
  for n in server-2 server-3 server-4 client-5; do
    kill -TERM "${PID[$n]}" 2>/dev/null || true
  done
  for n in server-2 server-3 server-4 client-5; do wait "${PID[$n]}" 2>/dev/null || true; unset "PID[$n]"; done
}

if [ -z "${BENCH_SKIP_TRIBUNE:-}" ]; then
  for jdk in $jdks; do
    T=()
    TRIBUNE_JAVA="$jdk" run_tribune
    label=$(bench_java_label "$jdk/bin/java")
    for k in "${!T[@]}"; do TR["$label:$k"]="${T[$k]}"; done
    labels+=("$label")
  done
fi
# Consul itself, when its binary is given: the same run (its agent takes the same flags), column "consul".
have_consul=""
if [ -n "${BENCH_CONSUL:-}" ]; then
  T=()
  BENCH_AGENT_BIN="$BENCH_CONSUL" run_tribune
  for k in "${!T[@]}"; do TR["consul:$k"]="${T[$k]}"; done
  have_consul=1
fi

# ---------------------------------------------------------------- etcd
declare -A E=()
e_start() { # index
  local i="$1"
  etcd --name "e$i" --data-dir "$tmp/etcd-$i" \
    --listen-client-urls "http://$net.$i:12379" --advertise-client-urls "http://$net.$i:12379" \
    --listen-peer-urls "http://$net.$i:12380" --initial-advertise-peer-urls "http://$net.$i:12380" \
    --initial-cluster "e2=http://$net.2:12380,e3=http://$net.3:12380,e4=http://$net.4:12380" \
    --initial-cluster-state new --initial-cluster-token tribune-bench --log-level warn \
    >>"$tmp/etcd-$i.log" 2>&1 &
  PID[etcd-$i]=$!
}
e_leader_ip() { # prints the IP of the member that is leader, as member $1 sees it
  local st
  st=$(curl -s -m 1 -X POST -d '{}' "$net.$1:12379/v3/maintenance/status" 2>/dev/null || true)
  [ -n "$st" ] || return 0
  local me leader
  me=$(jq -r '.header.member_id // empty' <<<"$st" 2>/dev/null || true)
  leader=$(jq -r '.leader // empty' <<<"$st" 2>/dev/null || true)
  [ -n "$leader" ] && [ "$leader" != 0 ] || return 0
  if [ "$me" = "$leader" ]; then echo "$net.$1"; return 0; fi
  for j in 2 3 4; do
    [ "$j" = "$1" ] && continue
    st=$(curl -s -m 1 -X POST -d '{}' "$net.$j:12379/v3/maintenance/status" 2>/dev/null || true)
    [ "$(jq -r '.header.member_id // empty' <<<"$st" 2>/dev/null || true)" = "$leader" ] && { echo "$net.$j"; return 0; }
  done
}
e_put() { # ip key value -> 0 when accepted
  local k v out
  k=$(printf '%s' "$2" | base64 -w0); v=$(printf '%s' "$3" | base64 -w0)
  out=$(curl -s -m 0.5 -X POST -d "{\"key\":\"$k\",\"value\":\"$v\"}" "$1:12379/v3/kv/put" 2>/dev/null || true)
  [[ "$out" == *'"header"'* ]] && [[ "$out" != *'"error"'* ]]
}

if [ -z "${BENCH_SKIP_ETCD:-}" ]; then
  echo "== etcd $(etcd --version 2>/dev/null | head -1 | awk '{print $3}'): 3 members on $net.2-4:12379"
  t0=$(bench_now_ms)
  for i in 2 3 4; do e_start "$i"; done
  lip=""
  for _ in $(seq 1 1200); do lip=$(e_leader_ip 2); [ -n "$lip" ] && break; sleep 0.01; done
  [ -n "$lip" ] || { echo "etcd: no leader within 12 s"; tail -n 20 "$tmp"/etcd-*.log; exit 1; }
  E[start_ms]=$(( $(bench_now_ms) - t0 ))
  echo "start: leader $lip after ${E[start_ms]} ms"
  rss=()
  for i in 2 3 4; do rss+=("$(bench_rss_mib "${PID[etcd-$i]}")"); done
  E[rss_idle_max]=$(bench_max "${rss[@]}")
  echo "RSS idle after start (MiB): ${rss[*]}"
  e_put "$lip" bench/get "$(head -c 128 /dev/zero | tr '\0' x)" || { echo "etcd seed write failed"; exit 1; }
  for c in 16 64; do
    read -r E[put_$c] E[put_p99_$c] E[put_bad_$c] < <(run_wrk "$c" -s bench/etcd-put.lua "http://$lip:12379")
    read -r E[cons_$c] E[cons_p99_$c] E[cons_bad_$c] < <(run_wrk "$c" -s bench/etcd-range.lua "http://$lip:12379")
    read -r E[stale_$c] E[stale_p99_$c] E[stale_bad_$c] < <(ETCD_SERIALIZABLE=1 run_wrk "$c" -s bench/etcd-range.lua "http://$lip:12379")
    echo "c=$c: PUT ${E[put_$c]}/s p99 ${E[put_p99_$c]} ms (non-2xx ${E[put_bad_$c]}); linearizable range ${E[cons_$c]}/s p99 ${E[cons_p99_$c]} ms;" \
         "serializable range ${E[stale_$c]}/s p99 ${E[stale_p99_$c]} ms"
  done
  rss=()
  for i in 2 3 4; do rss+=("$(bench_rss_mib "${PID[etcd-$i]}")"); done
  E[rss]="${rss[*]}"
  E[rss_max]=$(bench_max "${rss[@]}")
  echo "RSS after the write load (MiB): ${E[rss]}"
  fo=()
  for r in $(seq 1 "$runs"); do
    lip=$(e_leader_ip 2); [ -n "$lip" ] || lip=$(e_leader_ip 3)
    li="${lip##*.}"
    other=2; [ "$li" = 2 ] && other=3
    kill -KILL "${PID[etcd-$li]}"; wait "${PID[etcd-$li]}" 2>/dev/null || true
    k=$(bench_now_ms); got=""
    while [ $(( $(bench_now_ms) - k )) -lt 60000 ]; do
      e_put "$net.$other" "failover/$r" "v$r" && { got=$(( $(bench_now_ms) - k )); break; }
      sleep 0.005
    done
    [ -n "$got" ] || { echo "etcd: no write accepted within 60 s of killing the leader"; exit 1; }
    fo+=("$got")
    e_start "$li"
    for _ in $(seq 1 1500); do
      [[ "$(curl -s -m 1 "$net.$li:12379/health" 2>/dev/null || true)" == *'"health":"true"'* ]] && break
      sleep 0.02
    done
  done
  E[failover_ms]=$(bench_median "${fo[@]}")
  echo "failover (ms): ${fo[*]} -> median ${E[failover_ms]}"
fi

# ---------------------------------------------------------------- table
# One column per JVM run of Tribune, then etcd, then each run's ratio to etcd, then the best run's
# ratio to Consul 1.4.5's figures. "cold" rows are the first seconds after the start (no warm-up);
# the others follow BENCH_WARMUP seconds of load. etcd (Go, no JIT) has one figure for both.
g() { local -n m="$1"; echo "${m[$2]:--}"; }
echo
echo "== Summary (wrk ${secs}s, cold rows ${cold_secs}s, 2 threads; requests to the leader unless marked follower; failover/detection medians of $runs)"
hdr=(figure); for l in "${labels[@]}"; do hdr+=("$l"); done; hdr+=(etcd)
[ -n "$have_consul" ] && hdr+=(consul)
for l in "${labels[@]}"; do hdr+=("$l/etcd"); done; hdr+=("best/Consul")
printf '%-36s' "${hdr[0]}"; printf ' %11s' "${hdr[@]:1}"; echo
# row NAME TRIBUNE_KEY ETCD_KEY [CONSUL_FIGURE] [lower]: "lower" marks figures where less is better.
row() {
  local name="$1" tk="$2" ek="$3" consul="${4:-}" lower="${5:-}" best="-" v
  printf '%-36s' "$name"
  for l in "${labels[@]}"; do
    v="$(g TR "$l:$tk")"; printf ' %11s' "$v"
    if [ "$v" != - ]; then
      if [ "$best" = - ]; then best="$v"
      elif [ -n "$lower" ]; then best=$(awk -v a="$v" -v b="$best" 'BEGIN { print (a < b ? a : b) }')
      else best=$(awk -v a="$v" -v b="$best" 'BEGIN { print (a > b ? a : b) }'); fi
    fi
  done
  local e="-"; [ -n "$ek" ] && e="$(g E "$ek")"
  printf ' %11s' "$e"
  if [ -n "$have_consul" ]; then consul="$(g TR "consul:$tk")"; printf ' %11s' "$consul"; fi
  for l in "${labels[@]}"; do printf ' %11s' "$(ratio "$(g TR "$l:$tk")" "$e")"; done
  if [ -n "$consul" ] && [ "$consul" != - ]; then printf ' %11s' "$(ratio "$best" "$consul")"; else printf ' %11s' -; fi
  echo
}
for c in 16 64; do
  row "PUT/s c=$c cold" "cold_put_$c" "put_$c"
  row "PUT p99 ms c=$c cold" "cold_put_p99_$c" "put_p99_$c" "" lower
  row "PUT/s c=$c warm" "put_$c" "put_$c"
  row "PUT p99 ms c=$c warm" "put_p99_$c" "put_p99_$c" "" lower
done
row "GET default/s c=64 cold" cold_get_64 "" "$CONSUL_READ_DEFAULT"
row "GET stale/s c=64 cold" cold_stale_64 stale_64 "$CONSUL_READ_STALE"
row "GET consistent/s c=64 cold" cold_cons_64 cons_64 "$CONSUL_READ_CONSISTENT"
row "follower GET default/s c=64 cold" cold_fget "" "$CONSUL_FOLLOWER_READ_DEFAULT"
for c in 16 64; do
  row "GET default/s c=$c warm" "get_$c" "" "$CONSUL_READ_DEFAULT"
  row "GET default p99 ms c=$c warm" "get_p99_$c" "" "" lower
  row "GET stale|serializable/s c=$c warm" "stale_$c" "stale_$c" "$CONSUL_READ_STALE"
  row "GET stale p99 ms c=$c warm" "stale_p99_$c" "stale_p99_$c" "" lower
  row "GET consistent|lineariz./s c=$c" "cons_$c" "cons_$c" "$CONSUL_READ_CONSISTENT"
  row "GET consistent p99 ms c=$c" "cons_p99_$c" "cons_p99_$c" "" lower
done
row "follower GET default/s c=64 warm" fget "" "$CONSUL_FOLLOWER_READ_DEFAULT"
row "follower GET default p99 ms c=64" fget_p99 "" "" lower
row "follower GET consistent/s c=64" fcons ""
row "follower GET stale/s c=64" fstale ""
row "stale-read window p50 ms" window_p50 "" "" lower
row "stale-read window p99 ms" window_p99 "" "" lower
row "start to leader ms" start_ms start_ms "" lower
row "failover ms (median)" failover_ms failover_ms "" lower
row "client failure detected ms" detect_ms "" "" lower
row "false-positive samples" false_pos "" "" lower
row "max server RSS MiB idle" rss_idle_max rss_idle_max "" lower
row "max server RSS MiB after writes" rss_max rss_max "$CONSUL_RSS_MIB" lower
[ -n "$have_consul" ] && echo "best/Consul: against the consul column (measured in this run) where it has a figure."
[ -z "$have_consul" ] && echo "Consul 1.4.5 reference (issue): reads default $CONSUL_READ_DEFAULT/s, stale $CONSUL_READ_STALE/s, consistent $CONSUL_READ_CONSISTENT/s, follower default $CONSUL_FOLLOWER_READ_DEFAULT/s, RSS ~$CONSUL_RSS_MIB MiB."
echo "Targets (issue 19): PUT >= 2x etcd cold and warm with p99 <= etcd's; reads >= 2x Consul in every mode, leader and follower; start to leader <= 1500 ms; RSS <= etcd's idle and after writes; stale-read window <= 10 ms; failover <= 500 ms; detection <= 2000 ms with 0 false positives."
