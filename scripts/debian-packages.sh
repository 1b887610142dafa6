#!/usr/bin/env bash
# The Debian packages the tests need, installed when missing: prometheus (the Prometheus backend's
# tests) and chromium (the dashboard's browser tests). Run by `npm test` and by CI; needs root to
# install, and otherwise says what is missing.
set -euo pipefail
PACKAGES=(ca-certificates prometheus chromium)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]}) and run again" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
