#!/usr/bin/env bash
# Regenerates docs/screenshots/ from a 2,000-node demo fleet on loopback: the GUI's views
# (`artemis --screenshot`: its built-in demo nodes, a local hunt, grabs offscreen) and the web
# page's (scripts/web-demo.mjs: the same fleet in node, a real `serve`, headless Chromium).
# The fleet has 48 failing nodes, two minority versions and four nearly full disks, so every
# view shows what it leads with. web-new.png and web-hunt-running.png come from the browser
# test's scenario (scripts/web-screenshots.sh), run first; the demo then writes the others.
# Usage: scripts/screenshots.sh [BUILD_DIR]   (default build/dev; build artemis and
# artemis-headless first). Needs chromium, node and tests/web/node_modules (npm ci there).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/dev}
for binary in "$build/app/artemis" "$build/app/artemis-headless"; do
    if [ ! -x "$binary" ]; then
        echo "screenshots.sh: $binary is not built (cmake --build $build --target artemis artemis-headless)" >&2
        exit 2
    fi
done
out="$PWD/docs/screenshots"
mkdir -p "$out"
scripts/web-screenshots.sh "$build/app/artemis-headless"
QT_QPA_PLATFORM=offscreen "$build/app/artemis" --screenshot "$out"
node scripts/web-demo.mjs "$build/app/artemis-headless" "$out"
