#!/usr/bin/env bash
# hunt-vs-curl.sh — loopback benchmark: `artemis-headless hunt` vs `curl --parallel`.
#
# Starts a fake cluster (one nginx, N listen ports on 127.0.0.1, each serving the
# same ~600-byte JSON at /metric), then for every N in $NODES runs, alternately,
#   * artemis-headless hunt --url metric --nodes-file FILE --data-dir DIR --json
#   * curl --parallel --parallel-max 256 --parallel-immediate -s -K CFG (bodies to /dev/null)
# $RUNS times each and prints the median nodes/s of both, their ratio and
# Artemis' peak RSS. See bench/README.md.
#
# Only 127.0.0.1 is ever contacted.

set -euo pipefail

usage() {
    cat <<'EOF'
Usage: bench/hunt-vs-curl.sh [--out FILE] [-h|--help]

  --out FILE   also write the result table (markdown) plus run metadata to FILE

Environment:
  ARTEMIS_BIN        artemis-headless binary (default: <repo>/build/release/app/artemis-headless)
  NODES              node counts to benchmark, space separated (default: "1000 10000")
  RUNS               runs per tool and N; the median is reported (default: 3)
  BASE_PORT          first loopback port; nodes use BASE_PORT..BASE_PORT+N-1 (default: 20000)
  CONCURRENCY        artemis --concurrency (default: 256)
  THREADS            artemis --threads, passed only if set
  ARTEMIS_ARGS       extra arguments appended to the artemis hunt command (word-split)
  CURL_PARALLEL_MAX  curl --parallel-max (default: 256)
  NGINX_WORKERS      nginx worker_processes (default: 1; see README)
  SKIP_ARTEMIS=1     only run the nginx + curl half (for testing the harness)
  KEEP_TMP=1         keep the temp dir (nginx conf/logs, node lists, outputs)
EOF
}

OUT_FILE=""
while (($#)); do
    case "$1" in
        --out) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; OUT_FILE="$2"; shift 2 ;;
        --out=*) OUT_FILE="${1#--out=}"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"

ARTEMIS_BIN="${ARTEMIS_BIN:-$REPO_ROOT/build/release/app/artemis-headless}"
NODES="${NODES:-1000 10000}"
RUNS="${RUNS:-3}"
BASE_PORT="${BASE_PORT:-20000}"
CONCURRENCY="${CONCURRENCY:-256}"
THREADS="${THREADS:-}"
ARTEMIS_ARGS="${ARTEMIS_ARGS:-}"
CURL_PARALLEL_MAX="${CURL_PARALLEL_MAX:-256}"
NGINX_WORKERS="${NGINX_WORKERS:-1}"
SKIP_ARTEMIS="${SKIP_ARTEMIS:-0}"
KEEP_TMP="${KEEP_TMP:-0}"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

# ---------------------------------------------------------------- validation
{ is_uint "$RUNS" && ((RUNS >= 1)); } || die "RUNS must be a positive integer (got '$RUNS')"
{ is_uint "$BASE_PORT" && ((BASE_PORT >= 1024)); } || die "BASE_PORT must be an integer >= 1024"
{ is_uint "$CONCURRENCY" && ((CONCURRENCY >= 1)); } || die "CONCURRENCY must be a positive integer"
{ is_uint "$CURL_PARALLEL_MAX" && ((CURL_PARALLEL_MAX >= 1)); } || die "CURL_PARALLEL_MAX must be a positive integer"
{ is_uint "$NGINX_WORKERS" && ((NGINX_WORKERS >= 1)); } || die "NGINX_WORKERS must be a positive integer"
[[ -z "$THREADS" ]] || is_uint "$THREADS" || die "THREADS must be an integer"
read -r -a NODE_COUNTS <<<"$NODES"
((${#NODE_COUNTS[@]})) || die "NODES is empty"
MAX_N=0
for n in "${NODE_COUNTS[@]}"; do
    { is_uint "$n" && ((n >= 1)); } || die "NODES entries must be positive integers (got '$n')"
    if ((n > MAX_N)); then MAX_N=$n; fi
done
LAST_PORT=$((BASE_PORT + MAX_N - 1))
((LAST_PORT <= 65535)) || die "BASE_PORT+max(NODES)-1 = $LAST_PORT exceeds 65535"

if [[ -r /proc/sys/net/ipv4/ip_local_port_range ]]; then
    read -r eph_lo eph_hi </proc/sys/net/ipv4/ip_local_port_range
    if ((BASE_PORT <= eph_hi && LAST_PORT >= eph_lo)); then
        log "warning: ports $BASE_PORT..$LAST_PORT overlap the ephemeral range $eph_lo..$eph_hi;" \
            "client sockets may grab them (pick another BASE_PORT if nginx fails to bind)"
    fi
fi

# ---------------------------------------------------------------- dependencies
missing_pkgs=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing_pkgs+=(nginx-light)
command -v curl >/dev/null 2>&1 || missing_pkgs+=(curl)
[[ -x /usr/bin/time ]] || missing_pkgs+=(time)
if ((${#missing_pkgs[@]})); then
    log "installing missing packages: ${missing_pkgs[*]}"
    SUDO=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install: ${missing_pkgs[*]}"
        SUDO=(sudo)
    fi
    "${SUDO[@]}" apt-get update
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y "${missing_pkgs[@]}"
fi
NGINX="$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)"
[[ -x "$NGINX" ]] || die "nginx not found after install"

if [[ "$SKIP_ARTEMIS" != 1 ]]; then
    [[ -x "$ARTEMIS_BIN" ]] || die "artemis-headless not found at $ARTEMIS_BIN (build it: cmake --preset release && cmake --build --preset release; or set ARTEMIS_BIN; SKIP_ARTEMIS=1 runs curl only)"
fi

# ---------------------------------------------------------------- fd limit
# nginx holds one fd (and one worker connection) per listening port, plus the
# client connections; the clients need CONCURRENCY fds and then some.
want_nofile=65536
hard_nofile="$(ulimit -Hn)"
if [[ "$hard_nofile" != unlimited ]] && ((hard_nofile < want_nofile)); then
    # Raising the hard limit needs CAP_SYS_RESOURCE; try, fall back to the hard limit.
    ulimit -Hn "$want_nofile" 2>/dev/null || true
    hard_nofile="$(ulimit -Hn)"
    if [[ "$hard_nofile" != unlimited ]] && ((hard_nofile < want_nofile)); then
        log "note: hard fd limit is $hard_nofile (< $want_nofile) and cannot be raised; using it"
        want_nofile=$hard_nofile
    fi
fi
ulimit -n "$want_nofile"
NOFILE="$(ulimit -n)"
need_fds=$((MAX_N + CONCURRENCY + CURL_PARALLEL_MAX + 1024))
((NOFILE >= need_fds)) || die "open-file limit $NOFILE too low for $MAX_N ports (need >= $need_fds)"
WORKER_CONNECTIONS=$((NOFILE < 65535 ? NOFILE : 65535))

# Client and server share the machine's cores: a busy box skews everything.
if [[ -r /proc/loadavg ]]; then
    read -r load1 _ </proc/loadavg
    if awk -v l="$load1" 'BEGIN { exit !(l > 0.5) }'; then
        log "warning: 1-min load average is $load1; results are only meaningful on an idle machine"
    fi
fi

# ---------------------------------------------------------------- temp dir + cleanup
TMP="$(mktemp -d "${TMPDIR:-/tmp}/hunt-vs-curl.XXXXXX")"
NGINX_CONF="$TMP/nginx.conf"
NGINX_PID="$TMP/nginx.pid"

cleanup() {
    local rc=$?
    set +e
    if [[ -s "$NGINX_PID" ]]; then
        local pid
        pid="$(cat "$NGINX_PID")"
        if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null
            for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; fi
        fi
    fi
    if [[ "$KEEP_TMP" == 1 ]]; then
        log "temp dir kept: $TMP"
    else
        rm -rf "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- nginx config
# Fixed JSON body (~600 bytes). No '$' (nginx variables) and no single quotes.
BODY='{"node":"fake-node","cluster":"bench-loopback","version":"1.4.2","uptimeSec":1234567,"timestamp":"2024-01-01T00:00:00Z","status":"ok","load":{"1m":0.42,"5m":0.37,"15m":0.31},"cpu":{"cores":8,"user":12.5,"system":3.1,"idle":84.4},"memory":{"totalBytes":34359738368,"usedBytes":12884901888,"cachedBytes":4294967296},"disk":{"totalBytes":1099511627776,"usedBytes":549755813888,"readOps":1048576,"writeOps":524288},"network":{"rxBytes":987654321,"txBytes":123456789,"rxErrors":0,"txErrors":0},"services":[{"name":"api","healthy":true},{"name":"worker","healthy":true},{"name":"cache","healthy":true}],"labels":{"rack":"r12","zone":"z1"}}'
BODY_BYTES=${#BODY}

{
    cat <<EOF
# generated by bench/hunt-vs-curl.sh
worker_processes $NGINX_WORKERS;
worker_rlimit_nofile $NOFILE;
pid $NGINX_PID;
error_log $TMP/error.log warn;

events {
    worker_connections $WORKER_CONNECTIONS;
}

http {
    access_log off;
    client_body_temp_path $TMP/client_body;
    proxy_temp_path $TMP/proxy;
    fastcgi_temp_path $TMP/fastcgi;
    uwsgi_temp_path $TMP/uwsgi;
    scgi_temp_path $TMP/scgi;

    server {
EOF
    for ((port = BASE_PORT; port <= LAST_PORT; port++)); do
        printf '        listen 127.0.0.1:%d;\n' "$port"
    done
    cat <<EOF
        server_name _;

        location = /metric {
            default_type application/json;
            return 200 '$BODY';
        }
        location / {
            return 404;
        }
    }
}
EOF
} >"$NGINX_CONF"

log "starting nginx ($NGINX_WORKERS worker(s), $MAX_N ports 127.0.0.1:$BASE_PORT..$LAST_PORT, nofile $NOFILE, body $BODY_BYTES bytes)"
"$NGINX" -t -q -p "$TMP" -e "$TMP/error.log" -c "$NGINX_CONF" || { cat "$TMP/error.log" >&2 || true; die "nginx config test failed"; }
"$NGINX" -p "$TMP" -e "$TMP/error.log" -c "$NGINX_CONF" -g 'daemon on;' \
    || { cat "$TMP/error.log" >&2 || true; die "nginx failed to start"; }

ready=0
for _ in $(seq 1 300); do
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$LAST_PORT/metric" || true)"
    if [[ "$code" == 200 ]]; then ready=1; break; fi
    sleep 0.1
done
((ready)) || { cat "$TMP/error.log" >&2 || true; die "nginx did not answer on 127.0.0.1:$LAST_PORT within 30 s"; }
log "nginx up (pid $(cat "$NGINX_PID"))"

# ---------------------------------------------------------------- helpers
now() { date +%s.%N; }

# median of the numbers given as arguments
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) printf "%.6f\n", v[(NR + 1) / 2];
        else        printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# rate N SECONDS -> nodes/s
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f\n", n / s; else print "nan" }'; }

# json_num FILE KEY : first numeric value of "KEY": in FILE (jq when available)
json_num() {
    local file="$1" key="$2"
    if command -v jq >/dev/null 2>&1; then
        case "$key" in
            ok) jq -r '.counts.ok // empty' "$file" ;;
            *) jq -r --arg k "$key" '.[$k] // empty' "$file" ;;
        esac
    else
        grep -o "\"$key\"[[:space:]]*:[[:space:]]*[0-9]*" "$file" | head -n1 | grep -o '[0-9]*$' || true
    fi
}

# count200 FILE : number of lines equal to 200
count200() { grep -cx '200' "$1" || true; }

# ---------------------------------------------------------------- per-N inputs
write_inputs() {
    local n="$1" port last
    last=$((BASE_PORT + n - 1))
    local nodes="$TMP/nodes-$n.txt" cfg="$TMP/curl-$n.cfg"
    : >"$nodes"; : >"$cfg"
    for ((port = BASE_PORT; port <= last; port++)); do
        printf '127.0.0.1:%d\n' "$port" >>"$nodes"
        printf 'url = "http://127.0.0.1:%d/metric"\noutput = "/dev/null"\n' "$port" >>"$cfg"
    done
}

# run_curl N TAG -> sets CURL_SECS; verifies N answers with HTTP 200.
# -w '%{http_code}\n' writes 4 bytes per transfer to a file so every timed run
# is verified; bodies go to /dev/null.
run_curl() {
    local n="$1" tag="$2" codes="$TMP/curl-codes-$1-$2.txt" t0 t1 rc=0 ok
    t0="$(now)"
    curl --parallel --parallel-max "$CURL_PARALLEL_MAX" --parallel-immediate -s \
        -w '%{http_code}\n' -K "$TMP/curl-$n.cfg" >"$codes" 2>"$TMP/curl-$n-$tag.err" || rc=$?
    t1="$(now)"
    ok="$(count200 "$codes")"
    if ((rc != 0 || ok != n)); then
        head -n 5 "$TMP/curl-$n-$tag.err" >&2 || true
        die "curl run $tag over $n nodes: exit $rc, $ok/$n answers were HTTP 200"
    fi
    CURL_SECS="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }')"
}

# run_artemis N TAG -> sets ART_SECS, ART_ELAPSED_S, ART_RSS_KB; verifies counts.ok == N.
run_artemis() {
    local n="$1" tag="$2" out="$TMP/artemis-$1-$2.json" err="$TMP/artemis-$1-$2.err"
    local rssf="$TMP/artemis-$1-$2.rss" data="$TMP/data-$1-$2" t0 t1 rc=0 ok elapsed
    local -a cmd=("$ARTEMIS_BIN" hunt --url metric --nodes-file "$TMP/nodes-$n.txt"
        --data-dir "$data" --concurrency "$CONCURRENCY" --json)
    if [[ -n "$THREADS" ]]; then cmd+=(--threads "$THREADS"); fi
    if [[ -n "$ARTEMIS_ARGS" ]]; then
        local -a extra
        read -r -a extra <<<"$ARTEMIS_ARGS"
        cmd+=("${extra[@]}")
    fi
    mkdir -p "$data"
    t0="$(now)"
    /usr/bin/time -f '%M' -o "$rssf" "${cmd[@]}" >"$out" 2>"$err" || rc=$?
    t1="$(now)"
    ok="$(json_num "$out" ok)"
    if ((rc != 0)) || [[ "$ok" != "$n" ]]; then
        log "artemis command: ${cmd[*]}"
        log "stdout:"; head -c 2000 "$out" >&2 || true; echo >&2
        log "stderr:"; tail -n 20 "$err" >&2 || true
        die "artemis run $tag over $n nodes: exit $rc, counts.ok=${ok:-?} (expected $n)"
    fi
    elapsed="$(json_num "$out" elapsedMs)"
    ART_SECS="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }')"
    ART_ELAPSED_S="$(awk -v e="${elapsed:-0}" 'BEGIN { printf "%.6f\n", e / 1000 }')"
    ART_RSS_KB="$(tail -n1 "$rssf")"
    is_uint "$ART_RSS_KB" || ART_RSS_KB=0
    rm -rf "$data"   # keep disk use bounded between runs
}

# ---------------------------------------------------------------- benchmark
declare -a ROWS=()
for n in "${NODE_COUNTS[@]}"; do
    write_inputs "$n"
    # Untimed warm-up + check: every node answers 200 via curl.
    run_curl "$n" warmup
    log "N=$n: warm-up ok, all $n nodes answered 200 (${CURL_SECS}s)"

    art_secs=(); art_el=(); art_rss=(); curl_secs=()
    for ((r = 1; r <= RUNS; r++)); do
        # Alternate which tool goes first so drift/warm-up does not favour one.
        order=(artemis curl)
        if ((r % 2 == 0)); then order=(curl artemis); fi
        for tool in "${order[@]}"; do
            if [[ "$tool" == artemis ]]; then
                if [[ "$SKIP_ARTEMIS" == 1 ]]; then continue; fi
                run_artemis "$n" "r$r"
                art_secs+=("$ART_SECS"); art_el+=("$ART_ELAPSED_S"); art_rss+=("$ART_RSS_KB")
                log "N=$n run $r: artemis $(rate "$n" "$ART_SECS") nodes/s (wall ${ART_SECS}s, elapsedMs-based $(rate "$n" "$ART_ELAPSED_S") nodes/s), peak RSS $((ART_RSS_KB / 1024)) MB"
            else
                run_curl "$n" "r$r"
                curl_secs+=("$CURL_SECS")
                log "N=$n run $r: curl    $(rate "$n" "$CURL_SECS") nodes/s (wall ${CURL_SECS}s)"
            fi
        done
    done

    c_rate="$(rate "$n" "$(median "${curl_secs[@]}")")"
    if [[ "$SKIP_ARTEMIS" == 1 ]]; then
        a_rate="-"; a_el_rate="-"; ratio="-"; rss_mb="-"
    else
        a_rate="$(rate "$n" "$(median "${art_secs[@]}")")"
        a_el_rate="$(rate "$n" "$(median "${art_el[@]}")")"
        ratio="$(awk -v a="$a_rate" -v c="$c_rate" 'BEGIN { if (c > 0) printf "%.2fx\n", a / c; else print "nan" }')"
        # peak RSS: the maximum over runs (a ceiling, not a median)
        max_rss="$(printf '%s\n' "${art_rss[@]}" | sort -n | tail -n1)"
        rss_mb="$(awk -v k="$max_rss" 'BEGIN { printf "%.1f\n", k / 1024 }')"
    fi
    ROWS+=("$n|$a_rate|$a_el_rate|$c_rate|$ratio|$rss_mb")
done

# ---------------------------------------------------------------- report
HDR=(nodes "artemis nodes/s" "artemis nodes/s (elapsedMs)" "curl nodes/s" "artemis/curl" "artemis peak RSS MB")

print_table() {
    printf '%7s  %16s  %28s  %13s  %12s  %19s\n' "${HDR[@]}"
    local row
    for row in "${ROWS[@]}"; do
        IFS='|' read -r -a f <<<"$row"
        printf '%7s  %16s  %28s  %13s  %12s  %19s\n' "${f[@]}"
    done
}

markdown_table() {
    md_row() { local out="|" c; for c in "$@"; do out+=" $c |"; done; printf '%s\n' "$out"; }
    md_row "${HDR[@]}"
    md_row ":---" "---:" "---:" "---:" "---:" "---:"
    local row
    for row in "${ROWS[@]}"; do
        IFS='|' read -r -a f <<<"$row"
        md_row "${f[@]}"
    done
}

meta() {
    printf 'date: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf 'host: %s, %s CPU(s), kernel %s\n' "$(uname -m)" "$(nproc)" "$(uname -r)"
    printf 'nginx: %s, worker_processes %s; %s\n' "$("$NGINX" -v 2>&1 | sed 's/^nginx version: //')" "$NGINX_WORKERS" "$(curl --version | head -n1 | cut -d' ' -f1-2)"
    printf 'runs: %s per tool (median nodes/s; RSS = max over runs); artemis --concurrency %s%s; curl --parallel-max %s; body %s bytes\n' \
        "$RUNS" "$CONCURRENCY" "${THREADS:+ --threads $THREADS}" "$CURL_PARALLEL_MAX" "$BODY_BYTES"
}

echo
meta
echo
print_table
if [[ "$SKIP_ARTEMIS" == 1 ]]; then echo "(SKIP_ARTEMIS=1: artemis not run)"; fi

if [[ -n "$OUT_FILE" ]]; then
    {
        meta | sed 's/^/    /'
        echo
        markdown_table
    } >"$OUT_FILE"
    log "wrote $OUT_FILE"
fi
