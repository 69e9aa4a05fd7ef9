#!/usr/bin/env bash
# Wall time of CLI commands (bin/tribune version, members, kv get, kv put, info, snapshot inspect)
# against a dev agent this script starts on 127.0.31.2 and stops by its PID: per command the median,
# min and max of N runs (default 20), with hyperfine when installed, else a loop of date +%s%N.
# Measure on an idle machine (see 'uptime'); the figures include the JVM's start and exit.
# Usage: bench/cli.sh [runs]     (build first: mvn -q -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
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
bin/tribune version >/dev/null; sleep 3
echo "load: $(uptime | sed 's/.*load average: //')   java: $(java -version 2>&1 | head -n 1)"
cmds=("version" "members" "kv get bench/key" "kv put bench/key value" "info" "snapshot inspect $snap")
printf '%-28s %8s %8s %8s\n' command median_ms min_ms max_ms
for c in "${cmds[@]}"; do
  if command -v hyperfine >/dev/null; then
    json="$(mktemp)"
    # shellcheck disable=SC2086
    hyperfine -N -w 2 -r "$runs" --export-json "$json" "bin/tribune $c" >/dev/null 2>&1
    read -r med min max < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(round(r["median"]*1000), round(r["min"]*1000), round(r["max"]*1000))' "$json")
    rm -f "$json"
  else
    times=()
    for _ in $(seq 1 "$runs"); do
      s=$(date +%s%N)
      # shellcheck disable=SC2086
      bin/tribune $c >/dev/null
      times+=($(( ($(date +%s%N) - s) / 1000000 )))
    done
    sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    med=${sorted[$(( ${#sorted[@]} / 2 ))]}; min=${sorted[0]}; max=${sorted[-1]}
  fi
  printf '%-28s %8s %8s %8s\n' "$c" "$med" "$min" "$max"
done
