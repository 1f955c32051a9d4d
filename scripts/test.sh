#!/usr/bin/env bash
# The README's test command: installs what is missing, checks the formatting
# (scripts/check-format.sh), builds the ASan+UBSan preset with -Werror, and runs the whole CTest
# suite (unit, integration, GUI offscreen, Redis); then builds the fuzz preset (clang +
# libFuzzer) and runs each fuzz target for a short, bounded time.
# Extra arguments go to the asan suite's ctest only, e.g. scripts/test.sh -L chaos or
# -R tst_target (the fuzz stage is skipped then). `scripts/test.sh fuzz [ctest args]` runs only
# the fuzz stage, e.g. scripts/test.sh fuzz -R ndjson.
set -euo pipefail
cd "$(dirname "$0")/.."

stage=all
if [ "${1:-}" = fuzz ]; then
    stage=fuzz
    shift
elif [ $# -gt 0 ]; then
    stage=asan
fi

scripts/deps.sh test
# Formatting first (STYLE.md §2): seconds, and it names the files before a long build.
scripts/check-format.sh
# LeakSanitizer: Qt's plugin loader and fontconfig keep a few one-off allocations alive.
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
export QT_QPA_PLATFORM=offscreen
if [ "$stage" != fuzz ]; then
    cmake --preset asan
    cmake --build --preset asan -j "$(nproc)"
    ctest --preset asan "$@"
fi
if [ "$stage" != asan ]; then
    cmake --preset fuzz
    cmake --build --preset fuzz -j "$(nproc)"
    # One libFuzzer process per core: each target still fuzzes for its whole bounded time.
    ctest --preset fuzz -j "$(nproc)" "$@"
fi
