#!/usr/bin/env bash
# Wall time of CLI commands (bin/tribune version, members, kv get, kv put, info, catalog services,
# snapshot inspect) against a dev agent this script starts on BENCH_NET.2 (default 127.0.47.2) and
# stops by its PID: per command the median, min and max of N runs (default 20), the median less the
# bare JVM's, the mean CPU time (user + system of the whole process tree: bin/tribune, the JVM and its
# threads) per run, and the number of classes one run loads. A first line gives the bare JVM's start
# for reference (java -version with the CLI's JVM flags). Measure on an idle machine (see the load
# printed); the figures include the JVM's start and exit. Under load, wall times grow with the load but
# "above bare" and CPU time much less: compare those.
#
# BASELINE=/path/to/other/bin/tribune adds that launcher's figures for the same commands, against
# the same agent, runs interleaved with ours (one of each in turn), so that both see the same load:
# the way to compare a change on a busy machine. Example, against a copy of the previous build:
#   cp -r bundles/target/dist /tmp/before   (before the change; then rebuild)
#   BASELINE=/tmp/before/bin/tribune bench/cli.sh 20
# Usage: bench/cli.sh [runs]     (build first: mvn -q -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
baseline="${BASELINE:-}"
net="${BENCH_NET:-127.0.47}"
host="$net.2"
port=18591
addr="$host:$port"
log="$(mktemp /tmp/tribune-cli-bench.XXXXXX)"
snap="$(mktemp /tmp/tribune-cli-bench-snap.XXXXXX)"
times_file="$(mktemp /tmp/tribune-cli-bench-times.XXXXXX)"
bin/tribune agent -dev -node cli-bench -bind "$host" -client "$host" -http-port "$port" -grpc-port 18592 \
  -dns-port -1 -log-level warn >"$log" 2>&1 &
pid=$!
cleanup() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log" "$snap" "$times_file"; }
trap cleanup EXIT
for _ in $(seq 1 600); do
  out="$(TRIBUNE_HTTP_ADDR="$addr" bin/tribune kv put bench/key value 2>/dev/null || true)"
  [ -n "$out" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "agent exited:"; cat "$log"; exit 1; }
  sleep 0.1
done
export TRIBUNE_HTTP_ADDR="$addr"
bin/tribune snapshot save "$snap" >/dev/null
# One untimed run first: it writes the CLI's class-data archive if this place has none yet.
bins=("bin/tribune")
[ -n "$baseline" ] && bins+=("$baseline")
for b in "${bins[@]}"; do "$b" version >/dev/null; done
sleep 3
for b in "${bins[@]}"; do "$b" version >/dev/null; done

# The JVM bin/tribune runs CLI commands on: TRIBUNE_JAVA, else JAVA_HOME, else the java on PATH.
java="java"
if [ -n "${TRIBUNE_JAVA:-}" ]; then java="$TRIBUNE_JAVA"; [ -d "$java" ] && java="$java/bin/java"
elif [ -n "${JAVA_HOME:-}" ]; then java="$JAVA_HOME/bin/java"; fi
echo "load: $(uptime | sed 's/.*load average: //')   java: $("$java" -version 2>&1 | head -n 1)   runs: $runs"

ms() { # command...: wall time of one run in ms
  local s
  s=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  echo $(( ($(date +%s%N) - s) / 1000000 ))
}
# CPU time of this shell's finished children (user + system) in ms, from bash's 'times' (10 ms steps,
# so only a mean over many runs means much). Summed per build over its runs below.
# Sets $child_cpu; 'times' runs in this shell (a subshell or pipe would see no children of its own).
child_cpu_ms() {
  local u s
  times >"$times_file"
  { read -r _; read -r u s; } <"$times_file"   # second line: children's user and system time
  secs_ms "$u"; child_cpu="$secs"
  secs_ms "$s"; child_cpu=$(( child_cpu + secs ))
}
secs_ms() { # "1m2.345s" -> secs=62345 (a variable, not a subshell: its CPU time would count too)
  local m="${1%%m*}" r="${1#*m}"; r="${r%s}"
  local sec="${r%.*}" frac="${r#*.}"
  secs=$(( 10#$m * 60000 + 10#$sec * 1000 + 10#${frac:0:3} ))
}
stats() { # times...: "median min max"
  local sorted
  mapfile -t sorted < <(printf '%s\n' "$@" | sort -n)
  echo "${sorted[$(( ${#sorted[@]} / 2 ))]} ${sorted[0]} ${sorted[-1]}"
}
classes() { # tribune-bin args...: classes one run loads (all, and java.net.http's)
  local f all http
  f="$(mktemp /tmp/tribune-cli-bench-classes.XXXXXX)"
  # shellcheck disable=SC2086
  TRIBUNE_JAVA_OPTS="-Xlog:class+load=info:file=$f" "$@" >/dev/null 2>&1 || true
  all="$(grep -c 'class,load' "$f" || true)"
  http="$(grep -c ' java\.net\.http\.\| jdk\.internal\.net\.http\.' "$f" || true)"
  rm -f "$f" "$f".[0-9]  # the JVM moves the (empty) file it finds to .0 before logging
  echo "$all/$http"
}

cmds=("version" "members" "kv get bench/key" "kv put bench/key value" "info" "catalog services"
      "snapshot inspect $snap")
# The bare JVM: the CLI's flags (see bin/tribune: G1 on JDK 17, else serial) with the JDK's default
# class-data archive.
gc=-XX:+UseSerialGC
[ "$("$java" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -n 1)" = 17 ] && gc=-XX:+UseG1GC
bare_jvm=("$java" -XX:TieredStopAtLevel=1 "$gc" -XX:-UsePerfData -Xshare:auto -version)
bare=()
for _ in $(seq 1 "$runs"); do
  bare+=("$(ms "${bare_jvm[@]}")")
done
# The runs above ran in $(...) subshells, whose children 'times' does not see: run them again in this
# shell, not timed, for the CPU time.
child_cpu_ms; cpu_bare_0="$child_cpu"
for _ in $(seq 1 "$runs"); do "${bare_jvm[@]}" >/dev/null 2>&1; done
child_cpu_ms; bare_cpu=$(( (child_cpu - cpu_bare_0) / runs ))
read -r bare_med min max < <(stats "${bare[@]}")
printf '%-26s %8s %8s %8s %8s %8s\n' "(bare JVM: java -version)" "$bare_med" "$min" "$max" "" "$bare_cpu"

if [ -n "$baseline" ]; then
  printf '%-26s %8s %8s %8s %8s %8s %12s | %8s %8s %8s %8s %8s %12s\n' command median_ms min_ms max_ms above_bare cpu_ms \
    classes/http base_med base_min base_max above cpu_ms classes/http
else
  printf '%-26s %8s %8s %8s %8s %8s %12s\n' command median_ms min_ms max_ms above_bare cpu_ms classes/http
fi
for c in "${cmds[@]}"; do
  ours=(); theirs=(); cpu=0; bcpu=0
  for _ in $(seq 1 "$runs"); do
    # Wall time in a subshell ($(ms ...)), then the same command once more in this shell for its CPU
    # time ('times' counts waited-for children only), interleaved with the baseline's.
    # shellcheck disable=SC2086
    ours+=("$(ms bin/tribune $c)")
    child_cpu_ms; t0="$child_cpu"
    # shellcheck disable=SC2086
    bin/tribune $c >/dev/null 2>&1 || true
    child_cpu_ms; cpu=$(( cpu + child_cpu - t0 ))
    if [ -n "$baseline" ]; then
      # shellcheck disable=SC2086
      theirs+=("$(ms "$baseline" $c)")
      child_cpu_ms; t0="$child_cpu"
      # shellcheck disable=SC2086
      "$baseline" $c >/dev/null 2>&1 || true
      child_cpu_ms; bcpu=$(( bcpu + child_cpu - t0 ))
    fi
  done
  read -r med min max < <(stats "${ours[@]}")
  # shellcheck disable=SC2086
  line="$(printf '%-26s %8s %8s %8s %8s %8s %12s' "${c:0:26}" "$med" "$min" "$max" "$((med - bare_med))" \
    "$((cpu / runs))" "$(classes bin/tribune $c)")"
  if [ -n "$baseline" ]; then
    read -r bmed bmin bmax < <(stats "${theirs[@]}")
    # shellcheck disable=SC2086
    line="$line | $(printf '%8s %8s %8s %8s %8s %12s' "$bmed" "$bmin" "$bmax" "$((bmed - bare_med))" "$((bcpu / runs))" \
      "$(classes "$baseline" $c)")"
  fi
  echo "$line"
done
