#!/usr/bin/env bash
# latency-bench.sh — Artemis against a fake cluster whose nodes answer after a delay.
#
# Runs in a private network namespace (`unshare -n`, needs root) with only a loopback
# interface, so the fake cluster (bench/fakecluster.c, one epoll loop) can serve nodes on
# 127.0.0.1, 127.0.0.2, ... and nothing is reachable from outside. For each scenario it runs
# `artemis-headless hunt` and reports nodes/s, p50/p99 per-node latency (from the stored
# results), CPU seconds per 1,000 nodes and peak RSS. References measured in the same run:
#   * ideal    — nodes/s if every node took exactly DELAY ms and CONCURRENCY were always in
#                flight: concurrency / delay;
#   * curl     — `curl --parallel --parallel-max 256` over the same clean nodes;
#   * raw      — bench/rawclient.c at each concurrency: one epoll loop that connects, writes a
#                fixed request and reads to EOF, nothing else. The ceiling that this machine's
#                kernel and the fake cluster allow any client;
#   * qtsocket — bench/qtsocketclient.cpp at each concurrency: the same in Qt, one QTcpSocket
#                per node on 2 threads' event loops, without QNetworkAccessManager.
#
#   bench/latency-bench.sh [--out FILE] [--plot PNG]
#
# Environment: ARTEMIS_BIN (default build/release/app/artemis-headless), NODES (10000),
# BIG_NODES (100000; 0 skips the 100k run), DELAY_MS (20), CONCURRENCIES ("64 256 1024"),
# RUNS (3, median reported), BASE_PORT (20000).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
ARTEMIS_BIN="${ARTEMIS_BIN:-$here/../build/release/app/artemis-headless}"
NODES="${NODES:-10000}"
BIG_NODES="${BIG_NODES:-100000}"
DELAY_MS="${DELAY_MS:-20}"
CONCURRENCIES="${CONCURRENCIES:-64 256 1024}"
RUNS="${RUNS:-3}"
BASE_PORT="${BASE_PORT:-20000}"
OUT_FILE=""
PLOT=""
while (($#)); do
    case "$1" in
        --out) OUT_FILE="$(realpath -m "$2")"; shift 2 ;;
        --plot) PLOT="$(realpath -m "$2")"; shift 2 ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
ARTEMIS_BIN="$(realpath "$ARTEMIS_BIN")"

# Re-run inside a fresh network namespace (only `lo`).
if [ -z "${ARTEMIS_BENCH_NETNS:-}" ]; then
    for tool in unshare ip cc curl python3 /usr/bin/time; do
        command -v "$tool" >/dev/null || { echo "missing $tool (scripts/deps.sh bench)" >&2; exit 2; }
    done
    [ -x "$ARTEMIS_BIN" ] || { echo "no binary at $ARTEMIS_BIN (build the release preset)" >&2; exit 2; }
    args=(); [ -n "$OUT_FILE" ] && args+=(--out "$OUT_FILE"); [ -n "$PLOT" ] && args+=(--plot "$PLOT")
    exec unshare -n env ARTEMIS_BENCH_NETNS=1 ARTEMIS_BIN="$ARTEMIS_BIN" "$0" "${args[@]}"
fi
ip link set lo up
# Every client and the fake cluster need one descriptor per connection (1024 in flight and more).
ulimit -n "$(ulimit -Hn)"

tmp="$(mktemp -d)"
fc_pid=""
cleanup() {
    [ -n "$fc_pid" ] && kill "$fc_pid" 2>/dev/null && wait "$fc_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
cc -O2 -o "$tmp/fakecluster" "$here/fakecluster.c"
cc -O2 -o "$tmp/rawclient" "$here/rawclient.c"
g++ -O2 -std=c++17 -fPIC -o "$tmp/qtsocketclient" "$here/qtsocketclient.cpp" \
    $(pkg-config --cflags --libs Qt6Network)

start_cluster() { # count ports hang refuse error
    "$tmp/fakecluster" --count "$1" --ports "$2" --base-port "$BASE_PORT" --delay-ms "$DELAY_MS" \
        --hang "$3" --refuse "$4" --error "$5" --nodes-file "$tmp/nodes.txt" >"$tmp/fc.log" 2>&1 &
    fc_pid=$!
    for _ in $(seq 100); do grep -q ready "$tmp/fc.log" && return 0; sleep 0.05; done
    echo "fake cluster did not start:" >&2; cat "$tmp/fc.log" >&2; exit 1
}
stop_cluster() { kill "$fc_pid"; wait "$fc_pid" 2>/dev/null || true; fc_pid=""; tail -1 "$tmp/fc.log" >> "$tmp/fc-cpu.txt"; }

# One hunt: prints "nodes_per_s p50 p99 cpu_per_1k rss_mb counts" (one line).
hunt() { # concurrency extra-args...
    local c="$1"; shift
    rm -rf "$tmp/data"
    /usr/bin/time -f "%U %S %M" -o "$tmp/time.txt" "$ARTEMIS_BIN" hunt --nodes-file "$tmp/nodes.txt" \
        --url metric --data-dir "$tmp/data" --concurrency "$c" --json --quiet "$@" >"$tmp/hunt.json" || true
    python3 - "$tmp/hunt.json" "$tmp/time.txt" "$tmp/data" <<'PY'
import glob, json, sys
hunt = json.load(open(sys.argv[1]))
user, sys_, rss_kb = open(sys.argv[2]).read().split()[-3:]
lat = []
for path in glob.glob(sys.argv[3] + "/hunts/*/results.ndjson"):
    for line in open(path):
        lat.append(json.loads(line)["latencyMs"])
lat.sort()
pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else -1
n = hunt["total"]
counts = ",".join("%s=%d" % (k, v) for k, v in sorted(hunt["counts"].items()) if v)
print("%.0f %d %d %.2f %.0f %s" % (n / (hunt["elapsedMs"] / 1000.0), pick(0.5), pick(0.99),
      (float(user) + float(sys_)) / n * 1000, int(rss_kb) / 1024.0, counts))
PY
}
median_of() { # file column -> median line chosen by that column
    sort -n -k"$2" "$1" | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'
}
median_runs() { # command... -> runs it RUNS times; the median line by its first column
    local out="$tmp/runs.txt"
    : > "$out"
    for _ in $(seq "$RUNS"); do "$@" >> "$out"; done
    median_of "$out" 1
}
curl_run() { # -> nodes/s of one curl --parallel pass over the clean nodes
    local s e
    s=$(date +%s.%N)
    curl --parallel --parallel-max 256 --parallel-immediate -s --no-progress-meter -m 10 -K "$tmp/curl.cfg" || true
    e=$(date +%s.%N)
    python3 -c "print('%.0f' % ($NODES / ($e - $s)))"
}
raw_run() { # concurrency -> "nodes_per_s cpu_per_1k answered"
    "$tmp/rawclient" --nodes-file "$tmp/nodes.txt" --concurrency "$1" --timeout-ms 10000 |
        awk '{print $10, $12, $4}'
}
qt_run() { # concurrency -> "nodes_per_s cpu_per_1k answered"
    "$tmp/qtsocketclient" "$tmp/nodes.txt" "$1" 2 10000 | awk '{print $10, $12, $4}'
}

echo "artemis: $("$ARTEMIS_BIN" version)  cores: $(nproc)  load: $(cut -d' ' -f1 /proc/loadavg)  delay: $DELAY_MS ms  runs: $RUNS (median)"
rows=()
plot_data="$tmp/plot.dat"
: > "$plot_data"

# 1. Clean cluster, concurrency sweep, with curl as the same-run reference at 256.
start_cluster "$NODES" "$NODES" 0 0 0
sed 's|.*|url = "http://&/metric"\noutput = "/dev/null"|' "$tmp/nodes.txt" > "$tmp/curl.cfg"
curl_rate="$(median_runs curl_run)"
raw_rows=()
qt_rows=()
for c in $CONCURRENCIES; do
    read -r raw_rate raw_cpu raw_answered <<<"$(median_runs raw_run "$c")"
    read -r qt_rate qt_cpu qt_answered <<<"$(median_runs qt_run "$c")"
    qt_rows+=("concurrency $c: $qt_rate nodes/s, $qt_cpu CPU-s per 1,000 nodes, $qt_answered/$NODES answered")
    read -r rate p50 p99 cpu rss counts <<<"$(median_runs hunt "$c")"
    ideal=$((c * 1000 / DELAY_MS))
    rows+=("| $NODES nodes, ${DELAY_MS} ms, concurrency $c | $rate | $p50 / $p99 ms | $cpu s | $rss MB | $ideal ($(python3 -c "print('%.2f' % ($rate / $ideal))")x) | $raw_rate ($(python3 -c "print('%.2f' % ($rate / $raw_rate))")x) | $counts |")
    raw_rows+=("concurrency $c: $raw_rate nodes/s, $raw_cpu CPU-s per 1,000 nodes, $raw_answered/$NODES answered")
    echo "$c $rate $ideal $raw_rate $qt_rate" >> "$plot_data"
    echo "${rows[-1]}"
done
stop_cluster
fc_cpu_per_1k="$(tail -1 "$tmp/fc-cpu.txt" | awk -v n="$NODES" '{print $10 / $2 * 1000}')"

# 2. The mix: 1% never answer, 1% refused, 1% HTTP 500 (timeout 1 s, 2 attempts).
start_cluster "$NODES" "$NODES" 1 1 1
read -r rate p50 p99 cpu rss counts <<<"$(median_runs hunt 256 --timeout-ms 1000 --attempts 2)"
rows+=("| $NODES nodes, mix 1% hang / 1% refused / 1% 500, concurrency 256, timeout 1 s, 2 attempts | $rate | $p50 / $p99 ms | $cpu s | $rss MB | - | - | $counts |")
echo "${rows[-1]}"
stop_cluster

# 3. A big hunt: memory stays bounded.
if [ "$BIG_NODES" -gt 0 ]; then
    start_cluster "$BIG_NODES" 1000 0 0 0
    read -r rate p50 p99 cpu rss counts <<<"$(hunt 256)"
    rows+=("| $BIG_NODES nodes over 1,000 ports x $((BIG_NODES / 1000)) addresses, concurrency 256 (default) | $rate | $p50 / $p99 ms | $cpu s | $rss MB | - | - | $counts |")
    echo "${rows[-1]}"
    stop_cluster
fi

{
    echo
    echo "References, same run: curl --parallel --parallel-max 256 over the clean $NODES nodes: $curl_rate nodes/s."
    echo "bench/rawclient (connect, write, read to EOF; nothing else):"
    printf -- '- %s\n' "${raw_rows[@]}"
    echo "bench/qtsocketclient (the same with one QTcpSocket per node, 2 threads, no QNAM):"
    printf -- '- %s\n' "${qt_rows[@]}"
    echo "The fake cluster itself used $fc_cpu_per_1k CPU-s per 1,000 requests it accepted."
    echo
    echo "| scenario | nodes/s | p50 / p99 latency | CPU per 1,000 nodes | peak RSS | ideal nodes/s (achieved/ideal) | raw client nodes/s (achieved/raw) | outcomes |"
    echo "|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} | tee "$tmp/table.md"
if [ -n "$OUT_FILE" ]; then
    { echo "artemis $("$ARTEMIS_BIN" version), $(nproc) cores, $(date -u +%F)"; cat "$tmp/table.md"; } > "$OUT_FILE"
fi
if [ -n "$PLOT" ]; then
    command -v gnuplot >/dev/null || { echo "no gnuplot (apt-get install -y gnuplot-nox): plot skipped" >&2; exit 0; }
    gnuplot <<GP
set terminal pngcairo size 800,500 font "DejaVu Sans,10"
set output "$PLOT"
set title "Artemis vs node latency ($DELAY_MS ms per answer, $NODES nodes, $(nproc) cores)"
set xlabel "--concurrency"
set ylabel "nodes/s"
set logscale x 2
set logscale y
set key top left
set grid
set yrange [100:*]
plot "$plot_data" using 1:2 with linespoints lw 2 pt 7 title "artemis-headless hunt", \
     "$plot_data" using 1:3 with lines dt 2 title "ideal: concurrency / delay", \
     "$plot_data" using 1:4 with linespoints dt 5 pt 6 title "bench/rawclient: epoll, no parsing (same run)", \
     "$plot_data" using 1:5 with linespoints dt 3 pt 4 title "bench/qtsocketclient: QTcpSocket, no QNAM, no parsing (same run)", \
     $curl_rate with lines dt 3 lw 2 title "curl --parallel-max 256 (same run)", \
     8000 with lines dt 4 lc rgb "red" title "target: 8,000 nodes/s"
GP
    echo "plot: $PLOT"
fi
