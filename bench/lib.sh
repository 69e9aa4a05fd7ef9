# Shared by the cluster benchmarks (cluster.sh, memory.sh, write-path.sh); sourced, not run.
# Gives: a temporary directory and a PID table cleaned up on exit, starting Tribune servers on a
# loopback /24, waiting for their leader, wrk with its figures parsed, RSS/CPU of a process, and the
# JDKs to run Tribune on. Every process is started through here or recorded in PID, and killed by PID.
#
# The caller sets -euo pipefail and cd's to the checkout first, then: bench_init <name> [keep]
# (keep non-empty: the directory is kept and its path printed).

bench_init() {
  tmp="$(mktemp -d "/tmp/tribune-$1.XXXXXX")"
  BENCH_KEEP_TMP="${2:-}"
  declare -gA PID=()
  BENCH_CLEANUP_HOOK=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_cleanup() {
  set +e
  [ -n "${BENCH_CLEANUP_HOOK:-}" ] && "$BENCH_CLEANUP_HOOK"
  bench_stop_all
  if [ -n "${BENCH_KEEP_TMP:-}" ]; then echo "logs kept in $tmp"; else rm -rf "$tmp"; fi
}

# SIGTERM to every recorded process, up to 5 s for them to exit, then SIGKILL; forgets them.
bench_stop_all() {
  local n
  for n in "${!PID[@]}"; do kill -TERM "${PID[$n]}" 2>/dev/null || true; done
  for n in "${!PID[@]}"; do
    for _ in $(seq 1 50); do kill -0 "${PID[$n]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${PID[$n]}" 2>/dev/null || true
    wait "${PID[$n]}" 2>/dev/null || true
    unset "PID[$n]"
  done
}

bench_check_net() { # prefix -> exit 2 unless a 127.x.y prefix
  case "$1" in 127.[0-9]*.[0-9]*) ;; *) echo "BENCH_NET must be a 127.x.y loopback prefix, got '$1'" >&2; exit 2 ;; esac
}

bench_ensure_free() { # net index... -> exit 2 when something already answers on NET.i:8500
  local net="$1" i; shift
  for i in "$@"; do
    if curl -s -m 0.3 -o /dev/null "$net.$i:8500/v1/status/leader"; then
      echo "something already answers on $net.$i:8500 (another cluster running?); stop it first" >&2
      exit 2
    fi
  done
}

bench_now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
bench_median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "-")}'; }
bench_rss_mib() { ps -o rss= -p "$1" 2>/dev/null | awk '{printf "%.0f", $1 / 1024}'; }
bench_max() { printf '%s\n' "$@" | sort -n | tail -1; }

# bench_start_agent DIST NAME NET INDEX DATA_DIR [args...]: one agent on NET.INDEX (HTTP, RPC, Serf on
# Consul's default ports there; gRPC off), retry-joining NET.2, output appended to $tmp/NAME.log;
# extra args (e.g. -server -bootstrap-expect 3) go last. The JVM is the one bin/tribune picks, or
# TRIBUNE_JAVA when the caller exports it. BENCH_AGENT_BIN, when set, is run instead of DIST's
# bin/tribune (a consul binary: its agent takes the same flags).
bench_start_agent() {
  local dist="$1" name="$2" net="$3" i="$4" dir="$5"; shift 5
  mkdir -p "$dir"
  "${BENCH_AGENT_BIN:-$dist/bin/tribune}" agent -node "$name" -bind "$net.$i" -client "$net.$i" -data-dir "$dir" \
    -retry-join "$net.2" -retry-interval 1s -grpc-port -1 -log-level "${BENCH_LOG_LEVEL:-warn}" "$@" \
    >>"$tmp/$name.log" 2>&1 &
  PID[$name]=$!
}

# bench_start_servers DIST NET PREFIX: three servers PREFIX-2..4 on NET.2-4, bootstrap-expect 3.
bench_start_servers() {
  local dist="$1" net="$2" prefix="$3" i
  for i in 2 3 4; do bench_start_agent "$dist" "$prefix-$i" "$net" "$i" "$tmp/$prefix-$i" -server -bootstrap-expect 3; done
}

bench_leader_ip() { # ip -> the leader's IP as that agent sees it, or nothing
  local out
  out=$(curl -s -m 1 "$1:8500/v1/status/leader" 2>/dev/null || true)
  out="${out//\"/}"; echo "${out%%:*}"
}

# bench_wait_leader IP SECONDS: prints the leader's IP once IP names one; exits 1 with the logs' tails
# when none within SECONDS.
bench_wait_leader() {
  local ip="$1" secs="$2" leader="" deadline
  deadline=$(( $(bench_now_ms) + secs * 1000 ))
  while [ "$(bench_now_ms)" -lt "$deadline" ]; do
    leader=$(bench_leader_ip "$ip")
    [ -n "$leader" ] && { echo "$leader"; return 0; }
    sleep 0.01
  done
  echo "no leader within $secs s" >&2
  tail -n 20 "$tmp"/*.log >&2 || true
  exit 1
}

# bench_wrk CONNS SECONDS wrk-args...: wrk with 2 threads and latency; prints "requests/s p99_ms
# non2xx requests".
bench_wrk() {
  local conns="$1" secs="$2"; shift 2
  wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" 2>&1 | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    / requests in / { n = $1 }
    END { printf "%d %.2f %d %d\n", rps, p99, bad + 0, n + 0 }'
}

# bench_newest_jdk MIN: the home of the newest JDK under /usr/lib/jvm whose feature release is at
# least MIN (from its release file), or nothing.
bench_newest_jdk() {
  local best=0 home="" d f
  for d in /usr/lib/jvm/*; do
    [ -x "$d/bin/java" ] && [ -f "$d/release" ] || continue
    f=$(sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9]*\).*/\1/p' "$d/release")
    if [ -n "$f" ] && [ "$f" -ge "$1" ] && [ "$f" -gt "$best" ]; then best="$f"; home="$d"; fi
  done
  echo "$home"
}

# The java binary bin/tribune runs an agent on, and its label: TRIBUNE_JAVA (binary or JDK home) when
# set, else JAVA_HOME's, else the newest JDK 17+ under /usr/lib/jvm, else the java on PATH; the same
# order as bin/tribune.
bench_agent_java() {
  local j home
  if [ -n "${TRIBUNE_JAVA:-}" ]; then
    j="$TRIBUNE_JAVA"; [ -d "$j" ] && j="$j/bin/java"; echo "$j"; return
  fi
  [ -n "${JAVA_HOME:-}" ] && { echo "$JAVA_HOME/bin/java"; return; }
  home="$(bench_newest_jdk 17)"
  echo "${home:+$home/bin/}java"
}
bench_java_label() { # java binary -> jdk17, jdk25, ...
  "$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print "jdk" v[1]; exit }'
}
bench_java_line() { "$1" -version 2>&1 | head -1; }

# bench_jdks: the JDK homes to run Tribune on by default: the build baseline (17, the java on PATH
# or Debian's) and the newest JDK 25+ under /usr/lib/jvm, when present.
bench_jdks() {
  local base newest
  base="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  newest="$(bench_newest_jdk 25)"
  echo "$base${newest:+ $newest}"
}
