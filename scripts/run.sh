#!/usr/bin/env bash
# The README's run command: installs what is missing, builds the release preset and starts
# `artemis-headless serve` on 127.0.0.1:5000 (data in ./data). Any arguments replace the
# default command, e.g. scripts/run.sh hunt --url metric --node localhost:5000;
# `scripts/run.sh gui [args]` starts the desktop application instead.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh build
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
if [ "${1:-}" = gui ]; then
    shift
    exec build/release/app/artemis "$@"
fi
if [ $# -eq 0 ]; then
    set -- serve --listen 127.0.0.1:5000 --data-dir ./data
fi
exec build/release/app/artemis-headless "$@"
