#!/usr/bin/env bash
# Runs the end-to-end tests in a real VS Code (code-server + headless Chromium), as CI does:
# the setup, one fresh .vsix, then every test/e2e/*.e2e.ts but the harness's own smoke test, one
# file after another, and last the integration suite (test/integration) in code-server's
# extension host (HOTMESS_E2E_INTEGRATION=0 leaves it out; naming files leaves it out too). A file that fails is run once more ("retrying FILE after a failure"), so a
# one-off timing hiccup does not block CI; both attempts are reported, and a file passes only
# if an attempt passes.
#
#   bash scripts/e2e.sh                                  # all of them
#   bash scripts/e2e.sh test/e2e/providers.e2e.ts        # some of them
#
# Artefacts (HOTMESS_E2E_ARTIFACTS, default out/e2e): the tests' screenshots, each attempt's
# output in logs/NAME.attemptK.log, and the screenshots a failed first attempt took in
# NAME-attempt1/ (so the retry does not overwrite them). Prints one summary line per file and a
# last line "e2e: N passed, M failed" (files); exit status 1 if any file failed, 2 if the setup
# or the packaging failed.
set -uo pipefail
cd "$(dirname "$0")/.."

ART="${HOTMESS_E2E_ARTIFACTS:-out/e2e}"
LOGS="$ART/logs"
LIMIT="${HOTMESS_E2E_FILE_LIMIT:-20m}" # per attempt; each test also has its own watchdog
mkdir -p "$LOGS"
T0=$(date +%s)
say() { printf 'e2e.sh [%4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
fatal() {
  echo "e2e.sh: FAILED: $1" >&2
  [[ -n "${2:-}" && -f "$2" ]] && { echo "---- last 40 lines of $2 ----" >&2; tail -n 40 "$2" >&2; }
  echo "e2e: 0 passed, 1 failed"
  exit 2
}

if [[ $# -gt 0 ]]; then
  FILES=("$@")
else
  FILES=()
  for f in test/e2e/*.e2e.ts; do
    [[ "$(basename "$f")" == "smoke.e2e.ts" ]] && continue
    FILES+=("$f")
  done
fi
[[ ${#FILES[@]} -gt 0 ]] || fatal "no test/e2e/*.e2e.ts files"

say "setup: bash scripts/setup-code-server.sh"
bash scripts/setup-code-server.sh >"$LOGS/setup.log" 2>&1 </dev/null || fatal "scripts/setup-code-server.sh" "$LOGS/setup.log"
say "npm run package"
t=$(date +%s)
npm run package >"$LOGS/package.log" 2>&1 </dev/null || { node esbuild.mjs >/dev/null 2>&1; fatal "npm run package" "$LOGS/package.log"; }
say "  packaged out/hot-mess-inspector.vsix in $(( $(date +%s) - t ))s"
# the package step built minified production bundles into dist/: restore the development ones
node esbuild.mjs >"$LOGS/esbuild.log" 2>&1 </dev/null || fatal "node esbuild.mjs" "$LOGS/esbuild.log"
export HOTMESS_E2E_PACKAGED=1 # the tests install this .vsix rather than package their own

# One attempt at one file: its output to the console and to a log; sets RC, CHECKS, CLOSING, SECS.
attempt() {
  local file=$1 k=$2 name log
  name=$(basename "$file" .e2e.ts)
  log="$LOGS/$name.attempt$k.log"
  local t=$(date +%s)
  timeout --kill-after=30 "$LIMIT" node --import tsx "$file" </dev/null 2>&1 | tee "$log"
  RC=${PIPESTATUS[0]}
  SECS=$(( $(date +%s) - t ))
  CHECKS=$(grep -c '^e2e: ok: ' "$log")
  CLOSING=$(grep -E '^e2e: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  REASON=$(grep -m1 -E '^e2e: FAILED: ' "$log" | cut -c1-160)
  [[ -z "$CLOSING" && -z "$REASON" ]] && REASON="no closing \"e2e: N passed, M failed\" line"
  [[ $RC -eq 124 || $RC -eq 137 ]] && REASON="killed after the $LIMIT limit"
  # a pass is exit 0 AND the test's own closing line with nothing failed
  [[ $RC -eq 0 && "$CLOSING" =~ \ 0\ failed$ ]]
}
describe() { echo "exit $RC, $CHECKS checks ok, ${SECS}s${CLOSING:+, \"$CLOSING\"}${REASON:+, $REASON}"; }

PASSED=0
FAILED=0
SUMMARY=()
for file in "${FILES[@]}"; do
  name=$(basename "$file" .e2e.ts)
  [[ -f "$file" ]] || { SUMMARY+=("e2e: $file: FAILED (no such file)"); FAILED=$((FAILED + 1)); continue; }
  say "==== $file"
  marker="$LOGS/.$name.started"
  touch "$marker"
  rm -rf "$ART/$name-attempt1" # from an earlier invocation
  if attempt "$file" 1; then
    line="e2e: $file: passed ($(describe))"
    PASSED=$((PASSED + 1))
  else
    first=$(describe)
    # keep the first attempt's screenshots apart from the retry's
    keep="$ART/$name-attempt1"
    mkdir -p "$keep"
    find "$ART" -maxdepth 1 -name '*.png' -newer "$marker" -exec mv {} "$keep/" \;
    if rmdir "$keep" 2>/dev/null; then where="it took no screenshots"; else where="its screenshots are in $keep/"; fi
    say "retrying $file after a failure (attempt 1: $first; $where)"
    if attempt "$file" 2; then
      line="e2e: $file: passed on the retry (attempt 1 FAILED: $first; attempt 2 passed: $(describe))"
      PASSED=$((PASSED + 1))
    else
      line="e2e: $file: FAILED twice (attempt 1: $first; attempt 2: $(describe))"
      FAILED=$((FAILED + 1))
    fi
  fi
  rm -f "$marker"
  say "$line"
  SUMMARY+=("$line")
done

# The @vscode/test-electron suite (test/integration), in code-server's extension host: the same
# Mocha tests VS Code's own test runner would run, where no Electron VS Code can be had.
if [[ "${HOTMESS_E2E_INTEGRATION:-1}" == "1" && $# -eq 0 ]]; then
  say "==== npm run test:integration -- --code-server"
  for k in 1 2; do
    log="$LOGS/integration.attempt$k.log"
    t=$(date +%s)
    timeout --kill-after=30 "$LIMIT" node scripts/test-integration.mjs --code-server </dev/null 2>&1 | tee "$log"
    RC=${PIPESTATUS[0]}
    SECS=$(( $(date +%s) - t ))
    [[ $RC -eq 0 ]] && break
    [[ $k -eq 1 ]] && say "retrying the integration suite after a failure (attempt 1: exit $RC, ${SECS}s)"
  done
  if [[ $RC -eq 0 ]]; then
    line="e2e: integration suite in code-server: passed (attempt $k, ${SECS}s, \"$(grep -E '^integration \(code-server\): ' "$log" | tail -n 1)\")"
    PASSED=$((PASSED + 1))
  else
    line="e2e: integration suite in code-server: FAILED twice (exit $RC; logs in $LOGS/integration.attempt*.log)"
    FAILED=$((FAILED + 1))
  fi
  say "$line"
  SUMMARY+=("$line")
fi

echo
echo "e2e: summary after $(( $(date +%s) - T0 ))s (logs in $LOGS/, screenshots in $ART/)"
for line in "${SUMMARY[@]}"; do echo "$line"; done
echo "e2e: $PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
