#!/usr/bin/env bash
# REST service benchmark: (1) GET /api/v1/hunts/{id} requests/s under wrk, (2) latency of
# POST /fetch with 10,000 nodes. Each measurement runs against a fresh `artemis-headless serve`
# on 127.0.0.1 (port picked at runtime, data dir in a temp dir). Contacts only 127.0.0.1.
#
#   bench/rest-bench.sh                       # uses build/rest-release/app/artemis-headless
#   ARTEMIS_BIN=... WRK_CONNECTIONS=64 WRK_DURATION=10s RUNS=5 NODES=10000 bench/rest-bench.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
ARTEMIS_BIN="${ARTEMIS_BIN:-$here/../build/rest-release/app/artemis-headless}"
WRK_THREADS="${WRK_THREADS:-2}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-64}"
WRK_DURATION="${WRK_DURATION:-10s}"
RUNS="${RUNS:-5}"
NODES="${NODES:-10000}"

for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y $tool)" >&2; exit 2; }
done
[ -x "$ARTEMIS_BIN" ] || { echo "no binary at $ARTEMIS_BIN (build the release preset)" >&2; exit 2; }

tmp="$(mktemp -d)"
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

start_server() { # sets pid and port
    rm -rf "$tmp/data"
    "$ARTEMIS_BIN" serve --listen 127.0.0.1:0 --data-dir "$tmp/data" 2>"$tmp/serve.log" &
    pid=$!
    for _ in $(seq 100); do
        port="$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/serve.log")"
        [ -n "$port" ] && return 0
        sleep 0.05
    done
    echo "server did not start:" >&2; cat "$tmp/serve.log" >&2; exit 1
}
stop_server() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

echo "artemis: $("$ARTEMIS_BIN" version)  wrk: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)  cores: $(nproc)  load: $(cut -d' ' -f1 /proc/loadavg)"

# 1. Status endpoint throughput: one finished hunt (the service fetching its own /metric).
start_server
base="http://127.0.0.1:$port"
id="$(curl -s -d "node=127.0.0.1:$port&url=metric" "$base/fetch" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hunt"])')"
for _ in $(seq 100); do
    state="$(curl -s "$base/api/v1/hunts/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')"
    [ "$state" = done ] && break
    sleep 0.05
done
wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$WRK_DURATION" --latency "$base/api/v1/hunts/$id" | tee "$tmp/wrk.txt"
rps="$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.txt")"
rss_kb="$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
stop_server

# 2. POST /fetch with NODES nodes (closed loopback ports: what happens after the 202 does not
#    matter here). `Expect:` avoids curl's 1 s wait for a 100 Continue QtHttpServer never sends.
python3 - "$NODES" > "$tmp/form.txt" <<'PY'
import sys
n = int(sys.argv[1])
print("&".join("node=127.0.0.1:%d" % (20000 + i % 40000) if i < 40000 else "" for i in range(n)) + "&url=metric", end="")
PY
echo "POST /fetch body: $(wc -c < "$tmp/form.txt") bytes, $NODES nodes"
times=()
for run in $(seq "$RUNS"); do
    start_server
    out="$(curl -s -H 'Expect:' -o "$tmp/post.json" -w '%{http_code} %{time_total}' \
        --data-binary @"$tmp/form.txt" "http://127.0.0.1:$port/fetch")"
    stop_server
    code="${out%% *}"
    [ "$code" = 202 ] || { echo "run $run: HTTP $code: $(cat "$tmp/post.json")" >&2; exit 1; }
    ms="$(python3 -c "print(round(${out##* } * 1000, 1))")"
    times+=("$ms")
    echo "run $run: 202 in $ms ms"
done
median="$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"

echo
echo "| measurement | result | target |"
echo "|---|---|---|"
echo "| GET /api/v1/hunts/{id}, wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$WRK_DURATION | $rps req/s (server RSS $((rss_kb / 1024)) MB) | >= 20000 req/s |"
echo "| POST /fetch with $NODES nodes, median of $RUNS | $median ms | < 50 ms |"
