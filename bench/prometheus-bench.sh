#!/usr/bin/env bash
# prometheus-bench.sh — Prometheus text parser speed (core/prometheustext, issue #13 item 8).
# Builds artemis_core with the release preset and bench/prometheusbench.cpp against it, then
# parses 10 MiB inputs of several adversarial shapes and prints a markdown table with each
# shape's median parse time and its ratio to QJsonDocument::fromJson of 10 MiB (same run).
#   bench/prometheus-bench.sh [RUNS] [MiB] [SHAPE-FILTER]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/artemis-prometheus.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

(cd "$REPO_ROOT" && cmake --preset release >/dev/null && \
    cmake --build --preset release --target artemis_core >/dev/null)
g++ -O2 -DNDEBUG -std=c++20 -fPIC -I"$REPO_ROOT" \
    -DQT_NO_CAST_FROM_ASCII -DQT_NO_KEYWORDS -DQT_USE_QSTRINGBUILDER \
    -o "$TMP/prometheusbench" "$SCRIPT_DIR/prometheusbench.cpp" \
    "$REPO_ROOT/build/release/core/libartemis_core.a" $(pkg-config --cflags --libs Qt6Core Qt6Concurrent yaml-cpp)
echo "prometheus-bench: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
"$TMP/prometheusbench" "$@"
