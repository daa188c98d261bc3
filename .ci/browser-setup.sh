#!/usr/bin/env bash
# Browser for tests/test_app.py: Debian's chromium (Playwright drives it by executable_path) and
# Noto CJK fonts so Chinese renders in the screenshot. Idempotent and quiet.
# Never `playwright install`: it downloads a browser from a CDN, which fails on this machine.
set -euo pipefail
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
if [ -x /usr/bin/chromium ] && installed fonts-noto-cjk; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
