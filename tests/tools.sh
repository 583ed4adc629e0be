#!/usr/bin/env bash
# Installs what the test suite needs beyond cargo: headless Chromium and its WebDriver
# (Debian's chromium, chromium-driver) for the browser tests, and axe-core (pinned in
# tests/browser/package-lock.json) for their accessibility checks. Idempotent: when all
# is present it prints nothing and changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
  packages=(chromium chromium-driver)
  if ((EUID == 0)); then
    as_root=()
  elif command -v sudo >/dev/null; then
    as_root=(sudo)
  else
    echo "tests/tools.sh: the browser tests need Debian's ${packages[*]}; install them as root:" >&2
    echo "  apt-get update && apt-get install -y ${packages[*]}" >&2
    exit 1
  fi
  echo "tests/tools.sh: installing ${packages[*]}"
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"
fi

if [[ ! -f tests/browser/node_modules/axe-core/axe.min.js ]]; then
  if ! command -v npm >/dev/null; then
    echo "tests/tools.sh: the accessibility checks need npm (Debian's npm) to install axe-core" >&2
    exit 1
  fi
  echo "tests/tools.sh: installing axe-core (tests/browser/package-lock.json)"
  # --prefix keeps node_modules under tests/browser; ci installs exactly the locked version.
  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
fi
