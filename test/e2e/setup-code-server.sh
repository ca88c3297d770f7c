#!/usr/bin/env bash
# Installs what the real-VS-Code end-to-end tests need, once, and reuses it afterwards:
#   - Debian packages: chromium (driven by playwright-core), libkrb5-dev + pkg-config (code-server's
#     native modules), ripgrep (stands in for the ripgrep download that cannot reach its host);
#   - code-server 4.100.3 (VS Code 1.100.3, Node 20 extension host) into a cache folder, NOT into the
#     project's package.json: its postinstall needs special environment and takes about 70 s.
# Usage: test/e2e/setup-code-server.sh        (prints the code-server entry point on its last line)
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

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else log "need root to run: $*"; exit 1
  fi
}

install_debian_packages() {
  local missing=() pkg
  for pkg in chromium libkrb5-dev pkg-config ripgrep; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  # node-gyp builds code-server's native modules.
  { command -v g++ >/dev/null && command -v make >/dev/null; } || missing+=(build-essential)
  command -v python3 >/dev/null || missing+=(python3)
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

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
  log "pre-filling ripgrep cache $dir from $(command -v rg)"
  mkdir -p "$dir"
  staging="$(mktemp -d)"
  cp "$(command -v rg)" "$staging/rg"
  tar -czf "$dir/$RIPGREP_ASSET.part" -C "$staging" rg
  mv "$dir/$RIPGREP_ASSET.part" "$dir/$RIPGREP_ASSET"
  rm -rf "$staging"
}

install_code_server() {
  if [ -f "$marker" ] && [ -f "$entry" ]; then
    log "reusing code-server $CODE_SERVER_VERSION in $install_dir"
    return
  fi
  log "installing code-server $CODE_SERVER_VERSION into $install_dir (about 70 s)"
  rm -rf "$install_dir"
  mkdir -p "$install_dir"
  cd "$install_dir"
  echo '{ "name": "lmcache-e2e-code-server", "private": true }' > package.json
  export npm_config_unsafe_perm=true npm_config_yes=true npm_config_fund=false npm_config_audit=false
  # Two steps: fetch without scripts to learn which @vscode/ripgrep version its lock pins, pre-fill
  # that version's cache, then run every skipped install script (argon2's native build, code-server's
  # postinstall with node-pty and ripgrep) through `npm rebuild`.
  npm install --ignore-scripts --no-save "code-server@$CODE_SERVER_VERSION" >&2
  prefill_ripgrep_cache
  npm rebuild --foreground-scripts >&2
  [ -x "$install_dir/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] \
    || { log "ripgrep missing after install"; exit 1; }
  node "$entry" --version >&2 || { log "code-server does not start"; exit 1; }
  touch "$marker"
}

install_debian_packages
install_code_server
echo "$entry"
