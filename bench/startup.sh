#!/usr/bin/env bash
# Start time (issue 19), two figures, each with a timeline of where the time goes:
#   dev:     exec of 'bin/tribune agent -dev' to the first 200 with a leader from /v1/status/leader,
#            in each runtime (felix, jpms);
#   cluster: exec of 3 servers with -bootstrap-expect 3 on loopback (retry-join of the first, as
#            bench/cluster.sh starts them) to the first server that names a leader.
# Per run it prints the wall time, the CPU time (user+sys, from /proc) each JVM had used when the
# figure was reached (3 JVMs on 2 cores: CPU per agent start matters as much as waits), and a
# timeline: ms after exec of each start-up step, read from the agents' own log lines (their
# timestamps, -log-level debug): JVM and launcher up with the configuration read, plugins loaded,
# agent core, each listener, LAN join, bootstrap_expect met, consensus started, leader known, agent
# ready.
# Prints the median of N runs (default 5) per figure, with min, max and every run.
#
# Usage: bench/startup.sh [runs] [dev|cluster|all]     (default: 5 all)
# Environment: STARTUP_NET (loopback /24 prefix: the dev agent on .1, the cluster on .2-.4; default
#              127.0.42: apart from bench/cluster.sh and itests), STARTUP_KEEP=1 keeps the logs (path printed),
#              STARTUP_DIST (a distribution directory to time instead of this checkout's, e.g. a copy
#              of an older build for before/after runs), TRIBUNE_JAVA_OPTS (bin/tribune).
# Needs: the distribution (mvn -q -pl launcher,bundles -am install -DskipTests), curl.
# Every process started here is killed by PID on exit; the temporary directory is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
what="${2:-all}"
net="${STARTUP_NET:-127.0.42}"
case "$runs" in ''|*[!0-9]*) echo "runs must be a positive integer, got '$runs'" >&2; exit 2 ;; esac
[ "$runs" -ge 1 ] && [ "$runs" -le 50 ] || { echo "runs must be 1..50" >&2; exit 2; }
case "$what" in dev|cluster|all) ;; *) echo "what must be dev, cluster or all, got '$what'" >&2; exit 2 ;; esac
case "$net" in 127.[0-9]*.[0-9]*) ;; *) echo "STARTUP_NET must be a 127.x.y loopback prefix, got '$net'" >&2; exit 2 ;; esac
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 2; }
tribune="bin/tribune"
[ -n "${STARTUP_DIST:-}" ] && tribune="$STARTUP_DIST/bin/tribune"
[ -x "$tribune" ] || { echo "$tribune is missing: build first" >&2; exit 2; }

. bench/lib.sh
bench_init startup "${STARTUP_KEEP:-}"

# CPU time (user+sys) of a live process in ms, from /proc/PID/stat fields 14 and 15 (clock ticks).
cpu_ms() {
  local hz; hz=$(getconf CLK_TCK)
  awk -v hz="$hz" '{ sub(/^.*\) /, ""); printf "%d", ($12 + $13) * 1000 / hz }' "/proc/$1/stat" 2>/dev/null || echo "-"
}
stats() { # values... -> "median_ms=.. min_ms=.. max_ms=.. all=.."
  local sorted; sorted=($(printf '%s\n' "$@" | sort -n))
  echo "median_ms=${sorted[$(( ${#sorted[@]} / 2 ))]} min_ms=${sorted[0]} max_ms=${sorted[-1]} all=$*"
}

# The timeline of one agent's log: "step=ms" for the first line matching each step, ms after $2
# (exec, epoch ms). Log lines start with an ISO-8601 UTC timestamp with milliseconds.
timeline() { # log exec_ms
  local day_ms=$(( $2 % 86400000 ))
  awk -v t0="$day_ms" '
    function at(line,   t, h, m, s) {
      t = substr(line, 12, 12)                # HH:MM:SS.mmm
      h = substr(t, 1, 2); m = substr(t, 4, 2); s = substr(t, 7, 6)
      v = int((h * 3600 + m * 60 + s) * 1000 + 0.5) - t0
      if (v < -43200000) v += 86400000        # the run crossed midnight
      return v
    }
    function mark(name, line) { if (!(name in seen)) { seen[name] = at(line); order[++n] = name } }
    !/^[0-9][0-9][0-9][0-9]-/ { next }
    /startup: configuration read/       { mark("config", $0) }
    /plugins loaded in/                 { mark("plugins", $0) }
    /starting agent /                   { mark("agent", $0) }
    /transport-grpc: listening on/      { mark("rpc_port", $0) }
    /LAN pool .* on /                   { mark("gossip_port", $0) }
    /joined the LAN pool/               { mark("lan_joined", $0) }
    /found [0-9]+ servers, bootstrapping/ { mark("expect_met", $0) }
    /starting consensus/                { mark("consensus", $0) }
    /started dns/                       { mark("dns", $0) }
    /started grpc/                      { mark("grpc", $0) }
    /started http/                      { mark("http", $0) }
    /agent started in/                  { mark("agent_started", $0) }
    /ready [0-9]+ ms after process start/ { mark("ready", $0) }
    /(raft|consensus-single) .*started: term/ { mark("consensus_up", $0) }
    /cluster leadership acquired|New leader elected|: leader in term|: following .* in term/ { mark("leader", $0) }
    END { for (i = 1; i <= n; i++) printf "%s%s=%d", (i > 1 ? " " : ""), order[i], seen[order[i]]; print "" }
  ' "$1"
}

run_dev() { # runtime -> prints ms; sets LAST_CPU
  local runtime="$1" port=18577 out ok=0 start end pid
  start=$(bench_now_ms)
  "$tribune" agent -dev -bind "$net.1" -client "$net.1" -http-port "$port" -runtime "$runtime" -grpc-port 18578 -dns-port 18579 \
    -log-level debug >"$tmp/dev.log" 2>&1 &
  pid=$!; PID[dev]=$pid
  for _ in $(seq 1 3000); do
    out=$(curl -s -m 1 "$net.1:$port/v1/status/leader" 2>/dev/null || true)
    if [ "${#out}" -gt 2 ]; then ok=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.005
  done
  end=$(bench_now_ms)
  LAST_CPU=$(cpu_ms "$pid")
  bench_stop_all
  if [ "$ok" != 1 ]; then echo "dev run ($runtime) failed:" >&2; tail -n 30 "$tmp/dev.log" >&2; exit 1; fi
  LAST_TIMELINE=$(timeline "$tmp/dev.log" "$start")
  LAST_MS=$(( end - start ))
}

run_cluster() { # -> LAST_MS, LAST_CPU (per server), LAST_TIMELINE (per server)
  local i out leader="" start end
  for i in 2 3 4; do
    if curl -s -m 0.3 -o /dev/null "$net.$i:8500/v1/status/leader"; then
      echo "something already answers on $net.$i:8500; stop it first" >&2; exit 2
    fi
  done
  rm -rf "$tmp"/server-*
  start=$(bench_now_ms)
  for i in 2 3 4; do
    mkdir -p "$tmp/server-$i"
    "$tribune" agent -server -bootstrap-expect 3 -node "server-$i" -bind "$net.$i" -client "$net.$i" \
      -data-dir "$tmp/server-$i" -retry-join "$net.2" -retry-interval 1s -grpc-port -1 -log-level debug \
      >"$tmp/server-$i.log" 2>&1 &
    PID[server-$i]=$!
  done
  for _ in $(seq 1 3000); do
    for i in 2 3 4; do
      out=$(curl -s -m 1 "$net.$i:8500/v1/status/leader" 2>/dev/null || true)
      out="${out//\"/}"
      if [ -n "$out" ]; then leader="$out"; break 2; fi
    done
    sleep 0.005
  done
  end=$(bench_now_ms)
  LAST_CPU=""
  for i in 2 3 4; do LAST_CPU="$LAST_CPU $(cpu_ms "${PID[server-$i]}")"; done
  bench_stop_all
  if [ -z "$leader" ]; then echo "cluster run failed: no leader" >&2; tail -n 20 "$tmp"/server-*.log >&2; exit 1; fi
  LAST_TIMELINE=""
  for i in 2 3 4; do LAST_TIMELINE="$LAST_TIMELINE
    server-$i: $(timeline "$tmp/server-$i.log" "$start")"; done
  LAST_MS=$(( end - start ))
  LAST_LEADER="$leader"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$what" = dev ] || [ "$what" = all ]; then
  for runtime in felix jpms; do
    times=(); cpus=()
    for i in $(seq 1 "$runs"); do
      run_dev "$runtime"
      times+=("$LAST_MS"); cpus+=("$LAST_CPU")
      echo "  dev $runtime run $i: ${LAST_MS} ms, cpu ${LAST_CPU} ms, load $(cut -d' ' -f1 /proc/loadavg); $LAST_TIMELINE"
    done
    echo "startup runtime=$runtime runs=$runs $(stats "${times[@]}") cpu_median_ms=$(stats "${cpus[@]}" | sed 's/median_ms=\([0-9]*\).*/\1/')"
  done
fi
if [ "$what" = cluster ] || [ "$what" = all ]; then
  times=(); cpus=()
  for i in $(seq 1 "$runs"); do
    run_cluster
    times+=("$LAST_MS")
    for c in $LAST_CPU; do cpus+=("$c"); done
    echo "  cluster run $i: leader $LAST_LEADER after ${LAST_MS} ms, cpu per server${LAST_CPU} ms, load $(cut -d' ' -f1 /proc/loadavg)$LAST_TIMELINE"
  done
  echo "startup cluster3 runs=$runs $(stats "${times[@]}") cpu_per_server_median_ms=$(stats "${cpus[@]}" | sed 's/median_ms=\([0-9]*\).*/\1/')"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
