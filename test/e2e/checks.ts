// What every e2e test of the extension shares: a checklist that prints each check and the
// closing "N passed, M failed" line, and the packaged extension.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./harness";

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
export function ensureVsix(force = process.argv.includes("--package")): string {
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
