#!/usr/bin/env bash
# Wall time of CLI commands (bin/tribune version, members, kv get, kv put, info, catalog services,
# snapshot inspect) against a dev agent this script starts on 127.0.31.2 and stops by its PID: per
# command the median, min and max of N runs (default 20), and the number of classes one run loads.
# A first line gives the bare JVM's start for reference (java -version with the CLI's JVM flags).
# Measure on an idle machine (see the load printed); the figures include the JVM's start and exit.
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
host=127.0.31.2
port=18591
addr="$host:$port"
log="$(mktemp /tmp/tribune-cli-bench.XXXXXX)"
snap="$(mktemp /tmp/tribune-cli-bench-snap.XXXXXX)"
bin/tribune agent -dev -node cli-bench -bind "$host" -client "$host" -http-port "$port" -grpc-port 18592 \
  -dns-port -1 -log-level warn >"$log" 2>&1 &
pid=$!
cleanup() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log" "$snap"; }
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

java="java"
if [ -n "${JAVA_HOME:-}" ]; then java="$JAVA_HOME/bin/java"; fi
echo "load: $(uptime | sed 's/.*load average: //')   java: $("$java" -version 2>&1 | head -n 1)   runs: $runs"

ms() { # command...: wall time of one run in ms
  local s
  s=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  echo $(( ($(date +%s%N) - s) / 1000000 ))
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
  rm -f "$f"
  echo "$all/$http"
}

cmds=("version" "members" "kv get bench/key" "kv put bench/key value" "info" "catalog services"
      "snapshot inspect $snap")
# The bare JVM: the CLI's flags (see bin/tribune) with the JDK's default class-data archive.
bare=()
for _ in $(seq 1 "$runs"); do
  bare+=("$(ms "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto -version)")
done
read -r med min max < <(stats "${bare[@]}")
printf '%-26s %8s %8s %8s\n' "(bare JVM: java -version)" "$med" "$min" "$max"

if [ -n "$baseline" ]; then
  printf '%-26s %8s %8s %8s %12s | %8s %8s %8s %12s\n' command median_ms min_ms max_ms classes/http \
    base_med base_min base_max classes/http
else
  printf '%-26s %8s %8s %8s %12s\n' command median_ms min_ms max_ms classes/http
fi
for c in "${cmds[@]}"; do
  ours=(); theirs=()
  for _ in $(seq 1 "$runs"); do
    # shellcheck disable=SC2086
    ours+=("$(ms bin/tribune $c)")
    # shellcheck disable=SC2086
    [ -n "$baseline" ] && theirs+=("$(ms "$baseline" $c)")
  done
  read -r med min max < <(stats "${ours[@]}")
  # shellcheck disable=SC2086
  line="$(printf '%-26s %8s %8s %8s %12s' "${c:0:26}" "$med" "$min" "$max" "$(classes bin/tribune $c)")"
  if [ -n "$baseline" ]; then
    read -r bmed bmin bmax < <(stats "${theirs[@]}")
    # shellcheck disable=SC2086
    line="$line | $(printf '%8s %8s %8s %12s' "$bmed" "$bmin" "$bmax" "$(classes "$baseline" $c)")"
  fi
  echo "$line"
done
