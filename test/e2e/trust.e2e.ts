// An untrusted workspace in a real VS Code (code-server with workspace trust on): the extension
// runs in Restricted Mode, refuses to rerun a prompt (that would send it to a model and write
// files) with a message that says why and offers Manage Workspace Trust, ignores the workspace's
// restricted settings (its run directory), and still shows the runs already there. Then the user
// trusts the workspace, and the same command runs and honours the workspace's run directory.
// Screenshots go to out/e2e/.
//
//   node --import tsx test/e2e/trust.e2e.ts [--keep]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Analysis } from "../../src/core";
import { benchmarkPrompts } from "../../src/sampling/benchmark";
import { assert, Checklist, ensureVsix } from "./checks";
import {
  ARTIFACTS_DIR,
  REPO_ROOT,
  ensureSetup,
  installVsix,
  openBrowser,
  openFile,
  quickInputItems,
  runCommand,
  screenshot,
  selectAll,
  startCodeServer,
  statusBarText,
  waitForNotification,
  waitForWorkbench,
  waitUntil,
  webviewFrame,
  type BrowserSession,
  type CodeServer,
} from "./harness";

const KEEP = process.argv.includes("--keep");
const list = new Checklist();
const ok = (what: string) => list.ok(what);
const jsonl = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".jsonl")) : []);

function analyze(file: string): Analysis {
  const cli = spawnSync(process.execPath, [join(REPO_ROOT, "dist", "cli.js"), "analyze", file, "--json", "-"], { encoding: "utf8" });
  assert(cli.status === 0, `hotmess analyze ${file}: ${cli.stderr}`);
  return JSON.parse(cli.stdout) as Analysis;
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), "hm-e2e-trust-"));
  let server: CodeServer | undefined;
  let session: BrowserSession | undefined;
  const watchdog = setTimeout(() => {
    console.error("e2e: FAILED: over the overall limit of 8 minutes");
    if (server) console.error(server.log().split("\n").slice(-80).join("\n"));
    process.exit(1);
  }, 8 * 60_000);
  watchdog.unref();
  try {
    ensureSetup();
    const vsix = ensureVsix();
    const extensionsDir = join(tmp, "extensions");
    const userDataDir = join(tmp, "user-data");
    installVsix(vsix, extensionsDir, { userDataDir });

    // A workspace from somebody else: a prompt, a run already recorded in the default run store,
    // and a workspace setting that would send new run files elsewhere.
    const workspace = join(tmp, "workspace");
    const store = join(workspace, ".hotmess", "runs");
    const custom = join(workspace, "their-runs");
    mkdirSync(join(workspace, ".vscode"), { recursive: true });
    writeFileSync(join(workspace, ".vscode", "settings.json"), JSON.stringify({ "hotmess.runDirectory": "their-runs" }, null, 2) + "\n");
    const [bp] = benchmarkPrompts(["easy"], 1);
    writeFileSync(join(workspace, "optimizer-prompt.txt"), bp!.prompt + "\n");
    const bench = spawnSync(process.execPath, [join(REPO_ROOT, "dist", "cli.js"), "bench", "optimizer", "-n", "5", "--difficulty", "easy", "--out", store], { encoding: "utf8" });
    assert(bench.status === 0, `hotmess bench wrote a run: ${bench.stderr}`);
    const recorded = jsonl(store);
    assert(recorded.length === 1, `one recorded run in ${store}: ${recorded.join(", ")}`);
    const recordedAnalysis = analyze(join(store, recorded[0]!));

    server = await startCodeServer({ extensionsDir, userDataDir, workspace, theme: "light", trust: "untrusted", settings: { "hotmess.provider": "simulated", "hotmess.n": 4 } });
    session = await openBrowser(server.url, { goto: false });
    const { page } = session;
    await page.goto(server.url, { waitUntil: "domcontentloaded", timeout: 60_000 });
    await waitForWorkbench(page);
    const restricted = await waitUntil("VS Code to show Restricted Mode", async () => {
      const s = (await statusBarText(page)) ?? "";
      return /Restricted Mode/i.test(s) ? s : undefined;
    }, { page, timeoutMs: 30_000 });
    ok(`the workspace opens untrusted (status bar: "${restricted.split(" | ").find((s) => /Restricted/i.test(s))}")`);

    // ---- rerunning is refused, with the way out
    await openFile(page, "optimizer-prompt.txt");
    await selectAll(page);
    await runCommand(page, "Hot Mess: Rerun Selection N Times");
    const refusal = await waitForNotification(page, /untrusted workspace/);
    const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "untrusted workspace" }).first();
    const offers = await toast.locator(".monaco-button", { hasText: "Manage Workspace Trust" }).count();
    assert(offers === 1, "the message offers Manage Workspace Trust");
    await page.waitForTimeout(1_500); // a run, had one started, would have written its file by now
    assert(jsonl(store).length === 1 && !existsSync(custom), `no run file was written (${jsonl(store).join(", ")}; ${custom} ${existsSync(custom) ? "exists" : "absent"})`);
    ok(`Rerun Selection is refused: "${refusal.slice(0, 110)}…", offering Manage Workspace Trust; no run file written`);
    await screenshot(page, join(ARTIFACTS_DIR, "trust-refused.png"));
    await page.keyboard.press("Escape");

    // ---- viewing works: Open Run… lists the default store (the workspace's run directory is ignored)
    await runCommand(page, "Hot Mess: Open Run…");
    let seen: string[] = [];
    const items = await waitUntil("Open Run to list the recorded run", async () => {
      seen = await quickInputItems(page).catch((e: Error) => [`(unreadable: ${e.message.split("\n")[0]})`]);
      return seen.some((i) => i.includes(recorded[0]!)) ? seen : undefined;
    }, { page, timeoutMs: 20_000 }).catch((e: Error) => {
      e.message += `\nthe quick pick shows: ${JSON.stringify(seen)}`;
      throw e;
    });
    ok(`Open Run… lists the recorded run in .hotmess/runs: ${items[0]?.slice(0, 80)}…`);
    await page.keyboard.press("Enter");
    const frame = await webviewFrame(page, "Hot Mess", { timeoutMs: 60_000 });
    await waitUntil("the view to render", async () => ((await frame.evaluate("document.body.dataset.rendered === '1'").catch(() => false)) ? true : undefined), { page, timeoutMs: 60_000 });
    const kpi = ((await frame.locator(".kpi-value").first().innerText().catch(() => "")) ?? "").trim();
    const expected = recordedAnalysis.prompts[0]!.brier!.incoherence!.toFixed(3);
    assert(kpi.includes(expected), `the view shows the recorded run's incoherence ${expected} ("${kpi}")`);
    ok(`in Restricted Mode the comparison view shows the recorded run (incoherence ${expected}, as hotmess analyze computes)`);
    await screenshot(page, join(ARTIFACTS_DIR, "trust-restricted-view.png"));

    // ---- the user trusts the workspace: rerunning works and the workspace's run directory counts
    await runCommand(page, "Workspaces: Manage Workspace Trust");
    const trustButton = page.locator(".workspace-trust-editor .monaco-button", { hasText: /^Trust$/ }).first();
    await waitUntil("the Trust button of the workspace trust editor", async () => ((await trustButton.isVisible().catch(() => false)) ? true : undefined), { page, timeoutMs: 20_000 });
    await trustButton.click();
    await waitUntil("Restricted Mode to end", async () => {
      const s = (await statusBarText(page)) ?? "";
      return /Restricted Mode/i.test(s) ? undefined : true;
    }, { page, timeoutMs: 20_000 });
    ok("the user trusts the workspace (Manage Workspace Trust → Trust)");
    await openFile(page, "optimizer-prompt.txt");
    await selectAll(page);
    await runCommand(page, "Hot Mess: Rerun Selection N Times");
    const made = await waitUntil("a run file in the workspace's run directory", async () => {
      const f = jsonl(custom);
      return f.length ? f : undefined;
    }, { page, timeoutMs: 60_000 });
    const ran = await webviewFrame(page, "Hot Mess", { timeoutMs: 60_000 });
    await waitUntil("the run to finish", async () => {
      const s = ((await ran.locator(".host-status").first().innerText().catch(() => "")) ?? "").trim();
      return /^Done/.test(s) ? s : undefined;
    }, { page, timeoutMs: 60_000 });
    const fresh = analyze(join(custom, made[0]!));
    assert(fresh.prompts[0]!.n === 4, `the new run has the 4 samples of hotmess.n (${fresh.prompts[0]!.n})`);
    assert(jsonl(store).length === 1, "nothing new in the default store");
    ok(`once trusted, Rerun Selection runs and writes to the workspace's run directory: their-runs/${made[0]} (n = 4)`);
    await screenshot(page, join(ARTIFACTS_DIR, "trust-trusted-run.png"));
    console.log(`\n${list.summary(0)}`);
  } catch (e) {
    console.error(`\ne2e: FAILED: ${e instanceof Error ? e.message : String(e)}`);
    if (session) {
      await screenshot(session.page, join(ARTIFACTS_DIR, "trust-failure.png")).catch(() => undefined);
      console.error(`console errors:\n${session.consoleErrors.join("\n")}`);
    }
    if (server) console.error(`code-server log (last 60 lines):\n${server.log().split("\n").slice(-60).join("\n")}`);
    console.log(`\n${list.summary(1)}`);
    process.exitCode = 1;
  } finally {
    await session?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    if (!KEEP) rmSync(tmp, { recursive: true, force: true });
    else console.log(`e2e: kept ${tmp}`);
  }
}

void main();
