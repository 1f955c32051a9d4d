#!/usr/bin/env bash
# reuse-bench.sh — a schedule's later rounds with connections kept (issue #14 item 5) against
# the same rounds with `Connection: close`, in the same run.
#
# Runs in a private network namespace (`unshare -n`, needs root) with only loopback, where
# bench/fakecluster.c serves NODES nodes (default 10,000) on 127.0.0.1.. over 1000 ports,
# answering after DELAY_MS (20) and keeping connections alive unless asked to close
# (--keep-alive 1). bench/reusebench.cpp (the local stack of serve: store, 2 fetch threads,
# engine) runs ROUNDS hunts (5) GAP_MS apart (2000), as a schedule's rounds, once with
# FetchOptions::reuseConnections (what the Scheduler sets for every <= 60 s) and once without.
# The two modes alternate, RUNS times each (3, order flipped every run). Round 1 of each
# process opens the connections either way and is left out; for rounds 2.. it reports the
# median nodes/s, CPU ms per node (getrusage of the whole process, all threads), the heap in
# use after a round (glibc mallinfo2, kept connections idle), and the peak RSS (VmHWM) of the
# process, then the ratios reuse/close. The fake cluster's counters show how many connections
# it accepted for how many answers.
#
#   bench/reuse-bench.sh
#
# Environment: NODES, DELAY_MS, ROUNDS, GAP_MS, RUNS, CONCURRENCY (256), BUILD_DIR
# (build/reuse-release: configured Release, only artemis_core is built).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
NODES="${NODES:-10000}"
DELAY_MS="${DELAY_MS:-20}"
ROUNDS="${ROUNDS:-5}"
GAP_MS="${GAP_MS:-2000}"
RUNS="${RUNS:-3}"
CONCURRENCY="${CONCURRENCY:-256}"
BUILD_DIR="${BUILD_DIR:-$repo/build/reuse-release}"

if [ -z "${ARTEMIS_BENCH_NETNS:-}" ]; then
    for tool in unshare ip cc g++ pkg-config cmake ninja; do
        command -v "$tool" >/dev/null || { echo "missing $tool (scripts/deps.sh bench)" >&2; exit 2; }
    done
    if [ ! -f "$BUILD_DIR/build.ninja" ]; then
        cmake -S "$repo" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
            -DARTEMIS_BUILD_TESTS=OFF -DARTEMIS_BUILD_GUI=OFF >/dev/null
    fi
    cmake --build "$BUILD_DIR" --target artemis_core >/dev/null
    exec unshare -n env ARTEMIS_BENCH_NETNS=1 BUILD_DIR="$BUILD_DIR" "$0"
fi
ip link set lo up
ulimit -n "$(ulimit -Hn)" # kept connections: one descriptor each, on both sides

tmp="$(mktemp -d)"
fc_pid=""
cleanup() {
    [ -n "$fc_pid" ] && kill "$fc_pid" 2>/dev/null && wait "$fc_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
cc -O2 -o "$tmp/fakecluster" "$here/fakecluster.c"
g++ -O2 -DNDEBUG -std=c++20 -fPIC -I"$repo" \
    -DQT_NO_CAST_FROM_ASCII -DQT_NO_KEYWORDS -DQT_USE_QSTRINGBUILDER \
    -o "$tmp/reusebench" "$here/reusebench.cpp" "$BUILD_DIR/core/libartemis_core.a" \
    $(pkg-config --cflags --libs Qt6Core Qt6Network Qt6Concurrent yaml-cpp)

"$tmp/fakecluster" --count "$NODES" --ports 1000 --base-port 20000 --delay-ms "$DELAY_MS" \
    --keep-alive 1 --nodes-file "$tmp/nodes.txt" >"$tmp/fc.log" 2>&1 &
fc_pid=$!
for _ in $(seq 100); do grep -q ready "$tmp/fc.log" && break; sleep 0.05; done
grep -q ready "$tmp/fc.log" || { echo "fake cluster did not start:" >&2; cat "$tmp/fc.log" >&2; exit 1; }

run() { # mode run-number
    rm -rf "$tmp/data"
    if ! "$tmp/reusebench" "$tmp/nodes.txt" "$tmp/data" "$1" "$ROUNDS" "$GAP_MS" "$CONCURRENCY" \
        >"$tmp/$1.$2.out" 2>"$tmp/$1.$2.err"; then
        echo "reusebench $1 failed:" >&2; cat "$tmp/$1.$2.out" "$tmp/$1.$2.err" >&2; exit 1
    fi
    sed "s/^/$1 run $2: /" "$tmp/$1.$2.out" >&2
}
for r in $(seq "$RUNS"); do
    if [ $((r % 2)) = 1 ]; then run reuse "$r"; run close "$r"; else run close "$r"; run reuse "$r"; fi
done

# Median over all later rounds (2..) of all runs of one mode; field names as reusebench prints.
median() { # mode field
    cat "$tmp/$1".*.out | awk -v f="$2" '$1 == "round" && $2 > 1 {
        for (i = 3; i < NF; i += 2) if ($i == f) print $(i + 1) }' | sort -g |
        awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
peak() { cat "$tmp/$1".*.out | awk '$1 == "peak_rss_mb" && $2 > m { m = $2 } END { print m }'; }

printf '\n%d nodes answering after %d ms, concurrency %d, rounds 2..%d of %d runs per mode\n' \
    "$NODES" "$DELAY_MS" "$CONCURRENCY" "$ROUNDS" "$RUNS"
printf '| | nodes/s | CPU ms/node | heap after a round MB | peak RSS MB |\n|---|---|---|---|---|\n'
for mode in close reuse; do
    printf '| %s | %s | %s | %s | %s |\n' "$mode" "$(median "$mode" nodes_per_s)" \
        "$(median "$mode" cpu_ms_per_node)" "$(median "$mode" heap_mb)" "$(peak "$mode")"
done
awk -v rn="$(median reuse nodes_per_s)" -v cn="$(median close nodes_per_s)" \
    -v rc="$(median reuse cpu_ms_per_node)" -v cc="$(median close cpu_ms_per_node)" \
    -v rh="$(median reuse heap_mb)" -v ch="$(median close heap_mb)" -v n="$NODES" \
    'BEGIN { printf "| reuse/close | %.2fx | %.2fx | +%.0f bytes per kept connection | |\n",
             rn / cn, rc / cc, (rh - ch) * 1e6 / n }'
kill "$fc_pid"; wait "$fc_pid" 2>/dev/null || true; fc_pid=""
printf '\nfake cluster: %s\n' "$(tail -1 "$tmp/fc.log")"
