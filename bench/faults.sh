#!/usr/bin/env bash
# The long run of the fault harness (issue 17; docs/faults.md): FaultHarnessIT with many rounds of
# SIGKILL, SIGSTOP and partitions on a cluster of real agent processes in network namespaces, then
# the check. Prints the harness's line, e.g.
#   faults rounds=50 acked=... lost=0 duplicated=0 indeterminate=... stale_reads=0
# and its figures. Exit code 0 when the check passed.
# Usage: bench/faults.sh [rounds] [seed]     (defaults: 50, the current time)
#   needs root and iproute2; build the distribution first: mvn -q -DskipTests install
#   extra Maven flags via MVN_FLAGS, e.g. MVN_FLAGS="-o -Dmaven.repo.local=/path/to/repo"
#   TRIBUNE_FAULTS_SERVERS=5 and TRIBUNE_FAULTS_CLIENTS=2 change the cluster's shape
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-50}"
seed="${2:-$(date +%s)}"
[ "$(id -u)" = 0 ] || { echo "bench/faults.sh needs root (network namespaces)" >&2; exit 2; }
command -v ip >/dev/null || { echo "install iproute2 first: apt-get install -y iproute2" >&2; exit 2; }
[ -x bundles/target/dist/bin/tribune ] || { echo "build first: mvn -q -DskipTests install" >&2; exit 2; }
out=$(mktemp --suffix=.faults)
trap 'rm -f "$out"' EXIT
# shellcheck disable=SC2086
if mvn -B -ntp -q ${MVN_FLAGS:-} -pl itests verify -Dit.test=FaultHarnessIT \
    -Dtribune.faults.rounds="$rounds" -Dtribune.faults.seed="$seed" \
    -Dtribune.faults.servers="${TRIBUNE_FAULTS_SERVERS:-3}" -Dtribune.faults.clients="${TRIBUNE_FAULTS_CLIENTS:-1}" \
    -Dtribune.faults.out="$out" >&2; then
  status=0
else
  status=1
fi
if [ -s "$out" ]; then
  cat "$out"
else
  echo "no result line: see itests/target/failsafe-reports/io.tribune.itests.FaultHarnessIT-output.txt" >&2
fi
exit "$status"
