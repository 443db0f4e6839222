#!/usr/bin/env bash
# Installs Debian's chromium for the dashboard's browser tests when it is missing (apt; as root or with
# passwordless sudo). Otherwise says how to install it; the browser tests then fail with the same advice.
set -uo pipefail

browser=${SMARTSHOP_CHROMIUM:-/usr/bin/chromium}
[ -x "$browser" ] && exit 0

if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "chromium is missing at $browser and this user cannot install it: run 'sudo apt-get install -y chromium'" >&2
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  echo "chromium is missing at $browser and apt-get is not available: install chromium and set SMARTSHOP_CHROMIUM to its path" >&2
  exit 0
fi

echo "installing chromium (apt) for the browser tests"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get install -y -q --no-install-recommends chromium fonts-liberation >/dev/null 2>&1 \
  || { "${as_root[@]}" apt-get update -q >/dev/null 2>&1 && "${as_root[@]}" apt-get install -y -q --no-install-recommends chromium fonts-liberation >/dev/null 2>&1; } \
  || echo "apt-get could not install chromium: the browser tests will fail" >&2
exit 0
