#!/usr/bin/env bash
# The Debian packages of a built tree (cmake/Packaging.cmake): builds them with cpack into a
# scratch directory (the build directory is left as it is), then checks their contents, their
# Depends (Debian's own Qt and hiredis packages; none of the GUI's in the service's), the
# conffile and maintainer scripts, unpacks them into a scratch root, runs the installed binaries
# there, starts the installed serve with the shipped config file, and has systemd-analyze verify
# the installed units against that root.
# Usage: package-test.sh BUILD_DIR VERSION
set -euo pipefail

build=$1
version=$2
scratch=$(mktemp -d "${TMPDIR:-/tmp}/artemis-package.XXXXXX")
serve_pid=""
cleanup() {
    if [ -n "$serve_pid" ]; then
        kill "$serve_pid" 2>/dev/null || true
        wait "$serve_pid" 2>/dev/null || true
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT
fail() {
    echo "package-test: FAIL: $*" >&2
    exit 1
}
step() {
    echo "package-test: $*"
}

# No compression: the test's (sanitizer) binaries are large and the package is thrown away.
step "cpack -G DEB"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/out" \
    -D CPACK_DEBIAN_COMPRESSION_TYPE=none >"$scratch/cpack.log" 2>&1 \
    || { cat "$scratch/cpack.log" >&2; fail "cpack failed"; }
arch=$(dpkg --print-architecture)
service="$scratch/out/artemis_${version}_${arch}.deb"
gui="$scratch/out/artemis-gui_${version}_${arch}.deb"
[ -f "$service" ] || { ls "$scratch/out" >&2; fail "no $service"; }

contents() { dpkg-deb -c "$1" | awk '{print $6}' | sed 's|^\./|/|'; }
has() { grep -qxF "$2" <<<"$1" || fail "$3 lacks $2"; }
lacks() { ! grep -qxF "$2" <<<"$1" || fail "$3 has $2"; }

step "service package contents"
files=$(contents "$service")
for f in /usr/bin/artemis-headless /etc/artemis/artemis.conf \
    /usr/lib/systemd/system/artemis.service /usr/lib/systemd/system/artemis-worker@.service \
    /usr/share/man/man1/artemis-headless.1.gz /usr/share/man/man1/artemis-headless-serve.1.gz \
    /usr/share/man/man1/artemis-headless-worker.1.gz /usr/share/doc/artemis/README.md \
    /usr/share/doc/artemis/operations.md; do
    has "$files" "$f" artemis
done
for f in /usr/bin/artemis /usr/share/applications/artemis.desktop; do
    lacks "$files" "$f" artemis
done

step "service package control"
depends=$(dpkg-deb -f "$service" Depends)
echo "  Depends: $depends"
for p in libqt6core6 libqt6network6 libqt6httpserver6 libhiredis0.14 libsystemd0 adduser; do
    grep -qE "(^|, )$p( |,|$)" <<<"$depends" || fail "artemis Depends lacks $p"
done
for p in libqt6widgets6 libqt6gui6 libqt6keychain1; do
    ! grep -qE "(^|, )$p( |,|$)" <<<"$depends" || fail "artemis Depends has the GUI's $p"
done
dpkg-deb -e "$service" "$scratch/control"
grep -qxF /etc/artemis/artemis.conf "$scratch/control/conffiles" \
    || fail "artemis.conf is not a conffile"
for script in postinst prerm postrm; do
    [ -x "$scratch/control/$script" ] || fail "no executable $script"
    sh -n "$scratch/control/$script" || fail "$script is not valid sh"
done
grep -q 'adduser --system' "$scratch/control/postinst" || fail "postinst creates no system user"

if [ -f "$gui" ]; then
    step "GUI package"
    files=$(contents "$gui")
    for f in /usr/bin/artemis /usr/share/applications/artemis.desktop \
        /usr/share/icons/hicolor/scalable/apps/artemis.svg \
        /usr/share/icons/hicolor/256x256/apps/artemis.png /usr/share/man/man1/artemis.1.gz; do
        has "$files" "$f" artemis-gui
    done
    lacks "$files" /usr/bin/artemis-headless artemis-gui
    depends=$(dpkg-deb -f "$gui" Depends)
    grep -qE "(^|, )libqt6widgets6( |,|$)" <<<"$depends" || fail "artemis-gui Depends lacks Widgets"
fi

step "unpacked into a scratch root"
root="$scratch/root"
dpkg-deb -x "$service" "$root"
[ ! -f "$gui" ] || dpkg-deb -x "$gui" "$root"
export ASAN_OPTIONS=detect_leaks=0
out=$("$root/usr/bin/artemis-headless" --version)
[ "$out" = "artemis-headless $version" ] || fail "artemis-headless --version said '$out'"
out=$("$root/usr/bin/artemis-headless" serve --version)
[ "$out" = "artemis-headless $version" ] || fail "artemis-headless serve --version said '$out'"
if [ -f "$gui" ]; then
    out=$(env -u DISPLAY -u WAYLAND_DISPLAY "$root/usr/bin/artemis" --version)
    [ "$out" = "artemis $version" ] || fail "artemis --version said '$out'"
fi
zcat "$root/usr/share/man/man1/artemis-headless-serve.1.gz" | grep -q -- 'config' \
    || fail "the serve man page does not document --config"

step "the shipped config file starts serve"
# Its data-dir is /var/lib/artemis: a flag points it into the scratch root instead (flags win).
"$root/usr/bin/artemis-headless" serve --config "$root/etc/artemis/artemis.conf" \
    --listen 127.0.0.1:0 --data-dir "$scratch/data" 2>"$scratch/serve.log" &
serve_pid=$!
for _ in $(seq 1 300); do
    grep -q 'listening on' "$scratch/serve.log" && break
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
done
grep -q 'listening on' "$scratch/serve.log" || { cat "$scratch/serve.log" >&2; fail "serve did not start"; }
kill -TERM "$serve_pid"
wait "$serve_pid" || fail "serve exited $? on SIGTERM"
serve_pid=""

step "systemd-analyze verify"
# --root: ExecStart's binary and the units are looked up in the scratch root, so neither a
# running systemd nor an installed package is needed. The root gets the host's own systemd units
# (sysinit.target, network-online.target, ...: what the systemd package brings to a real
# system). --man=no: verify would run man(1) on the host; the pages of Documentation= are
# checked in the root below instead.
units=("$root/usr/lib/systemd/system/artemis.service" \
    "$root/usr/lib/systemd/system/artemis-worker@.service")
grep -q '^Type=notify$' "${units[0]}" || fail "artemis.service is not Type=notify"
grep -q '^ExecStart=/usr/bin/artemis-headless serve --config /etc/artemis/artemis.conf$' \
    "${units[0]}" || fail "artemis.service ExecStart"
cp -a -n /usr/lib/systemd/system/. "$root/usr/lib/systemd/system/"
if ! systemd-analyze verify --man=no --root="$root" "${units[0]}" \
    "$root/usr/lib/systemd/system/artemis-worker@test.service" >"$scratch/verify.log" 2>&1 \
    || [ -s "$scratch/verify.log" ]; then
    cat "$scratch/verify.log" >&2
    fail "systemd-analyze verify"
fi
for page in $(grep -ho 'man:[a-z-]*([0-9])' "${units[@]}"); do
    name=${page#man:}
    section=${name#*(}
    section=${section%)}
    name=${name%(*}
    [ -f "$root/usr/share/man/man$section/$name.$section.gz" ] \
        || fail "Documentation=$page: no such page in the package"
done
step "ok"
