#!/usr/bin/env bash
# Checks that every tracked C++ source under app core gui headless tests bench is formatted as
# .clang-format says (STYLE.md §2). Exits 1 naming the files clang-format would change, 0 when
# all are clean, 2 when clang-format 14 is missing (scripts/deps.sh test installs it).
# Usage: scripts/check-format.sh         check
#        scripts/check-format.sh --fix   rewrite the files in place (clang-format -i)
# clang-format 14 exactly (Debian 12): other versions lay out some constructs differently.
set -euo pipefail
cd "$(dirname "$0")/.."

format=""
for candidate in clang-format-14 clang-format; do
    if command -v "$candidate" >/dev/null \
        && "$candidate" --version | grep -q 'version 14\.'; then
        format=$candidate
        break
    fi
done
if [ -z "$format" ]; then
    echo "check-format.sh: clang-format 14 not found (scripts/deps.sh test installs it)" >&2
    exit 2
fi

mapfile -d '' files < <(git ls-files -z -- \
    'app/*.cpp' 'app/*.h' 'core/*.cpp' 'core/*.h' 'gui/*.cpp' 'gui/*.h' \
    'headless/*.cpp' 'headless/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp' 'bench/*.h')
if [ ${#files[@]} -eq 0 ]; then
    echo "check-format.sh: no sources found" >&2
    exit 2
fi

if [ "${1:-}" = --fix ]; then
    "$format" -i -- "${files[@]}"
    exit 0
fi

# One diagnostic per file is enough to name it; --dry-run never writes.
status=0
output=$("$format" --dry-run -Werror --ferror-limit=1 -- "${files[@]}" 2>&1) || status=$?
bad=$(printf '%s\n' "$output" | sed -n 's/^\([^ :][^:]*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' | sort -u)
if [ -n "$bad" ]; then
    count=$(printf '%s\n' "$bad" | wc -l)
    echo "check-format.sh: $count of ${#files[@]} files are not formatted per .clang-format:" >&2
    printf '%s\n' "$bad" | sed 's/^/  /' >&2
    echo "Format them with: scripts/check-format.sh --fix  (or clang-format-14 -i FILE...)" >&2
    exit 1
fi
if [ "$status" -ne 0 ]; then
    # Not a formatting difference: a broken .clang-format, an unreadable file, ...
    printf '%s\n' "$output" >&2
    echo "check-format.sh: $format failed (status $status)" >&2
    exit 2
fi
echo "check-format.sh: ${#files[@]} files formatted"
