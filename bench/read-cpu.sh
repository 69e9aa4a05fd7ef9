#!/usr/bin/env bash
# CPU time per HTTP read (issue 19): GET /v1/kv/<key> of one 128-byte value with wrk (2 threads,
# 64 connections), per mode (default, stale, consistent), on the leader and on a follower of a
# 3-server cluster (or on a dev agent). Prints requests/s and the CPU time (utime + stime from
# /proc/PID/stat, every thread of the JVM) the serving agent, and for follower reads also the leader,
# spent per request. CPU per request is what the shared load of a busy machine disturbs least;
# requests/s are printed beside it with the load average, and the bytes the serving JVM allocated per
# request (jstat, when the JDK has it), which load does not disturb at all.
#
# Usage: bench/read-cpu.sh [wrk-seconds] [rounds]        (defaults 5 and 3)
# Environment: BENCH_NET (loopback /24 prefix, default 127.0.0), BENCH_WARMUP (seconds of unreported
#              GET load per mode before the first round, default 10), BENCH_DEV=1 (a dev agent on
#              $BENCH_NET.2 instead of a cluster: leader modes only), BASELINE (another build's
#              bin/tribune: its cluster runs beside this one's and every measurement alternates
#              between the two builds), TRIBUNE_JAVA and TRIBUNE_JAVA_OPTS (bin/tribune's).
# A/B on JDK 25: a distribution copied elsewhere loses its AOT cache (the cache is tied to the path
# it was trained at), which changes how its JIT warms up; compare builds on JDK 17
# (TRIBUNE_JAVA=/usr/lib/jvm/java-17-openjdk-amd64) or each in the place it was built.
# Addresses: servers on $BENCH_NET.2-4 (.12-14 for BASELINE) with Consul's default ports, gRPC off.
# Needs wrk, curl. Every process started here is killed by PID on exit; the temporary directory is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
secs="${1:-5}"
rounds="${2:-3}"
net="${BENCH_NET:-127.0.0}"
warm="${BENCH_WARMUP:-10}"
bench_check_net "$net"
for v in "$secs" "$rounds" "$warm"; do
  case "$v" in ''|*[!0-9]*) echo "seconds, rounds and BENCH_WARMUP must be non-negative integers, got '$v'" >&2; exit 2 ;; esac
done
[ "$secs" -ge 1 ] && [ "$secs" -le 600 ] && [ "$rounds" -ge 1 ] && [ "$rounds" -le 50 ] \
  || { echo "wrk seconds must be 1..600 and rounds 1..50" >&2; exit 2; }
command -v wrk >/dev/null || { echo "install wrk first: apt-get install -y wrk" >&2; exit 2; }
builds=("bin/tribune")
[ -n "${BASELINE:-}" ] && { [ -x "$BASELINE" ] || { echo "BASELINE must be a bin/tribune, got '$BASELINE'" >&2; exit 2; }; builds+=("$BASELINE"); }

bench_init read-cpu

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime of every thread
# Bytes the JVM allocated so far, from jstat next to the agent's java: young collections times eden
# capacity plus eden in use (exact while eden keeps its size, as with bin/tribune's fixed young
# generation); "-" without jstat.
heap_used() {
  local js; js="$(dirname "$(readlink -f "/proc/$1/exe")")/jstat"
  [ -x "$js" ] || { echo -; return; }
  "$js" -gc "$1" | awk 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 { printf "%.0f\n", ($c["YGC"] * $c["EC"] + $c["EU"]) * 1024 }'
}
declare -A SPID=()      # "<build>:<ip>" -> pid
declare -A LEADER=() FOLLOWER=()

start_build() { # build-index first-host-number
  local b="$1" base="$2" tribune="${builds[$1]}" i name
  local hosts=("$base")
  [ -z "${BENCH_DEV:-}" ] && hosts=("$base" $((base + 1)) $((base + 2)))
  for i in "${hosts[@]}"; do
    name="b$b-$i"; mkdir -p "$tmp/$name"
    if [ -n "${BENCH_DEV:-}" ]; then
      "$tribune" agent -dev -node "$name" -bind "$net.$i" -client "$net.$i" -grpc-port -1 -dns-port -1 \
        -log-level warn >>"$tmp/$name.log" 2>&1 &
    else
      "$tribune" agent -server -bootstrap-expect 3 -node "$name" -bind "$net.$i" -client "$net.$i" \
        -data-dir "$tmp/$name" -retry-join "$net.$base" -retry-interval 1s -grpc-port -1 -dns-port -1 \
        -log-level warn >>"$tmp/$name.log" 2>&1 &
    fi
    PID[$name]=$!; SPID[$b:$net.$i]=$!
  done
  local leader=""
  for _ in $(seq 1 3000); do
    leader=$(curl -s -m 1 "$net.$base:8500/v1/status/leader" 2>/dev/null || true)
    leader="${leader//\"/}"; leader="${leader%%:*}"
    [ -n "$leader" ] && curl -s -m 1 -X PUT --data-binary "$(head -c 128 /dev/zero | tr '\0' x)" \
      "$leader:8500/v1/kv/bench/get" 2>/dev/null | grep -q true && break
    leader=""; sleep 0.02
  done
  [ -n "$leader" ] || { echo "build $tribune: no leader after 60 s"; tail -n 20 "$tmp"/b"$b"-*.log; exit 1; }
  LEADER[$b]="$leader"
  FOLLOWER[$b]=""
  for i in "${hosts[@]}"; do [ "$net.$i" != "$leader" ] && { FOLLOWER[$b]="$net.$i"; break; }; done
  echo "build $b ($tribune): leader $leader (pid ${SPID[$b:$leader]}), follower ${FOLLOWER[$b]:-none}"
}

# measure build target-ip query -> "req/s cpu_us_per_req_target cpu_us_per_req_leader bytes_allocated_per_req_target"
measure() {
  local b="$1" ip="$2" q="$3" lead="${LEADER[$1]}"
  local tp="${SPID[$b:$ip]}" lp="${SPID[$b:$lead]}"
  local t0 l0 t1 l1 out reqs rps
  local h0 h1
  h0=$(heap_used "$tp"); t0=$(cpu_ticks "$tp"); l0=$(cpu_ticks "$lp")
  out=$(wrk -t2 -c64 -d"${secs}s" "http://$ip:8500/v1/kv/bench/get$q" 2>&1)
  t1=$(cpu_ticks "$tp"); l1=$(cpu_ticks "$lp"); h1=$(heap_used "$tp")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {printf "%d", $2}' <<<"$out")
  if grep -q Non-2xx <<<"$out"; then echo "non-2xx answers for $ip$q: $(grep Non-2xx <<<"$out")" >&2; fi
  awk -v r="$reqs" -v rps="$rps" -v dt=$((t1 - t0)) -v dl=$((l1 - l0)) -v hz="$ticks" -v h0="$h0" -v h1="$h1" \
    'BEGIN { printf "%d %.1f %.1f %s\n", rps, dt / hz * 1e6 / r, dl / hz * 1e6 / r,
             (h0 == "-" || h1 == "-") ? "-" : sprintf("%.0f", (h1 - h0) / r) }'
}

for b in "${!builds[@]}"; do start_build "$b" $((2 + 10 * b)); done

modes=("leader default:" "leader stale:?stale" "leader consistent:?consistent")
[ -z "${BENCH_DEV:-}" ] && modes+=("follower default:" "follower stale:?stale" "follower consistent:?consistent")
target() { [ "${1%% *}" = leader ] && echo "${LEADER[$2]}" || echo "${FOLLOWER[$2]}"; }

if [ "$warm" -gt 0 ]; then
  for b in "${!builds[@]}"; do
    for m in "${modes[@]}"; do
      wrk -t2 -c64 -d"${warm}s" "http://$(target "$m" "$b"):8500/v1/kv/bench/get${m#*:}" >/dev/null 2>&1
    done
  done
fi

declare -A SUM_RPS=() SUM_CPU=() SUM_LCPU=() SUM_B=()
printf '%-6s %-20s %-5s %9s %12s %12s %10s   %s\n' round mode build req/s "cpu-us/req" "leader-us/req" "bytes/req" load
for r in $(seq 1 "$rounds"); do
  for m in "${modes[@]}"; do
    for b in "${!builds[@]}"; do
      read -r rps cpu lcpu bytes < <(measure "$b" "$(target "$m" "$b")" "${m#*:}")
      printf '%-6s %-20s %-5s %9s %12s %12s %10s   %s\n' "$r" "${m%%:*}" "$b" "$rps" "$cpu" \
        "$([ "${m%% *}" = follower ] && echo "$lcpu" || echo -)" "$bytes" "$(cut -d' ' -f1 /proc/loadavg)"
      k="${m%%:*}|$b"
      SUM_RPS[$k]=$(( ${SUM_RPS[$k]:-0} + rps ))
      SUM_CPU[$k]=$(awk -v a="${SUM_CPU[$k]:-0}" -v b="$cpu" 'BEGIN {print a + b}')
      SUM_LCPU[$k]=$(awk -v a="${SUM_LCPU[$k]:-0}" -v b="$lcpu" 'BEGIN {print a + b}')
      SUM_B[$k]=$(awk -v a="${SUM_B[$k]:-0}" -v b="$bytes" 'BEGIN {print (a == "-" || b == "-") ? "-" : a + b}')
    done
  done
done
echo "== means over $rounds rounds (${secs}s each; build 0 = bin/tribune${BASELINE:+, build 1 = $BASELINE})"
for m in "${modes[@]}"; do
  for b in "${!builds[@]}"; do
    k="${m%%:*}|$b"
    awk -v m="${m%%:*}" -v b="$b" -v n="$rounds" -v r="${SUM_RPS[$k]}" -v c="${SUM_CPU[$k]}" -v l="${SUM_LCPU[$k]}" \
      -v f="$([ "${m%% *}" = follower ] && echo 1 || echo 0)" -v a="${SUM_B[$k]}" \
      'BEGIN { printf "%-20s build %s: %7d req/s, %6.1f us CPU/req, %s bytes allocated/req%s\n", m, b, r / n, c / n,
               (a == "-" ? "-" : sprintf("%.0f", a / n)), (f ? sprintf(" (leader %.1f us/req)", l / n) : "") }'
  done
done
