// An untrusted workspace in a real VS Code (code-server with workspace trust on): the extension
// runs in Restricted Mode, refuses to rerun a prompt (that would send it to a model and write
// files) with a message that says why and offers Manage Workspace Trust, ignores the workspace's
// restricted settings (its run directory), and still shows the runs already there. Then the user
// trusts the workspace, and the same command runs and honours the workspace's run directory.
// Screenshots go to out/e2e/.
//
//   node --import tsx test/e2e/trust.e2e.ts [--keep]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Analysis } from "../../src/core";
import { benchmarkPrompts } from "../../src/sampling/benchmark";
import { assert, Checklist, installExtension, runE2E } from "./checks";
import {
  ARTIFACTS_DIR,
  REPO_ROOT,
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
} from "./harness";

const list = new Checklist();
const ok = (what: string) => list.ok(what);
const jsonl = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".jsonl")) : []);

function analyze(file: string): Analysis {
  const cli = spawnSync(process.execPath, [join(REPO_ROOT, "dist", "cli.js"), "analyze", file, "--json", "-"], { encoding: "utf8" });
  assert(cli.status === 0, `hotmess analyze ${file}: ${cli.stderr}`);
  return JSON.parse(cli.stdout) as Analysis;
}

void runE2E("trust", { list, limitMinutes: 8 }, async (t) => {
  const { extensionsDir, userDataDir } = installExtension(t);

  // A workspace from somebody else: a prompt, a run already recorded in the default run store,
  // and a workspace setting that would send new run files elsewhere.
  const workspace = join(t.tmp, "workspace");
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

  const server = (t.server = await startCodeServer({ extensionsDir, userDataDir, workspace, theme: "light", trust: "untrusted", settings: { "hotmess.provider": "simulated", "hotmess.n": 4 } }));
  const session = (t.session = await openBrowser(server.url, { goto: false }));
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
  const expected = recordedAnalysis.prompts[0]!.brier!.estimate!.toFixed(3);
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
});
