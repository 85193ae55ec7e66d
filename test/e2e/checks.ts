// What every e2e test of the extension shares: a checklist that prints each check and the
// closing "N passed, M failed" line, the packaged extension, and the frame a test runs in
// (runE2E: temp folder, watchdog, failure report, cleanup).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACTS_DIR, REPO_ROOT, ensureSetup, installVsix, screenshot, type BrowserSession, type CodeServer } from "./harness";

export class Checklist {
  readonly passed: string[] = [];
  ok(what: string): void {
    this.passed.push(what);
    console.log(`e2e: ok: ${what}`);
  }
  /** The closing line the CI reads: "e2e: N passed, M failed". */
  summary(failed: number): string {
    return `e2e: ${this.passed.length} passed, ${failed} failed`;
  }
}

export function assert(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error(`check failed: ${what}`);
}

/**
 * The extension's .vsix (out/hot-mess-inspector.vsix), packaged with `npm run package` when it
 * is missing or `force` is set; the production build minifies dist/, so the development
 * bundles are rebuilt after it for the rest of the repository. Under scripts/e2e.sh
 * (HOTMESS_E2E_PACKAGED=1) the .vsix it made is used as it is.
 */
export function ensureVsix(force?: boolean): string {
  force ??= process.argv.includes("--package");
  const vsix = join(REPO_ROOT, "out", "hot-mess-inspector.vsix");
  // scripts/e2e.sh has just packaged it for every file
  if (process.env.HOTMESS_E2E_PACKAGED === "1") force = false;
  if (force || !existsSync(vsix)) {
    const r = spawnSync("npm", ["run", "package"], { cwd: REPO_ROOT, encoding: "utf8", timeout: 300_000 });
    if (r.status !== 0) throw new Error(`npm run package failed:\n${r.stdout}\n${r.stderr}`);
    spawnSync("node", ["esbuild.mjs"], { cwd: REPO_ROOT });
  }
  assert(existsSync(vsix), `the .vsix is at ${vsix}`);
  return vsix;
}

/** What an e2e test's body shares with runE2E: its temp folder, and what to stop at the end. */
export interface E2E {
  /** A fresh temp folder for the test (kept with --keep). */
  readonly tmp: string;
  /** The server and browser now in use: stopped at the end, and their logs shown on a failure. */
  server?: CodeServer;
  session?: BrowserSession;
  /** More to undo at the end, pass or fail (e.g. a fake server to close). */
  onCleanup(fn: () => Promise<unknown> | unknown): void;
  /** More to print on a failure (e.g. the requests a fake server saw). */
  onFailure(fn: () => Promise<unknown> | unknown): void;
}

/**
 * The frame every e2e test runs in: a temp folder, an overall watchdog, the closing
 * "e2e: N passed, M failed" line; on a failure the reason, a screenshot (out/e2e/NAME-failure.png),
 * the browser's console errors, code-server's output and the tails of VS Code's server and
 * extension host logs; at the end the browser and the server
 * stopped and the temp folder removed (unless --keep). Sets the exit status.
 */
export async function runE2E(name: string, opts: { list: Checklist; limitMinutes: number }, body: (t: E2E) => Promise<void>): Promise<void> {
  const keep = process.argv.includes("--keep");
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const failures: (() => Promise<unknown> | unknown)[] = [];
  const t: E2E = {
    tmp: mkdtempSync(join(tmpdir(), `hm-e2e-${name}-`)),
    onCleanup: (fn) => void cleanups.push(fn),
    onFailure: (fn) => void failures.push(fn),
  };
  const serverLog = (lines: number) => (t.server ? `code-server log (last ${lines} lines):\n${t.server.log().split("\n").slice(-lines).join("\n")}` : "");
  const watchdog = setTimeout(() => {
    console.error(`e2e: FAILED: over the overall limit of ${opts.limitMinutes} minutes`);
    console.error(serverLog(80));
    console.log(`\n${opts.list.summary(1)}`);
    process.exit(1);
  }, opts.limitMinutes * 60_000);
  watchdog.unref();
  try {
    await body(t);
    console.log(`\n${opts.list.summary(0)}`);
  } catch (e) {
    console.error(`\ne2e: FAILED: ${e instanceof Error ? e.message : String(e)}`);
    if (t.session) {
      await screenshot(t.session.page, join(ARTIFACTS_DIR, `${name}-failure.png`)).catch(() => undefined);
      console.error(`console errors:\n${t.session.consoleErrors.join("\n")}`);
    }
    for (const fn of failures) await Promise.resolve().then(fn).catch(() => undefined);
    if (t.server) {
      console.error(serverLog(60));
      // VS Code's own logs: the server's and the extension host's (where an extension's errors go)
      for (const l of t.server.vscodeLogs()) console.error(`---- ${l.file} (last 40 lines) ----\n${l.text.split("\n").slice(-40).join("\n")}`);
    }
    console.log(`\n${opts.list.summary(1)}`);
    process.exitCode = 1;
  } finally {
    clearTimeout(watchdog);
    await t.session?.close().catch(() => undefined);
    await t.server?.stop().catch(() => undefined);
    for (const fn of cleanups) await Promise.resolve().then(fn).catch(() => undefined);
    if (!keep) rmSync(t.tmp, { recursive: true, force: true });
    else console.log(`e2e: kept ${t.tmp}`);
  }
}

/**
 * The extension as a user gets it: code-server set up, the .vsix (packaged afresh with
 * `repackage`, else as ensureVsix decides), installed into the test's own extensions folder.
 */
export function installExtension(t: E2E, opts: { repackage?: boolean } = {}): { vsix: string; extensionsDir: string; userDataDir: string } {
  ensureSetup();
  const vsix = ensureVsix(opts.repackage);
  const extensionsDir = join(t.tmp, "extensions");
  const userDataDir = join(t.tmp, "user-data");
  installVsix(vsix, extensionsDir, { userDataDir });
  return { vsix, extensionsDir, userDataDir };
}
