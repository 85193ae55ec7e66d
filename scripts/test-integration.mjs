#!/usr/bin/env node
// The integration tests: Mocha inside VS Code's extension host (test/integration/README.md).
//
//   npm run test:integration                      # VS Code from VSCODE_EXECUTABLE, else skipped
//   VSCODE_EXECUTABLE=/path/to/code npm run test:integration
//   HOTMESS_DOWNLOAD_VSCODE=1 npm run test:integration      # let @vscode/test-electron download one
//   npm run test:integration -- --code-server     # the same suite in code-server's extension host
//
// Always builds the extension (node esbuild.mjs) and bundles the suite into out/integration/
// (CommonJS; `vscode` and `mocha` are left to the extension host to provide). Without
// VSCODE_EXECUTABLE or HOTMESS_DOWNLOAD_VSCODE=1 it then prints the skip line and exits 0 without
// touching the network: @vscode/test-electron is only loaded on the two paths that run VS Code.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const repo = resolve(fileURLToPath(new URL("..", import.meta.url)));
const outDir = join(repo, "out", "integration");
const args = process.argv.slice(2);
const keep = args.includes("--keep");

const SKIP_LINE = "skipped: no VS Code (set VSCODE_EXECUTABLE to a VS Code binary, or HOTMESS_DOWNLOAD_VSCODE=1 to download one)";

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { cwd: repo, stdio: "inherit", ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

/** The extension (dist/) and the suite (out/integration/*.js). */
async function buildAll() {
  if (run(process.execPath, ["esbuild.mjs"]) !== 0) {
    console.error("test:integration: node esbuild.mjs failed");
    process.exit(1);
  }
  const srcDir = join(repo, "test", "integration");
  const entries = readdirSync(srcDir)
    .filter((f) => f === "index.ts" || f.endsWith(".test.ts"))
    .map((f) => join(srcDir, f));
  rmSync(outDir, { recursive: true, force: true });
  await build({
    entryPoints: entries,
    outdir: outDir,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode", "mocha"],
    sourcemap: true,
    logLevel: "warning",
  });
  return entries.length;
}

/** A throwaway workspace, user data and extensions folder for one VS Code run. */
function scratch() {
  const root = mkdtempSync(join(tmpdir(), "hotmess-it-"));
  const dirs = { root, workspace: join(root, "workspace"), userData: join(root, "user-data"), extensions: join(root, "extensions") };
  for (const d of [dirs.workspace, dirs.extensions, join(dirs.userData, "User")]) mkdirSync(d, { recursive: true });
  writeFileSync(join(dirs.workspace, "README.md"), "The workspace of the Hot Mess Inspector integration tests.\n");
  // Nothing that would reach out, nothing that would steal the editor from the tests.
  const settings = {
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "workbench.enableExperiments": false,
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "security.workspace.trust.enabled": false,
    "files.hotExit": "off",
    "window.confirmBeforeClose": "never",
  };
  writeFileSync(join(dirs.userData, "User", "settings.json"), JSON.stringify(settings, null, 2) + "\n");
  return dirs;
}

/** Prints the suite's results (from HOTMESS_IT_REPORT) as one closing line; returns them. */
function summarize(reportFile) {
  if (!existsSync(reportFile)) {
    console.log("test:integration: the suite wrote no report (it did not run to the end)");
    return null;
  }
  const r = JSON.parse(readFileSync(reportFile, "utf8"));
  for (const t of r.tests.filter((t) => t.state === "failed")) console.log(`FAILED ${t.title}: ${(t.error ?? "").split("\n")[0]}`);
  console.log(`integration: ${r.passes} passed, ${r.failures} failed, ${r.pending} skipped`);
  return r;
}

async function runElectron(download) {
  const { runTests } = await import("@vscode/test-electron");
  const dirs = scratch();
  const report = join(dirs.root, "report.json");
  const options = {
    extensionDevelopmentPath: repo,
    extensionTestsPath: join(outDir, "index.js"),
    extensionTestsEnv: { HOTMESS_IT_REPORT: report },
    launchArgs: [dirs.workspace, "--disable-extensions", "--disable-workspace-trust", `--user-data-dir=${dirs.userData}`, `--extensions-dir=${dirs.extensions}`],
  };
  if (download) {
    // Not into the repository's .vscode-test: a cache of our own, kept between runs.
    options.cachePath = process.env.HOTMESS_VSCODE_TEST_CACHE ?? join(homedir(), ".cache", "hotmess-vscode-test");
    if (process.env.HOTMESS_VSCODE_VERSION) options.version = process.env.HOTMESS_VSCODE_VERSION;
    console.log(`test:integration: VS Code ${options.version ?? "stable"} from @vscode/test-electron (cache ${options.cachePath})`);
  } else {
    options.vscodeExecutablePath = resolve(process.env.VSCODE_EXECUTABLE);
    if (!existsSync(options.vscodeExecutablePath)) {
      console.error(`test:integration: VSCODE_EXECUTABLE=${process.env.VSCODE_EXECUTABLE}: no such file`);
      rmSync(dirs.root, { recursive: true, force: true });
      return 1;
    }
    console.log(`test:integration: VS Code at ${options.vscodeExecutablePath}`);
  }
  if (process.platform === "linux" && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    console.log("test:integration: no DISPLAY; VS Code (Electron) needs one on Linux: run under `xvfb-run -a`");
  }
  let code;
  try {
    code = await runTests(options);
  } catch (e) {
    console.error(`test:integration: ${e instanceof Error ? e.message : String(e)}`);
    code = 1;
  }
  const r = summarize(report);
  if (keep) console.log(`test:integration: kept ${dirs.root}`);
  else rmSync(dirs.root, { recursive: true, force: true });
  return code === 0 && r !== null && r.failures === 0 ? 0 : 1;
}

const bundled = await buildAll();
console.log(`test:integration: built the extension and ${bundled} suite file(s) into ${outDir}`);

if (args.includes("--code-server")) {
  // The harness of test/e2e is TypeScript run by tsx; so is the code-server runner.
  const status = run(process.execPath, ["--import", "tsx", join(repo, "test", "integration", "code-server.ts"), ...args.filter((a) => a !== "--code-server")]);
  process.exit(status);
} else if (process.env.VSCODE_EXECUTABLE) {
  process.exit(await runElectron(false));
} else if (process.env.HOTMESS_DOWNLOAD_VSCODE === "1") {
  process.exit(await runElectron(true));
} else {
  console.log(SKIP_LINE);
  process.exit(0);
}
