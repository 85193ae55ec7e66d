#!/usr/bin/env bash
# Installs a real VS Code for the end-to-end tests: code-server (VS Code in the browser, running
# on this machine's Node) and playwright-core, which drives Debian's Chromium. Everything goes
# into a cache OUTSIDE the repository; nothing is downloaded but npm and Debian packages
# (every npm install runs with --ignore-scripts, so no postinstall fetches a binary, and the
# native modules are rebuilt from source against Node's own headers).
#
#   bash scripts/setup-code-server.sh            # idempotent: quick when the stamp is there
#   HOTMESS_E2E_CACHE=/some/dir bash scripts/setup-code-server.sh
#   bash scripts/setup-code-server.sh --force    # reinstall the npm part from scratch
#
# Safe to run from CI as root with no standard input. Prints the cache path on its last line
# ("cache: DIR"). Exit status non-zero on any failure.
set -euo pipefail

CODE_SERVER_VERSION="4.100.3"
PLAYWRIGHT_CORE_VERSION="${HOTMESS_PLAYWRIGHT_CORE_VERSION:-1.65.1}"
VSCE_VERSION="3.9.2"   # @vscode/vsce, to package .vsix files for the tests
CACHE="${HOTMESS_E2E_CACHE:-${HOME:-/root}/.cache/hotmess-e2e}"
STAMP="$CACHE/.setup-done-code-server-$CODE_SERVER_VERSION-playwright-$PLAYWRIGHT_CORE_VERSION-vsce-$VSCE_VERSION"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

export DEBIAN_FRONTEND=noninteractive
export npm_config_yes=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
T0=$(date +%s)
step() { printf '[setup-code-server %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
# Runs a command with a time limit, its output to a log, and shows the log's tail on failure.
LOGDIR="$CACHE/logs"
run() {
  local name=$1 limit=$2; shift 2
  local log="$LOGDIR/$name.log"
  local t=$(date +%s)
  if ! timeout --kill-after=10 "$limit" "$@" >"$log" 2>&1 </dev/null; then
    echo "setup-code-server: FAILED ($name): $*" >&2
    echo "---- last 40 lines of $log ----" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
  step "  $name done in $(( $(date +%s) - t ))s"
}

# True when every named module can be require()d from the current directory.
loads() {
  timeout 60 node -e 'for (const m of process.argv.slice(1)) require(m)' "$@" >/dev/null 2>&1 </dev/null
}

mkdir -p "$CACHE" "$LOGDIR"
ENTRY="$CACHE/node_modules/code-server/out/node/entry.js"

verify() {
  local v
  # An empty config file of our own: without --config, code-server writes a default one (with a
  # random password) into ~/.config/code-server.
  : > "$CACHE/code-server-config.yaml"
  v=$(timeout 60 node "$ENTRY" --config "$CACHE/code-server-config.yaml" --version 2>/dev/null </dev/null | grep -E '^[0-9]+\.[0-9]+\.[0-9]+ ' | head -n 1 || true)
  [[ "$v" == "$CODE_SERVER_VERSION"* ]] || { echo "setup-code-server: expected code-server $CODE_SERVER_VERSION, got '${v:-nothing}'" >&2; return 1; }
  [[ -e "$CACHE/node_modules/playwright-core/package.json" ]] || { echo "setup-code-server: playwright-core missing" >&2; return 1; }
  [[ -x "$CACHE/node_modules/.bin/vsce" ]] || { echo "setup-code-server: vsce missing" >&2; return 1; }
  command -v chromium >/dev/null && command -v rg >/dev/null || { echo "setup-code-server: chromium or rg missing" >&2; return 1; }
  step "verified: code-server $v, $(chromium --version 2>/dev/null | head -n1)"
}

if [[ $FORCE == 0 && -f "$STAMP" ]] && verify; then
  step "already set up (stamp $(basename "$STAMP")), nothing to do"
  echo "cache: $CACHE"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# 1. Debian packages: Chromium for Playwright, ripgrep (VS Code's search, instead of the binary
#    @vscode/ripgrep would download) and the Kerberos headers the kerberos addon builds against.
missing=()
for pkg in chromium ripgrep libkrb5-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) != 0 ]]; then
    echo "setup-code-server: need the Debian packages ${missing[*]} (run as root, or apt-get install them)" >&2
    exit 1
  fi
  step "apt-get install ${missing[*]}"
  run apt-update 600 apt-get update
  run apt-install 1200 apt-get install -y --no-install-recommends "${missing[@]}"
else
  step "Debian packages already installed: chromium ripgrep libkrb5-dev"
fi

# ---------------------------------------------------------------------------------------------
# 2. npm: code-server and playwright-core, in the cache (its own package.json, so nothing of the
#    repository is touched).
cd "$CACHE"
if [[ $FORCE == 1 ]]; then
  step "--force: removing $CACHE/node_modules"
  rm -rf "$CACHE/node_modules" "$CACHE/package-lock.json" "$STAMP"
fi
[[ -f package.json ]] || printf '{ "name": "hotmess-e2e-cache", "private": true }\n' > package.json

if [[ ! -f "$CACHE/node_modules/code-server/package.json" ]] || \
   [[ $(node -p "require('$CACHE/node_modules/code-server/package.json').version") != "$CODE_SERVER_VERSION" ]] || \
   [[ ! -f "$CACHE/node_modules/playwright-core/package.json" ]] || \
   [[ $(node -p "require('$CACHE/node_modules/playwright-core/package.json').version") != "$PLAYWRIGHT_CORE_VERSION" ]] || \
   [[ ! -f "$CACHE/node_modules/@vscode/vsce/package.json" ]] || \
   [[ $(node -p "require('$CACHE/node_modules/@vscode/vsce/package.json').version") != "$VSCE_VERSION" ]]; then
  step "npm install code-server@$CODE_SERVER_VERSION playwright-core@$PLAYWRIGHT_CORE_VERSION @vscode/vsce@$VSCE_VERSION (in $CACHE)"
  run npm-top 1200 npm install --ignore-scripts "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_CORE_VERSION" "@vscode/vsce@$VSCE_VERSION"
fi

VSCODE="$CACHE/node_modules/code-server/lib/vscode"
[[ -d "$VSCODE" ]] || { echo "setup-code-server: $VSCODE missing after install" >&2; exit 1; }

# 3. VS Code's own production dependencies (code-server ships them as a package.json only).
cd "$VSCODE"
if [[ ! -f node_modules/.hotmess-installed ]]; then
  step "npm install --omit=dev in lib/vscode"
  run npm-vscode 1800 npm install --omit=dev --ignore-scripts
  touch node_modules/.hotmess-installed
fi

# ripgrep: @vscode/ripgrep's postinstall downloads a binary; Debian's does the same job.
mkdir -p node_modules/@vscode/ripgrep/bin
if ! cmp -s /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg; then
  cp /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg
  chmod +x node_modules/@vscode/ripgrep/bin/rg
  step "copied /usr/bin/rg into @vscode/ripgrep/bin"
fi

# Native addons, built from source against this Node (node-gyp uses npm's configured headers).
# "Built" means: each one loads in this Node.
NATIVE=(@parcel/watcher @vscode/spdlog kerberos native-watchdog node-pty @vscode/deviceid)
if ! loads "${NATIVE[@]}"; then
  step "npm rebuild of VS Code's native addons: ${NATIVE[*]} (a minute or more)"
  run rebuild-vscode 2400 npm rebuild "${NATIVE[@]}"
  loads "${NATIVE[@]}" || { echo "setup-code-server: native addons still do not load after the rebuild (see $LOGDIR/rebuild-vscode.log)" >&2; exit 1; }
fi

# The server looks for node_modules.asar (an Electron archive) first; the plain folder will do.
if [[ ! -e node_modules.asar ]]; then
  ln -s node_modules node_modules.asar
  step "linked node_modules.asar -> node_modules"
fi

# The built-in extensions' shared dependencies (typescript for the TS language features, etc.).
cd "$VSCODE/extensions"
if [[ ! -f node_modules/.hotmess-installed ]]; then
  step "npm install --omit=dev in lib/vscode/extensions"
  run npm-extensions 1200 npm install --omit=dev --ignore-scripts
  mkdir -p node_modules && touch node_modules/.hotmess-installed
fi

# 4. code-server's own native dependency (password hashing; unused with --auth none, but loaded).
cd "$CACHE"
if ! loads argon2; then
  step "npm rebuild argon2"
  run rebuild-argon2 1200 npm rebuild argon2
  loads argon2 || { echo "setup-code-server: argon2 still does not load after the rebuild" >&2; exit 1; }
fi

verify
date -u +%FT%TZ > "$STAMP"
step "done in $(( $(date +%s) - T0 ))s"
echo "cache: $CACHE"
