#!/usr/bin/env bash
# values-bench.sh — "fleet answers" speed (core/fleetvalues, core/projection).
#
# 1. Builds artemis_core with the release preset and bench/valuesbench.cpp against it.
# 2. Generates a hunt of N results (default 100,000; the ~600-byte body of hunt-vs-curl.sh,
#    a 91/6/3 version split, 1 in 250 nodes timed out) in a temp data dir.
# 3. Times computeFleetValues(version) (median of RUNS, in-process), and the same grouping with
#    jq over the same results.ndjson: `jq -s 'group_by(.body.version) | ...'` (the slurping
#    form) and a streaming `reduce inputs` form; reports the ratios.
# 4. Renders the hunt's Prometheus text (/api/v1/hunts/{id}/metrics, two extracts).
# 5. Exports every outcome as CSV (node,outcome,latencyMs,version,memory.usedBytes,labels)
#    and reports MB/s (of results.ndjson read and of CSV written).
# Peak RSS of each step comes from /usr/bin/time -v. Nothing touches the network.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
N="${NODES:-100000}"
RUNS="${RUNS:-5}"
KEEP_TMP="${KEEP_TMP:-0}"

log() { printf '[values-bench] %s\n' "$*" >&2; }
die() { printf '[values-bench] ERROR: %s\n' "$*" >&2; exit 1; }

for tool in jq g++ pkg-config /usr/bin/time; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool missing (apt-get install jq g++ pkg-config time)"
done

TMP="$(mktemp -d "${TMPDIR:-/tmp}/artemis-values.XXXXXX")"
cleanup() {
    if [[ "$KEEP_TMP" == 1 ]]; then log "temp dir kept: $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

log "building artemis_core (release preset)"
(cd "$REPO_ROOT" && cmake --preset release >/dev/null && \
    cmake --build --preset release --target artemis_core >/dev/null)
log "building bench/valuesbench.cpp"
g++ -O2 -DNDEBUG -std=c++20 -fPIC -I"$REPO_ROOT" \
    -DQT_NO_CAST_FROM_ASCII -DQT_NO_KEYWORDS -DQT_USE_QSTRINGBUILDER \
    -o "$TMP/valuesbench" "$SCRIPT_DIR/valuesbench.cpp" \
    "$REPO_ROOT/build/release/core/libartemis_core.a" \
    $(pkg-config --cflags --libs Qt6Core Qt6Network Qt6Concurrent yaml-cpp)

rss_mb() { awk '/Maximum resident set size/ {printf "%.1f", $NF / 1024}' "$1"; }
seconds() { awk '/Elapsed \(wall clock\)/ {n = split($NF, t, ":"); s = 0;
    for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.3f", s}' "$1"; }

log "generating $N results"
ID="$("$TMP/valuesbench" generate "$TMP/data" "$N")"
RESULTS="$TMP/data/hunts/$ID/results.ndjson"
SIZE_MB="$(awk -v b="$(stat -c %s "$RESULTS")" 'BEGIN {printf "%.1f", b / 1e6}')"
log "results.ndjson: $SIZE_MB MB"

log "computeFleetValues(version) x $RUNS"
/usr/bin/time -v "$TMP/valuesbench" values "$TMP/data" "$ID" version "$RUNS" \
    >"$TMP/values.out" 2>"$TMP/values.time"
VALUES_MS="$(awk '{print $2}' "$TMP/values.out")"
VALUES_CPU="$(awk '{print $4}' "$TMP/values.out")"
VALUES_RSS="$(rss_mb "$TMP/values.time")"
"$TMP/valuesbench" values "$TMP/data" "$ID" memory.usedBytes "$RUNS" >"$TMP/mem.out"
MEM_MS="$(awk '{print $2}' "$TMP/mem.out")"
MEM_CPU="$(awk '{print $4}' "$TMP/mem.out")"
QT_THREADS_ONE="$(taskset -c 0 "$TMP/valuesbench" values "$TMP/data" "$ID" version \
    "$RUNS" | awk '{print $2}')"
log "renderFleetMetrics (extracts memory.usedBytes, version) x $RUNS"
"$TMP/valuesbench" metrics "$TMP/data" "$ID" "$RUNS" >"$TMP/metrics.out"
read -r _ METRICS_MS _ METRICS_CPU _ METRICS_MB <"$TMP/metrics.out"
METRICS_RATIO="$(awk -v a="$METRICS_MS" -v b="$VALUES_MS" 'BEGIN {printf "%.1f", a / b}')"
LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"

log "jq -s group_by"
/usr/bin/time -v jq -s 'group_by(.body.version) | map({v: .[0].body.version, n: length})
    | sort_by(-.n)' "$RESULTS" >"$TMP/jq.out" 2>"$TMP/jq.time"
JQ_S="$(seconds "$TMP/jq.time")"
JQ_RSS="$(rss_mb "$TMP/jq.time")"
log "jq streaming reduce"
/usr/bin/time -v jq -n 'reduce inputs as $r ({}; .[$r.body.version | tostring] += 1)
    | to_entries | sort_by(-.value)' "$RESULTS" >"$TMP/jqs.out" 2>"$TMP/jqs.time"
JQS_S="$(seconds "$TMP/jqs.time")"
JQS_RSS="$(rss_mb "$TMP/jqs.time")"

log "CSV export"
/usr/bin/time -v "$TMP/valuesbench" csv "$TMP/data" "$ID" "$TMP/out.csv" \
    node outcome latencyMs version memory.usedBytes labels >"$TMP/csv.out" 2>"$TMP/csv.time"
CSV_RSS="$(rss_mb "$TMP/csv.time")"
read -r _ CSV_S _ _ _ CSV_IN_MBPS _ CSV_OUT_MB _ CSV_OUT_MBPS <"$TMP/csv.out"

RATIO="$(awk -v a="$JQ_S" -v b="$VALUES_MS" 'BEGIN {printf "%.1f", a * 1000 / b}')"
RATIO_S="$(awk -v a="$JQS_S" -v b="$VALUES_MS" 'BEGIN {printf "%.1f", a * 1000 / b}')"
cat <<EOF

values-bench: $N results, results.ndjson $SIZE_MB MB, $(nproc) cores, load $LOAD, $(date -u +%FT%TZ)
| step | time | peak RSS |
|---|---|---|
| computeFleetValues(version), median of $RUNS, in-process | ${VALUES_MS} ms wall, ${VALUES_CPU} ms CPU | ${VALUES_RSS} MB (whole process, $RUNS runs) |
| computeFleetValues(memory.usedBytes): ~all values distinct | ${MEM_MS} ms wall, ${MEM_CPU} ms CPU | |
| same, pinned to one core (taskset -c 0) | ${QT_THREADS_ONE} ms | |
| jq -s group_by (wall, incl. start-up) | ${JQ_S} s (${RATIO}x Artemis) | ${JQ_RSS} MB |
| jq -n reduce inputs (streaming) | ${JQS_S} s (${RATIO_S}x Artemis) | ${JQS_RSS} MB |
| /metrics text of the hunt, 2 extracts (renderFleetMetrics; a cached scrape skips it) | ${METRICS_MS} ms wall, ${METRICS_CPU} ms CPU (${METRICS_RATIO}x values), ${METRICS_MB} MB of text | |
| CSV export, 6 fields | ${CSV_S} s: ${CSV_IN_MBPS} MB/s read, ${CSV_OUT_MBPS} MB/s written (${CSV_OUT_MB} MB) | ${CSV_RSS} MB |
EOF
