#!/usr/bin/env bash
# Write throughput and tail at 16 and 64 connections, cold and warm, for one or more Tribune
# distributions run in turn (interleaved rounds), so that a change can be measured beside its
# baseline on the same, possibly loaded, machine; optionally with a JFR recording of each server.
#
# Per round and distribution: 3 servers on $BENCH_NET.2-4 (rocksdb + raft + grpc transport, fsync
# on), then wrk PUT (bench/kv-put.lua, 128-byte values, to the leader) at c=16 for BENCH_COLD_SECS
# right after the leader is up (cold), c=64 the same, BENCH_WARMUP seconds of unreported c=64 load,
# then c=16 and c=64 for BENCH_SECS each (warm). One line per run:
#   <dist> round=<n> cold16=<rps>/<p99 ms> cold64=... warm16=... warm64=... load=<1-min load avg>
# then the median of every figure per distribution.
#
# With BENCH_JFR=1 each server records JFR during the warm c=16 run (settings=profile) and the
# script prints, per server, the top frames of execution samples and the top stacks where threads
# parked or blocked on a monitor (where a write's time goes when the CPU is not the bound).
#
# Usage: bench/write-path.sh DIST [DIST...]     DIST: an unpacked distribution (bin/tribune inside),
#        e.g. bundles/target/dist, or a copy of it with another plugins/tribune-raft-*.jar.
# Environment: BENCH_ROUNDS (default 3), BENCH_SECS (10), BENCH_COLD_SECS (5), BENCH_WARMUP (10),
#              BENCH_NET (default 127.0.46), BENCH_JFR (0), TRIBUNE_JAVA_OPTS (passed on).
# Needs: curl, wrk; jfr (the JDK's) with BENCH_JFR=1. Every process started here is killed by PID
# on exit; the temporary directory is removed (JFR summaries are printed before).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
rounds="${BENCH_ROUNDS:-3}"
secs="${BENCH_SECS:-10}"
cold="${BENCH_COLD_SECS:-5}"
warm="${BENCH_WARMUP:-10}"
net="${BENCH_NET:-127.0.46}"
jfr="${BENCH_JFR:-0}"
[ $# -ge 1 ] || { echo "usage: $0 DIST [DIST...]" >&2; exit 2; }
for d in "$@"; do [ -x "$d/bin/tribune" ] || { echo "no $d/bin/tribune" >&2; exit 2; }; done
bench_check_net "$net"
for v in "$rounds" "$secs" "$cold" "$warm"; do
  case "$v" in ''|*[!0-9]*) echo "BENCH_ROUNDS, BENCH_SECS, BENCH_COLD_SECS, BENCH_WARMUP must be integers" >&2; exit 2 ;; esac
done
[ "$rounds" -ge 1 ] && [ "$rounds" -le 20 ] || { echo "BENCH_ROUNDS must be 1..20" >&2; exit 2; }
[ "$secs" -ge 1 ] && [ "$secs" -le 300 ] && [ "$cold" -ge 1 ] && [ "$cold" -le 300 ] && [ "$warm" -le 600 ] \
  || { echo "BENCH_SECS and BENCH_COLD_SECS must be 1..300, BENCH_WARMUP 0..600" >&2; exit 2; }
for tool in curl wrk; do command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }; done

bench_init write-path

# wrk PUT -> "rps/p99ms"
run_wrk() {
  local rps p99
  read -r rps p99 _ _ < <(bench_wrk "$1" "$2" -s bench/kv-put.lua "$3")
  printf '%s/%.1f\n' "$rps" "$p99"
}

jfr_summary() { # file label
  local f="$1" label="$2"
  command -v jfr >/dev/null || { echo "  (no jfr tool on PATH)"; return; }
  echo "  -- $label: top frames of execution samples"
  jfr print --stack-depth 24 --events jdk.ExecutionSample "$f" 2>/dev/null | awk '/stackTrace = \[/ { getline; sub(/^ +/, ""); sub(/line:.*/, ""); print }' \
    | sort | uniq -c | sort -rn | head -15 || true
  echo "  -- $label: where threads parked or blocked (first 3 frames outside java.util.concurrent; total ms, count)"
  jfr print --stack-depth 24 --events jdk.ThreadPark,jdk.JavaMonitorEnter "$f" 2>/dev/null | awk '
    /duration = / { d = $3; u = $4; ms = (u ~ /^ms/) ? d : (u ~ /^s/) ? d * 1000 : (u ~ /^us/) ? d / 1000 : d / 1e6 }
    /stackTrace = \[/ { s = ""; for (i = 0; i < 24; i++) { getline; if ($0 ~ /^ *\]/ || $0 ~ /^ *\.\.\.$/) break; sub(/^ +/, ""); sub(/line:.*/, ""); if ($0 !~ /^(jdk\.internal|java\.util\.concurrent)/) { s = s (s ? " < " : "") $0; if (++k >= 3) break } } k = 0; n[s]++; t[s] += ms }
    END { for (s in n) printf "%8.0f ms %6d  %s\n", t[s], n[s], s }' | sort -rn | head -10 || true
}

declare -A ALL=()
for r in $(seq 1 "$rounds"); do
  for d in "$@"; do
    bench_ensure_free "$net" 2 3 4
    rm -rf "$tmp"/s-*
    bench_start_servers "$d" "$net" s
    leader=$(bench_wait_leader "$net.2" 90)
    for _ in $(seq 1 500); do
      [ "$(curl -s -m 1 -X PUT -d x "$leader:8500/v1/kv/wp/first" 2>/dev/null || true)" = true ] && break; sleep 0.02
    done
    c16=$(run_wrk 16 "$cold" "http://$leader:8500")
    c64=$(run_wrk 64 "$cold" "http://$leader:8500")
    [ "$warm" -gt 0 ] && run_wrk 64 "$warm" "http://$leader:8500" >/dev/null
    if [ "$jfr" = 1 ]; then
      for i in 2 3 4; do
        jcmd "${PID[s-$i]}" JFR.start name=wp settings=profile filename="$tmp/s-$i.jfr" >/dev/null 2>&1 || true
      done
    fi
    w16=$(run_wrk 16 "$secs" "http://$leader:8500")
    if [ "$jfr" = 1 ]; then
      for i in 2 3 4; do jcmd "${PID[s-$i]}" JFR.stop name=wp >/dev/null 2>&1 || true; done
    fi
    w64=$(run_wrk 64 "$secs" "http://$leader:8500")
    load=$(cut -d' ' -f1 /proc/loadavg)
    echo "$d round=$r cold16=$c16 cold64=$c64 warm16=$w16 warm64=$w64 load=$load"
    ALL[$d]+="$c16 $c64 $w16 $w64;"
    if [ "$jfr" = 1 ]; then
      for i in 2 3 4; do
        role=follower; [ "$net.$i" = "$leader" ] && role=leader
        [ -f "$tmp/s-$i.jfr" ] && jfr_summary "$tmp/s-$i.jfr" "s-$i ($role)"
      done
    fi
    bench_stop_all
  done
done

echo "== medians over $rounds rounds (requests/s / p99 ms)"
for d in "$@"; do
  IFS=';' read -r -a runs <<<"${ALL[$d]}"
  line="$d"
  for k in 0 1 2 3; do
    name=(cold16 cold64 warm16 warm64)
    rps=(); p99=()
    for run in "${runs[@]}"; do
      [ -n "$run" ] || continue
      read -r -a f <<<"$run"
      rps+=("${f[$k]%%/*}"); p99+=("${f[$k]##*/}")
    done
    mr=$(printf '%s\n' "${rps[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    mp=$(printf '%s\n' "${p99[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    line="$line ${name[$k]}=$mr/$mp"
  done
  echo "$line"
done
