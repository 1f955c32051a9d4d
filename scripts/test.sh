#!/usr/bin/env bash
# The README's test command: installs what is missing, builds the ASan+UBSan preset with
# -Werror, and runs the whole CTest suite (unit, integration, GUI offscreen, Redis).
# Extra arguments go to ctest, e.g. scripts/test.sh -L chaos or -R tst_target.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh test
cmake --preset asan
cmake --build --preset asan -j "$(nproc)"
# LeakSanitizer: Qt's plugin loader and fontconfig keep a few one-off allocations alive.
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
export QT_QPA_PLATFORM=offscreen
ctest --preset asan "$@"
