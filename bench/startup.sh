#!/usr/bin/env bash
# Time from exec of 'bin/tribune agent -dev' to the first 200 with a leader from
# /v1/status/leader, in each runtime; prints the median of N runs (default 5).
# Usage: bench/startup.sh [runs]     (build first: mvn -q -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
port=18577
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 2; }
for runtime in felix jpms; do
  times=()
  for i in $(seq 1 "$runs"); do
    start=$(date +%s%N)
    bin/tribune agent -dev -http-port "$port" -runtime "$runtime" -grpc-port 18578 -dns-port 18579 -log-level warn >/tmp/tribune-startup.log 2>&1 &
    pid=$!
    ok=0
    for _ in $(seq 1 3000); do
      out=$(curl -s -m 1 "127.0.0.1:$port/v1/status/leader" 2>/dev/null || true)
      if [ "${#out}" -gt 2 ]; then ok=1; break; fi
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      sleep 0.005
    done
    end=$(date +%s%N)
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if [ "$ok" != 1 ]; then echo "run $i ($runtime) failed:"; cat /tmp/tribune-startup.log; exit 1; fi
    times+=($(( (end - start) / 1000000 )))
  done
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  median=${sorted[$(( ${#sorted[@]} / 2 ))]}
  echo "startup runtime=$runtime runs=$runs median_ms=$median min_ms=${sorted[0]} max_ms=${sorted[-1]} all=${times[*]}"
done
