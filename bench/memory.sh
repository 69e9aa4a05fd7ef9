#!/usr/bin/env bash
# RSS per server (issue 19, "Memory"): 3 servers on loopback, RSS idle after the start, then N
# writes (wrk, 2 threads, 64 connections, PUT of 128-byte values to distinct keys, the load of
# bench/cluster.sh, in 2-second runs until N succeeded) and RSS after them, plus the write rate of those N writes and of a further
# timed run at c=64 (to check a memory change costs no throughput). With BENCH_NMT=1 each server runs
# with -XX:NativeMemoryTracking=summary and its 'jcmd VM.native_memory summary', thread count and
# heap histogram (top 25) are saved next to the logs, which are kept.
#
# Usage: bench/memory.sh [writes] [timed-seconds]      (defaults 100000 and 10)
# Environment: BENCH_NET (loopback /24 prefix, default 127.0.43), BENCH_NMT=1, BENCH_IDLE_SECS
#              (seconds between the leader and the idle RSS, default 5), TRIBUNE_JAVA_OPTS (bin/tribune).
# Needs: the distribution (mvn -q -pl launcher,bundles install -DskipTests), curl, jq, wrk; jcmd for
# BENCH_NMT. Every process started here is killed by PID on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
writes="${1:-100000}"
secs="${2:-10}"
net="${BENCH_NET:-127.0.43}"
idle="${BENCH_IDLE_SECS:-5}"
case "$writes" in ''|*[!0-9]*) echo "writes must be a positive integer, got '$writes'" >&2; exit 2 ;; esac
case "$secs" in ''|*[!0-9]*) echo "timed-seconds must be a positive integer, got '$secs'" >&2; exit 2 ;; esac
case "$idle" in ''|*[!0-9]*) echo "BENCH_IDLE_SECS must be seconds, got '$idle'" >&2; exit 2 ;; esac
bench_check_net "$net"
[ "$writes" -ge 2 ] && [ "$writes" -le 10000000 ] || { echo "writes must be 2..10000000" >&2; exit 2; }
[ -d bundles/target/dist/lib ] || { echo "no distribution: mvn -q -pl launcher,bundles install -DskipTests" >&2; exit 2; }

bench_init memory-bench "${BENCH_NMT:-}"
java_bin="$(bench_agent_java)"

threads() { ls "/proc/$1/task" 2>/dev/null | wc -l; }
report() { # label: RSS and threads of every server, and NMT details when asked
  local r=() t=() i
  for i in 2 3 4; do r+=("$(bench_rss_mib "${PID[server-$i]}")"); t+=("$(threads "${PID[server-$i]}")"); done
  echo "RSS $1 (MiB): ${r[*]}  max $(bench_max "${r[@]}"); threads: ${t[*]}"
  if [ -n "${BENCH_NMT:-}" ]; then
    for i in 2 3 4; do
      jcmd "${PID[server-$i]}" VM.native_memory summary >"$tmp/nmt-$1-server-$i.txt" 2>&1 || true
      jcmd "${PID[server-$i]}" GC.class_histogram 2>/dev/null | head -30 >"$tmp/histo-$1-server-$i.txt" || true
      jcmd "${PID[server-$i]}" Thread.print >"$tmp/threads-$1-server-$i.txt" 2>&1 || true
    done
  fi
}

bench_ensure_free "$net" 2 3 4
nmt=(); [ -n "${BENCH_NMT:-}" ] && nmt=(-XX:NativeMemoryTracking=summary)
TRIBUNE_JAVA_OPTS="${nmt[*]} ${TRIBUNE_JAVA_OPTS:-}" bench_start_servers . "$net" server
leader=$(bench_wait_leader "$net.2" 90)
echo "== $(bench_java_line "$java_bin") ($java_bin); TRIBUNE_JAVA_OPTS='${TRIBUNE_JAVA_OPTS:-}'; leader $leader"
sleep "$idle"
report idle
# wrk runs for a time, not a count: 2-second runs until the writes are made (at most 2 s more).
total=0; t0=$(date +%s%N); worst=0
while [ "$total" -lt "$writes" ]; do
  read -r _ p99 bad n < <(bench_wrk 64 2 -s bench/kv-put.lua "http://$leader:8500")
  total=$(( total + n - bad ))
  worst=$(awk -v a="$worst" -v b="$p99" 'BEGIN { print (b > a ? b : a) }')
done
el_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "$total writes at c=64 in $el_ms ms: $(( total * 1000 / (el_ms > 0 ? el_ms : 1) ))/s (worst p99 of the 2 s runs ${worst} ms)"
report "after-${writes}"
read -r rps p99 bad n < <(bench_wrk 64 "$secs" -s bench/kv-put.lua "http://$leader:8500")
echo "timed PUT c=64 ${secs}s: ${rps}/s p99 ${p99} ms (non-2xx $bad, $n writes)"
report "after-timed"
applied=$(curl -s -m 2 "$leader:8500/v1/agent/self" 2>/dev/null | jq -r '.Stats.raft.applied_index // "?"' 2>/dev/null || echo "?")
echo "log entries applied: $applied"
