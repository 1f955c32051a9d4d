#!/usr/bin/env bash
# distributed-growth.sh — does a worker added mid-hunt make the hunt finish sooner? (issue 15)
#
# bench/fakecluster.c serves N loopback nodes that answer after DELAY_MS; one Redis on a free
# loopback port. The same N-node hunt goes through `artemis-headless serve --broker` three ways:
#   1 worker      one worker from start to end
#   1 + 1 added   one worker; a second one is started once ADD_AT nodes are done
#   2 workers     two workers from the start
# Every worker gets --concurrency WORKER_CONCURRENCY and the hunt a larger `concurrency`
# (HUNT_CONCURRENCY), so each worker's own window is what bounds its rate, as a worker's
# sockets, CPU or link would on a machine of its own. Reports the hunt's duration (its
# elapsedMs), nodes/s, the ratio to one worker, and how many nodes the added worker fetched (its
# `done` in GET /api/v1/workers). Each run also checks that every node was stored once (N ok
# lines). Only 127.0.0.1 is contacted. See docs/distributed.md.
#
# Environment: ARTEMIS_BIN (default build/release/app/artemis-headless), NODES (3000), DELAY_MS
# (200), WORKER_CONCURRENCY (32), HUNT_CONCURRENCY (1024), ADD_AT (NODES/4), RUNS (3, median),
# BASE_PORT (24000).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
ARTEMIS_BIN="${ARTEMIS_BIN:-$here/../build/release/app/artemis-headless}"
N="${NODES:-3000}"
DELAY_MS="${DELAY_MS:-200}"
WORKER_CONCURRENCY="${WORKER_CONCURRENCY:-32}"
HUNT_CONCURRENCY="${HUNT_CONCURRENCY:-1024}"
ADD_AT="${ADD_AT:-$((N / 4))}"
RUNS="${RUNS:-3}"
BASE_PORT="${BASE_PORT:-24000}"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

[[ -x "$ARTEMIS_BIN" ]] || die "artemis-headless not found at $ARTEMIS_BIN (build the release preset or set ARTEMIS_BIN)"
for tool in redis-server curl jq cc python3; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool missing (scripts/deps.sh bench)"
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

TMP="$(mktemp -d "${TMPDIR:-/tmp}/artemis-growth.XXXXXX")"
PIDS=()
cleanup() {
    local rc=$?
    set +e
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---------------------------------------------------------------- fake nodes, redis
cc -O2 -o "$TMP/fakecluster" "$here/fakecluster.c"
"$TMP/fakecluster" --count "$N" --ports "$N" --base-port "$BASE_PORT" --delay-ms "$DELAY_MS" \
    --nodes-file "$TMP/nodes.txt" >"$TMP/fc.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 100); do grep -q ready "$TMP/fc.log" && break; sleep 0.05; done
grep -q ready "$TMP/fc.log" || die "fake cluster did not start: $(cat "$TMP/fc.log")"
jq -R . "$TMP/nodes.txt" | jq -s --argjson c "$HUNT_CONCURRENCY" \
    '{url: "/metric", options: {concurrency: $c, attempts: 1}, nodes: .}' >"$TMP/hunt.json"

REDIS_PORT="$(free_port)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$TMP" \
    >"$TMP/redis.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 100); do grep -q "Ready to accept" "$TMP/redis.log" && break; sleep 0.1; done
BROKER="redis://127.0.0.1:$REDIS_PORT"

start_worker() { # name; its pid in LAST_PID
    "$ARTEMIS_BIN" worker --broker "$BROKER" --name "$1" --concurrency "$WORKER_CONCURRENCY" \
        --heartbeat-ms 500 >/dev/null 2>"$TMP/worker-$1.log" &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
}
listed() { curl -sf "$1/api/v1/workers" | jq '.workers | length'; }

# run START ADDED -> prints "seconds added_done done_when_added"
run() {
    local start="$1" added="$2" port base data serve_pid pids=() id state ndone w p elapsed ok
    local added_done=0 added_at=0
    port="$(free_port)"; base="http://127.0.0.1:$port"
    data="$TMP/data-$RANDOM"
    "$ARTEMIS_BIN" serve --listen "127.0.0.1:$port" --data-dir "$data" --broker "$BROKER" \
        --max-nodes "$N" >/dev/null 2>"$TMP/serve.log" &
    serve_pid=$!; PIDS+=("$serve_pid"); pids+=("$serve_pid")
    for _ in $(seq 100); do curl -sf -o /dev/null "$base/healthz" && break; sleep 0.1; done
    for ((w = 1; w <= start; w++)); do start_worker "w$w"; pids+=("$LAST_PID"); done
    for _ in $(seq 100); do [[ "$(listed "$base")" == "$start" ]] && break; sleep 0.1; done
    id="$(curl -sf -H 'Content-Type: application/json' -H 'Expect:' --data-binary @"$TMP/hunt.json" \
        "$base/api/v1/hunts" | jq -r .hunt)" || die "submit failed: $(tail -5 "$TMP/serve.log")"
    while :; do
        read -r state ndone < <(curl -sf "$base/api/v1/hunts/$id" | jq -r '"\(.state) \(.progress.done)"')
        [[ "$state" == running || "$state" == queued ]] || break
        if ((added > 0 && added_at == 0 && ndone >= ADD_AT)); then
            added_at="$ndone"
            start_worker added
            pids+=("$LAST_PID")
        fi
        sleep 0.05
    done
    [[ "$state" == done ]] || die "hunt ended $state"
    ok="$(jq -r .counts.ok "$data/hunts/$id/hunt.json")"
    elapsed="$(jq -r .elapsedMs "$data/hunts/$id/hunt.json")"
    [[ "$ok" == "$N" ]] || die "$start+$added: $ok of $N ok: $(jq -c .counts "$data/hunts/$id/hunt.json"); $(head -c 400 "$data/hunts/$id/results.ndjson")"
    [[ "$(wc -l <"$data/hunts/$id/results.ndjson")" == "$N" ]] || die "results.ndjson is not $N lines"
    if ((added > 0)); then
        sleep 1 # two heartbeats: the added worker's last count reaches the list
        added_done="$(curl -sf "$base/api/v1/workers" | jq '[.workers[] | select(.name == "added") | .done] | add // 0')"
    fi
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$data"
    awk -v ms="$elapsed" -v a="$added_done" -v at="$added_at" 'BEGIN { printf "%.2f %d %d\n", ms / 1000, a, at }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

CONFIGS=("1 0" "1 1" "2 0")
declare -A SECS ADDED
for config in "${CONFIGS[@]}"; do
    read -r start added <<<"$config"
    secs=(); adds=()
    for ((r = 1; r <= RUNS; r++)); do
        run "$start" "$added" >"$TMP/result" # not in a subshell: PIDS keeps its processes
        read -r s a at <"$TMP/result"
        log "$start worker(s) + $added added, run $r: $s s$( ((added > 0)) && echo ", added at $at done, it fetched $a")"
        secs+=("$s"); adds+=("$a")
    done
    SECS[$config]="$(printf '%s\n' "${secs[@]}" | median)"
    ADDED[$config]="$(printf '%s\n' "${adds[@]}" | median)"
done

echo
printf 'date: %s; %s CPU(s), load %s; %s nodes answering after %s ms; worker --concurrency %s; hunt concurrency %s; second worker added at %s done; runs %s (median)\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$(cut -d' ' -f1 /proc/loadavg)" "$N" "$DELAY_MS" \
    "$WORKER_CONCURRENCY" "$HUNT_CONCURRENCY" "$ADD_AT" "$RUNS"
printf '| workers | hunt s | nodes/s | x 1 worker (time) | nodes fetched by the added worker |\n|:---|---:|---:|---:|---:|\n'
for config in "${CONFIGS[@]}"; do
    read -r start added <<<"$config"
    case "$config" in
        "1 0") name="1" ;;
        "1 1") name="1, + 1 added at $ADD_AT done" ;;
        *) name="$start from the start" ;;
    esac
    printf '| %s | %s | %.0f | %.2f | %s |\n' "$name" "${SECS[$config]}" \
        "$(awk -v s="${SECS[$config]}" -v n="$N" 'BEGIN { print n / s }')" \
        "$(awk -v a="${SECS[$config]}" -v b="${SECS[1 0]}" 'BEGIN { print a / b }')" \
        "$( ((added > 0)) && echo "${ADDED[$config]}" || echo -)"
done
