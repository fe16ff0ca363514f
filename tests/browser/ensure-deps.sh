#!/usr/bin/env bash
# Installs what the browser tests need, idempotently: Debian's chromium (apt-get, as root) and, with npm,
# axe-core and playwright-core into $BROWSER_DEPS (default .venv/browser-deps). playwright-core drives
# /usr/bin/chromium and never downloads a browser of its own.
set -euo pipefail
DEPS=${BROWSER_DEPS:-"$(cd "$(dirname "$0")/../.." && pwd)/.venv/browser-deps"}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if ! [ -x "$CHROMIUM" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-deps: $CHROMIUM is missing; install Debian's chromium (sudo apt-get install chromium) and rerun" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-deps: node and npm are missing; install Debian's nodejs and npm and rerun" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if ! [ -f "$DEPS/node_modules/axe-core/axe.min.js" ] || ! [ -d "$DEPS/node_modules/playwright-core" ]; then
  mkdir -p "$DEPS"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$DEPS" --no-audit --no-fund --silent \
    axe-core@4.14.1 playwright-core@1.65.1
fi
echo "browser deps ready: $CHROMIUM, $DEPS"
