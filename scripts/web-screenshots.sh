#!/usr/bin/env bash
# Writes the web page's screenshots in docs/screenshots/ (web-*.png, shown in the README and
# docs/web.md) by running the browser test (tests/web/webpage.test.mjs) with
# ARTEMIS_SCREENSHOTS set. Usage: scripts/web-screenshots.sh [ARTEMIS_HEADLESS_BINARY]
# (default: build/dev/app/artemis-headless; build it first). Needs what scripts/deps.sh test
# installs (chromium, node, playwright-core in tests/web/node_modules).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/dev/app/artemis-headless}
if [ ! -x "$binary" ]; then
    echo "web-screenshots.sh: $binary is not built (cmake --build build/dev --target artemis-headless)" >&2
    exit 2
fi
mkdir -p docs/screenshots
ARTEMIS_SCREENSHOTS="$PWD/docs/screenshots" node tests/web/webpage.test.mjs "$binary"
