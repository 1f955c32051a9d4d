#!/usr/bin/env bash
# distributed.sh — loopback benchmark of distributed mode (issue 5).
#
# One nginx serves N loopback ports (the same ~600-byte JSON as hunt-vs-curl.sh); one Redis on
# a free loopback port. The same N-node hunt is POSTed to `artemis-headless serve`:
#   local      serve (fetches itself, --threads $THREADS)
#   1 worker   serve --broker + 1 `artemis-headless worker`
#   2 workers  serve --broker + 2 workers
# Reports nodes/s (from the hunt's elapsedMs), the ratio to local mode, and the CPU time per node
# of every process involved (serve, workers, redis), so the cost of the Redis hop shows as the
# extra CPU-µs per node over local mode. Only 127.0.0.1 is contacted. See docs/distributed.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
ARTEMIS_BIN="${ARTEMIS_BIN:-$REPO_ROOT/build/release/app/artemis-headless}"
N="${NODES:-10000}"
RUNS="${RUNS:-3}"
BASE_PORT="${BASE_PORT:-20000}"
CONCURRENCY="${CONCURRENCY:-256}"
THREADS="${THREADS:-2}"
WORKER_THREADS="${WORKER_THREADS:-1}"
KEEP_TMP="${KEEP_TMP:-0}"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

[[ -x "$ARTEMIS_BIN" ]] || die "artemis-headless not found at $ARTEMIS_BIN (build the release preset or set ARTEMIS_BIN)"
for tool in nginx redis-server curl jq; do
    command -v "$tool" >/dev/null 2>&1 || [[ -x /usr/sbin/$tool ]] \
        || die "$tool missing (apt-get install nginx-light redis-server curl jq)"
done
NGINX="$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(( $(ulimit -n) >= N + 4096 )) || die "open-file limit $(ulimit -n) too low for $N ports"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/artemis-distributed.XXXXXX")"
PIDS=()
cleanup() {
    local rc=$?
    set +e
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    [[ -s "$TMP/nginx.pid" ]] && kill -TERM "$(cat "$TMP/nginx.pid")" 2>/dev/null
    if [[ "$KEEP_TMP" == 1 ]]; then log "temp dir kept: $TMP"; else rm -rf "$TMP"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---------------------------------------------------------------- nginx (as in hunt-vs-curl.sh)
BODY='{"node":"fake-node","cluster":"bench-loopback","version":"1.4.2","uptimeSec":1234567,"status":"ok","load":{"1m":0.42,"5m":0.37,"15m":0.31},"cpu":{"cores":8,"user":12.5,"system":3.1,"idle":84.4},"memory":{"totalBytes":34359738368,"usedBytes":12884901888},"labels":{"rack":"r12","zone":"z1"}}'
LAST_PORT=$((BASE_PORT + N - 1))
{
    printf 'worker_processes 1;\nworker_rlimit_nofile %d;\npid %s/nginx.pid;\nerror_log %s/error.log warn;\n' \
        "$(ulimit -n)" "$TMP" "$TMP"
    printf 'events { worker_connections 65535; }\nhttp {\n access_log off;\n client_body_temp_path %s/cb;\n proxy_temp_path %s/p;\n fastcgi_temp_path %s/f;\n uwsgi_temp_path %s/u;\n scgi_temp_path %s/s;\n server {\n' \
        "$TMP" "$TMP" "$TMP" "$TMP" "$TMP"
    for ((port = BASE_PORT; port <= LAST_PORT; port++)); do printf '  listen 127.0.0.1:%d;\n' "$port"; done
    printf "  location = /metric { default_type application/json; return 200 '%s'; }\n }\n}\n" "$BODY"
} >"$TMP/nginx.conf"
"$NGINX" -p "$TMP" -e "$TMP/error.log" -c "$TMP/nginx.conf" -g 'daemon on;' || die "nginx failed"
for _ in $(seq 1 300); do
    curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$LAST_PORT/metric" && break
    sleep 0.1
done
jq -n --argjson base "$BASE_PORT" --argjson n "$N" --argjson c "$CONCURRENCY" \
    '{url: "/metric", options: {concurrency: $c, attempts: 1},
      nodes: [range($base; $base + $n) | "127.0.0.1:\(.)"]}' >"$TMP/hunt.json"

# ---------------------------------------------------------------- redis
REDIS_PORT="$(free_port)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$TMP" \
    >"$TMP/redis.log" 2>&1 &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
for _ in $(seq 1 100); do grep -q "Ready to accept" "$TMP/redis.log" && break; sleep 0.1; done
BROKER="redis://127.0.0.1:$REDIS_PORT"

cpu_ticks() { # summed utime+stime of the given pids, in clock ticks
    local total=0 pid
    for pid in "$@"; do
        read -r -a f <"/proc/$pid/stat"
        total=$((total + f[13] + f[14]))
    done
    echo "$total"
}

# run MODE WORKERS -> prints "nodes/s cpu-us-per-node"
run() {
    local mode="$1" workers="$2" port data pids=() serve_pid hunt id state elapsed c0 c1
    port="$(free_port)"
    data="$TMP/data-$mode-$workers-$RANDOM"
    if [[ "$mode" == local ]]; then
        "$ARTEMIS_BIN" serve --listen "127.0.0.1:$port" --data-dir "$data" --threads "$THREADS" \
            --max-nodes "$N" 2>"$TMP/serve.log" &
    else
        "$ARTEMIS_BIN" serve --listen "127.0.0.1:$port" --data-dir "$data" --broker "$BROKER" \
            --max-nodes "$N" 2>"$TMP/serve.log" &
    fi
    serve_pid=$!
    PIDS+=("$serve_pid"); pids+=("$serve_pid")
    for ((w = 1; w <= workers; w++)); do
        "$ARTEMIS_BIN" worker --broker "$BROKER" --name "bench-$w" --threads "$WORKER_THREADS" \
            --concurrency "$CONCURRENCY" 2>"$TMP/worker-$w.log" &
        PIDS+=("$!"); pids+=("$!")
    done
    for _ in $(seq 1 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break
        sleep 0.1
    done
    if ((workers > 0)); then
        for _ in $(seq 1 100); do
            [[ "$(curl -sf "http://127.0.0.1:$port/api/v1/workers" | jq '.workers | length')" == "$workers" ]] && break
            sleep 0.1
        done
        pids+=("$REDIS_PID")
    fi
    c0="$(cpu_ticks "${pids[@]}")"
    hunt="$(curl -sf -H 'Content-Type: application/json' -H 'Expect:' --data-binary @"$TMP/hunt.json" \
        "http://127.0.0.1:$port/api/v1/hunts")" || die "submit failed: $(tail -5 "$TMP/serve.log")"
    id="$(jq -r .hunt <<<"$hunt")"
    while :; do
        state="$(curl -sf "http://127.0.0.1:$port/api/v1/hunts/$id" | jq -r .state)"
        [[ "$state" == running || "$state" == queued ]] || break
        sleep 0.05
    done
    c1="$(cpu_ticks "${pids[@]}")"
    [[ "$state" == done ]] || die "hunt ended $state"
    local ok
    ok="$(jq -r .counts.ok "$data/hunts/$id/hunt.json")"
    elapsed="$(jq -r .elapsedMs "$data/hunts/$id/hunt.json")"
    [[ "$ok" == "$N" ]] || die "$mode/$workers: $ok of $N ok"
    [[ "$(wc -l <"$data/hunts/$id/results.ndjson")" == "$N" ]] || die "results.ndjson is not $N lines"
    for pid in "${pids[@]}"; do [[ "$pid" == "$REDIS_PID" ]] || kill -TERM "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do [[ "$pid" == "$REDIS_PID" ]] || wait "$pid" 2>/dev/null || true; done
    rm -rf "$data"
    awk -v n="$N" -v ms="$elapsed" -v t="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%.0f %.0f\n", n * 1000 / ms, t * 1e6 / hz / n }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A RATE CPU
for config in "local 0" "broker 1" "broker 2"; do
    read -r mode workers <<<"$config"
    rates=(); cpus=()
    for ((r = 1; r <= RUNS; r++)); do
        read -r rate cpu < <(run "$mode" "$workers")
        log "$mode, $workers worker(s), run $r: $rate nodes/s, $cpu CPU-us/node"
        rates+=("$rate"); cpus+=("$cpu")
    done
    RATE[$config]="$(printf '%s\n' "${rates[@]}" | median)"
    CPU[$config]="$(printf '%s\n' "${cpus[@]}" | median)"
done

echo
printf 'date: %s; %s CPU(s); %s nodes; concurrency %s; runs %s (median)\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$N" "$CONCURRENCY" "$RUNS"
printf '| mode | nodes/s | x local | CPU-us/node (all processes) |\n|:---|---:|---:|---:|\n'
for config in "local 0" "broker 1" "broker 2"; do
    read -r mode workers <<<"$config"
    name="local (serve --threads $THREADS)"
    [[ "$mode" == local ]] || name="coordinator + $workers worker(s) + redis"
    printf '| %s | %s | %.2f | %s |\n' "$name" "${RATE[$config]}" \
        "$(awk -v a="${RATE[$config]}" -v b="${RATE[local 0]}" 'BEGIN { print a / b }')" "${CPU[$config]}"
done
printf '\nRedis hop: +%s CPU-us per node (1 worker vs local), summed over coordinator, worker and redis.\n' \
    "$(awk -v a="${CPU[broker 1]}" -v b="${CPU[local 0]}" 'BEGIN { print a - b }')"
