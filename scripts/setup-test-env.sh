#!/usr/bin/env bash
# Sets up what `npm test` needs beyond node_modules, before any test starts (it is npm test's
# `pretest`, and .ci/run calls it too). Idempotent; when everything is present it only checks
# (well under 2 s):
#   - Node 20 or newer;
#   - Debian packages: redis-server (tests start it on loopback), /usr/bin/python3 with torch,
#     aiofiles, redis, pytest and debugpy (the Python lane and the URL-parser comparison; the
#     `python3` first on PATH may be another build without them), pip, setuptools and venv
#     (a generated Python project's `pip install -e .`, offline), chromium (driven by
#     playwright-core), libkrb5-dev, pkg-config and g++/make (code-server's native modules),
#     ripgrep (stands in for code-server's ripgrep download);
#   - code-server 4.100.3 for the end-to-end tests, from the npm registry into .cache/e2e
#     (test/e2e/setup-code-server.sh: one progress line, its output in a log file).
# As root it installs what is missing; otherwise it prints the exact command and exits 1.
# Usage: scripts/setup-test-env.sh [--check]   (--check: never install, only report)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
check_only=false
[ "${1:-}" = "--check" ] && check_only=true

say() { echo "[setup-test-env] $*" >&2; }

# Node
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  say "Node 20 or newer is needed (found $(node --version))."
  exit 1
fi

# Debian packages.
PACKAGES=(
  redis-server
  python3 python3-torch python3-aiofiles python3-redis python3-pytest python3-debugpy
  python3-pip python3-setuptools python3-venv
  chromium
  libkrb5-dev pkg-config
  ripgrep
)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qx installed || missing+=("$pkg")
done
# node-gyp builds code-server's native modules (any g++ and make will do).
{ command -v g++ && command -v make; } >/dev/null || missing+=(build-essential)

if ((${#missing[@]})); then
  install_cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" != 0 ] || $check_only; then
    say "missing Debian packages: ${missing[*]}"
    say "install them (as root) with:"
    echo "  $install_cmd" >&2
    say "then run npm test again."
    exit 1
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  log="$(mktemp -t lmcache-apt-XXXXXX.log)"
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    say "apt-get failed (full log: $log)"
    exit 1
  fi
  rm -f "$log"
fi

# code-server for test/e2e.
if $check_only; then
  bash "$repo/test/e2e/setup-code-server.sh" --check >/dev/null || exit 1
else
  bash "$repo/test/e2e/setup-code-server.sh" >/dev/null
fi
