#!/usr/bin/env bash
# Installs the Debian 12 packages Artemis needs, when any is missing. Needs root (or sudo).
# Usage: scripts/deps.sh [build|test|bench]   (each set includes the ones before it)
set -euo pipefail

set_name=${1:-build}
# qtkeychain-qt6-dev: the GUI keeps a remembered token in the desktop keyring; QtKeychain loads
# libsecret-1-0 at run time to reach the Secret Service (without it only KWallet would do).
# libyaml-cpp-dev: node files in Prometheus file_sd YAML (core/inventory/nodefile.cpp).
# libssl-dev: libcrypto (HKDF, AES-256-GCM) for signed and sealed broker messages
# (core/broker/brokersecret.cpp).
# libsystemd-dev: serve's sd_notify for the packaged Type=notify unit (headless/cli/servicenotify.cpp).
# help2man: the man pages, made from --help at build time (cmake/ManPages.cmake).
packages=(cmake ninja-build g++ pkg-config qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev
          qt6-websockets-dev libgl-dev libhiredis-dev fonts-dejavu-core ca-certificates
          qtkeychain-qt6-dev libsecret-1-0 libyaml-cpp-dev libssl-dev libsystemd-dev help2man)
case "$set_name" in
    build) ;;
    # openssl: the HTTPS tests' throwaway CA. clang + libclang-rt-dev: the libFuzzer targets of
    # the fuzz preset (tests/fuzz). clang-format: scripts/check-format.sh (Debian 12: 14).
    # strace: tst_durability traces the order of fsyncs and renames. jq: the reference of
    # bench/values-bench.sh. gnuplot-nox, gcc, iproute2: bench/latency-bench.sh. dbus-daemon +
    # gnome-keyring: tst_tokenkeyring's private session bus and Secret Service (~9 MB download).
    # prometheus-alertmanager: tst_alerts sends schedule alerts to a real one. prometheus:
    # promtool checks tst_fleetmetrics' text; tst_fleetmetricsapi has a real one scrape /metrics.
    # dpkg-dev (dpkg-shlibdeps) + file: cpack's DEB Depends; systemd: systemd-analyze verify of
    # the units (tests/package). stunnel4: tst_brokertls runs a distributed hunt with TLS to
    # Redis (hiredis 0.14 has none). chromium: tst_webpage drives the service's web page in it
    # (through playwright-core from npm, installed below; never a browser downloaded by
    # playwright).
    test) packages+=(redis-server curl procps openssl clang libclang-rt-dev clang-format strace jq
                     dbus-daemon gnome-keyring prometheus-alertmanager prometheus dpkg-dev file
                     systemd stunnel4 chromium) ;;
    bench) packages+=(redis-server curl procps openssl nginx-light wrk time gcc iproute2 gnuplot-nox) ;;
    *) echo "deps.sh: unknown set '$set_name' (build, test or bench)" >&2; exit 2 ;;
esac

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

# tst_webpage runs under node (any node that has npm; Debian's nodejs + npm when there is none).
if [ "$set_name" = test ] && ! command -v node >/dev/null; then
    packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "deps.sh: installing ${missing[*]}" >&2
    $sudo apt-get update -q
    $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# playwright-core, pinned by tests/web/package-lock.json (one package, no browser download).
web="$(cd "$(dirname "$0")/.." && pwd)/tests/web"
if [ "$set_name" = test ] && [ ! -f "$web/node_modules/playwright-core/package.json" ]; then
    echo "deps.sh: npm ci in $web" >&2
    (cd "$web" && npm ci --no-audit --no-fund)
fi
