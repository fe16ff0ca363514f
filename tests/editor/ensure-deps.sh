#!/usr/bin/env bash
# Installs what the editor test needs, idempotently: node and npm (Debian's, with apt-get, as root) and, with npm,
# the Red Hat YAML language server (the one VS Code's YAML extension runs) into $EDITOR_DEPS
# (default .venv/editor-deps). 1.x: 2.0 needs Node 22.13, Debian's node is older.
set -euo pipefail
DEPS=${EDITOR_DEPS:-"$(cd "$(dirname "$0")/../.." && pwd)/.venv/editor-deps"}
VERSION=1.25.0
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure-deps: node and npm are missing; install Debian's nodejs and npm and rerun" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
PKG="$DEPS/node_modules/yaml-language-server/package.json"
if ! [ -f "$PKG" ] || ! grep -q "\"version\": \"$VERSION\"" "$PKG"; then
  mkdir -p "$DEPS"
  npm install --prefix "$DEPS" --no-audit --no-fund --silent --save-exact "yaml-language-server@$VERSION"
fi
echo "editor deps ready: $DEPS (yaml-language-server $VERSION)"
