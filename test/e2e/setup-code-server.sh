#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, Node 20 extension host) for the real-VS-Code
# end-to-end tests, once, into a cache folder — NOT into the project's package.json: its postinstall
# needs special environment and takes about 70 s. Quiet: one progress line; npm's output goes to
# <cache>/code-server-install.log (its tail is printed on failure).
# Its Debian prerequisites (libkrb5-dev, pkg-config, g++/make, ripgrep) are installed by
# scripts/setup-test-env.sh, which calls this script (npm test's pretest, .ci/run).
# Usage: test/e2e/setup-code-server.sh [--check]   (prints the code-server entry point on its last
#        line; --check only tells whether it is installed: exit 1 with the command when not)
# Env:   LMCACHE_E2E_CACHE  cache folder (default <repo>/.cache/e2e)
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
# The asset @vscode/ripgrep's postinstall looks for (its lib/postinstall.js VERSION and target).
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

repo="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${LMCACHE_E2E_CACHE:-$repo/.cache/e2e}"
install_dir="$cache/code-server"
entry="$install_dir/node_modules/code-server/out/node/entry.js"
marker="$install_dir/.installed-$CODE_SERVER_VERSION"

log() { echo "[setup-code-server] $*" >&2; }

# @vscode/ripgrep downloads from GitHub, which is unreachable here; its download step uses a cached
# asset when one exists in $TMPDIR/vscode-ripgrep-cache-<package version>/, so put Debian's rg there.
prefill_ripgrep_cache() {
  local rg_version tmp dir staging
  rg_version="$(node -e '
    const lock = require(process.argv[1]);
    process.stdout.write(lock.packages["node_modules/@vscode/ripgrep"].version);
  ' "$install_dir/node_modules/code-server/lib/vscode/npm-shrinkwrap.json")"
  tmp="$(node -p 'require("os").tmpdir()')"
  dir="$tmp/vscode-ripgrep-cache-$rg_version"
  if [ -s "$dir/$RIPGREP_ASSET" ]; then return; fi
  command -v rg >/dev/null || { log "ripgrep (rg) is missing: run scripts/setup-test-env.sh"; exit 1; }
  mkdir -p "$dir"
  staging="$(mktemp -d)"
  cp "$(command -v rg)" "$staging/rg"
  tar -czf "$dir/$RIPGREP_ASSET.part" -C "$staging" rg
  mv "$dir/$RIPGREP_ASSET.part" "$dir/$RIPGREP_ASSET"
  rm -rf "$staging"
}

install_code_server() {
  if [ -f "$marker" ] && [ -f "$entry" ]; then return; fi
  if [ "${1:-}" = --check ]; then
    log "code-server $CODE_SERVER_VERSION is not installed in $install_dir: run scripts/setup-test-env.sh"
    exit 1
  fi
  local npm_log="$cache/code-server-install.log"
  log "installing code-server $CODE_SERVER_VERSION from the npm registry into $install_dir (about 70 s; log: $npm_log)"
  rm -rf "$install_dir"
  mkdir -p "$install_dir"
  : >"$npm_log"
  cd "$install_dir"
  echo '{ "name": "lmcache-e2e-code-server", "private": true }' > package.json
  export npm_config_unsafe_perm=true npm_config_yes=true npm_config_fund=false npm_config_audit=false
  # Two steps: fetch without scripts to learn which @vscode/ripgrep version its lock pins, pre-fill
  # that version's cache, then run every skipped install script (argon2's native build, code-server's
  # postinstall with node-pty and ripgrep) through `npm rebuild`.
  if ! { npm install --ignore-scripts --no-save "code-server@$CODE_SERVER_VERSION" \
        && prefill_ripgrep_cache \
        && npm rebuild --foreground-scripts; } >>"$npm_log" 2>&1; then
    tail -n 30 "$npm_log" >&2
    log "installing code-server failed (full log: $npm_log)"
    exit 1
  fi
  [ -x "$install_dir/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] \
    || { log "ripgrep missing after install (log: $npm_log)"; exit 1; }
  node "$entry" --version >>"$npm_log" 2>&1 || { log "code-server does not start (log: $npm_log)"; exit 1; }
  touch "$marker"
}

install_code_server "${1:-}"
echo "$entry"
