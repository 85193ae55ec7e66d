// A batch sweep in a real VS Code (code-server), issue 18: "Hot Mess: Run Sweep…" on a prompts
// file (JSON Lines of word problems), N typed, Batch picked in the pick that shows the requests,
// tokens and both prices, the cost confirmed in the modal; the real @anthropic-ai/sdk submits it
// to the fake Message Batches API (test/fakes/anthropic-batches.ts), which keeps it in progress.
// While it is: the sweep's status bar item ("Sweep 0/20 · 1 batch processing"), a click on it
// (the batch's counts and the actions), the Runs view's Sweeps group (screenshots of both).
// Then the window is reloaded: the sweep polls again, nothing is submitted twice. Then the
// batch is released: the "collected" notification's Open opens the view with every prompt and
// its figures.
//
//   node --import tsx test/e2e/sweep.e2e.ts [--keep]
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeAnthropicBatches, type FakeAnthropicBatchesOptions } from "../fakes/anthropic-batches";
import { assert, Checklist, installExtension, runE2E } from "./checks";
import {
  ARTIFACTS_DIR,
  REPO_ROOT,
  openBrowser,
  openFile,
  quickInputItems,
  runCommand,
  screenshot,
  startCodeServer,
  statusBarText,
  unexpectedConsoleErrors,
  viewText,
  waitForNotification,
  waitForWorkbench,
  waitUntil,
  webviewFrame,
  type Page,
} from "./harness";

const list = new Checklist();
const ok = (what: string) => list.ok(what);
const EXTENSION_ID = "hotmess.hot-mess-inspector";
const SWEEP_ID = `${EXTENSION_ID}.hotmess.sweep`;
const KEY = "sk-ant-e2e-sweep-0004";
const N = 5;
const SHOTS = join(REPO_ROOT, "media", "screenshots");

const PROBLEMS = [
  { id: "ducks", prompt: "Janet's ducks lay 16 eggs per day. She eats three for breakfast and bakes muffins with four. She sells the rest at $2 each. How many dollars does she make every day? End with 'Answer: N'.", reference: 18 },
  { id: "robe", prompt: "A robe takes 2 bolts of blue fiber and half that much white fiber. How many bolts in total does it take? End with 'Answer: N'.", reference: 3 },
  { id: "house", prompt: "Josh buys a house for $80,000 and puts in $50,000 in repairs. This increased the value of the house by 150%. How much profit did he make? End with 'Answer: N'.", reference: 70000 },
  { id: "sprints", prompt: "James runs 3 sprints 3 times a week, 60 meters each sprint. How many total meters does he run a week? End with 'Answer: N'.", reference: 540 },
];
/** The fake's reply to prompt k's rerun i: mostly right, with the wrong turns a model takes (the house most of all). */
const WRONG: Record<string, number[]> = { ducks: [26], robe: [], house: [120000, 130000, 120000], sprints: [180] };
function reply(customId: string): string {
  const m = /_p(\d+)-r(\d+)$/.exec(customId)!;
  const p = PROBLEMS[Number(m[1])]!;
  const i = Number(m[2]);
  const wrong = WRONG[p.id]![i];
  return `Let me work it out step by step.\nAnswer: ${wrong ?? p.reference}`;
}

/**
 * An earlier sweep, collected yesterday, as a sweep file (what `hotmess run --prompts … --batch`
 * leaves): the Runs view lists it under Sweeps beside the new one, with its pooled incoherence.
 */
function earlierSweep(runs: string): void {
  const at = "2026-12-05T09:12:00.000Z";
  const n = 8;
  const prompts = ["eggs", "trains", "apples"].map((id, k) => ({ type: "prompt", key: `p${k}`, id, prompt: `Problem ${id}: give the answer on a line 'Answer: N'.`, reference: 10 + k }));
  const lines: object[] = [
    { type: "sweep", schema: "hotmess.sweep/1", id: "sweep-earlier", createdAt: at, tool: { name: "hotmess", version: "0.1.0" }, provider: "anthropic", model: "claude-haiku-4-5", mode: "batch", source: "gsm-sample.jsonl", prompts: prompts.length, analysis: { seed: 1 }, parameters: { n, maxTokens: 1024, thinking: { type: "none" }, concurrency: 4, idleTimeoutMs: 120000 } },
    ...prompts,
    { type: "submit", part: 0, requests: { from: 0, count: prompts.length * n }, count: prompts.length * n, at },
    { type: "batch", part: 0, batchId: "msgbatch_01EarlierSweepOfYesterday", at },
  ];
  prompts.forEach((p, k) => {
    for (let i = 0; i < n; i++) {
      const wrong = (k === 0 && i % 4 === 1) || (k === 2 && i % 3 === 0) ? [7, 12, 15][i % 3] : null;
      lines.push({ type: "sample", prompt: p.key, index: i, text: `Answer: ${wrong ?? p.reference}`, thinking: "", redactedThinking: 0, usage: { inputTokens: 40, outputTokens: 8 }, costUsd: null, latencyMs: 0, retries: 0, truncated: false, stopReason: "end_turn", finishedAt: at, batchId: "msgbatch_01EarlierSweepOfYesterday" });
    }
  });
  lines.push({ type: "collected", batchId: "msgbatch_01EarlierSweepOfYesterday", succeeded: prompts.length * n, failed: 0, at }, { type: "end", status: "complete", finishedAt: at });
  const file = join(runs, "2026-12-05T09-12-00Z-sweep-claude-haiku-4-5.jsonl");
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  const t = (Date.now() - 20 * 3600_000) / 1000;
  utimesSync(file, t, t);
}

async function pick(page: Page, what: string, re: RegExp): Promise<string[]> {
  return waitUntil(what, async () => {
    const items = await quickInputItems(page).catch(() => [] as string[]);
    return items.some((i) => re.test(i)) ? items : undefined;
  }, { page, timeoutMs: 30_000 });
}

void runE2E("sweep", { list, limitMinutes: 12 }, async (t) => {
  const opts: FakeAnthropicBatchesOptions = { pollsInProgress: 1_000_000, outcome: (id) => ({ type: "succeeded", text: reply(id), inputTokens: 60, outputTokens: 12 }) };
  const fake = await startFakeAnthropicBatches(opts);
  t.onCleanup(() => fake.close());
  t.onFailure(() => console.error(`the fake saw ${fake.requests.length} requests: ${fake.requests.map((r) => `${r.method} ${r.path}`).slice(-10).join(", ")}`));

  const { extensionsDir, userDataDir } = installExtension(t);
  const workspace = join(t.tmp, "workspace");
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(workspace, "word-problems.jsonl"), PROBLEMS.map((p) => JSON.stringify(p)).join("\n") + "\n");
  mkdirSync(join(workspace, ".hotmess", "runs"), { recursive: true });
  earlierSweep(join(workspace, ".hotmess", "runs"));
  const server = (t.server = await startCodeServer({
    extensionsDir,
    userDataDir,
    workspace,
    theme: "dark",
    settings: { "hotmess.provider": "anthropic", "hotmess.model": "claude-sonnet-4-5", "hotmess.thinking": "off", "hotmess.maxTokens": 1024, "hotmess.anthropic.baseUrl": fake.url, "hotmess.sweep.pollSeconds": 1 },
    env: { ANTHROPIC_API_KEY: KEY },
  }));
  const session = (t.session = await openBrowser(server.url, { goto: false, viewport: { width: 1440, height: 860 } }));
  const { page } = session;
  await page.goto(server.url, { waitUntil: "domcontentloaded", timeout: 60_000 });
  await waitForWorkbench(page);

  // ---- 1. Run Sweep… on the open prompts file: N, then Batch with its cost, then the modal
  await openFile(page, "word-problems.jsonl");
  await runCommand(page, "Hot Mess: Run Sweep…");
  const box = page.locator(".quick-input-widget .quick-input-box input");
  await waitUntil("the input box for N", async () => ((await box.isVisible().catch(() => false)) ? true : undefined), { page, timeoutMs: 30_000 });
  await box.fill(String(N));
  await page.keyboard.press("Enter");
  const modes = await pick(page, "the Live / Batch pick", /Batch/);
  const batchRow = modes.find((m) => /Batch/.test(m)) ?? "";
  assert(/20 requests · ≈ [\d.,]+k? input tokens, up to 20\.5k output · at most \$\d+\.\d+ at the batch price \(\$\d+\.\d+ live\)/.test(batchRow), `the Batch row shows requests, tokens and both prices: ${JSON.stringify(modes)}`);
  ok(`the pick: ${modes.join(" | ")}`);
  await page.keyboard.type("Batch");
  await page.waitForTimeout(300);
  await page.keyboard.press("Enter");
  const dialog = page.locator(".monaco-dialog-box");
  const asked = await waitUntil("the cost modal", async () => {
    const text = (await dialog.innerText().catch(() => "")).replace(/\s+/g, " ");
    return /Submit 20 requests as a batch for at most \$/.test(text) ? text : undefined;
  }, { page, timeoutMs: 30_000 });
  assert(fake.batchesCreated() === 0, "nothing is sent before the modal is answered");
  await dialog.locator(".monaco-button", { hasText: "Submit" }).first().click();
  ok(`the modal: "${asked.slice(0, 160)}"`);

  // ---- 2. in progress: the status bar item, its status pick, the Runs view
  const status = await waitUntil("the sweep's status bar item", async () => {
    const s = await statusBarText(page, SWEEP_ID);
    return s && /Sweep 0\/20 · 1 batch processing/.test(s) ? s : undefined;
  }, { page, timeoutMs: 60_000 });
  assert(fake.batchesCreated() === 1, `one batch submitted (${fake.batchesCreated()})`);
  const runs = join(workspace, ".hotmess", "runs");
  const sweepFile = join(runs, readdirSync(runs).find((f) => f.includes("-sweep-claude-sonnet"))!);
  await waitUntil("a poll recorded", async () => (/"type":"status"/.test(readFileSync(sweepFile, "utf8")) ? true : undefined), { page, timeoutMs: 30_000 });
  ok(`the status bar: "${status}"`);
  await runCommand(page, "Notifications: Clear All Notifications");
  // the screenshots show the sidebar, the status bar and the pick, on an empty editor area
  await runCommand(page, "View: Close All Editors");
  // the Runs view in the activity bar: the sweep under Sweeps, with its counts
  await page.locator('.activitybar .action-item a[aria-label^="Hot Mess"]').first().click();
  const rows = await waitUntil("the Runs view's sweep row", async () => {
    const texts = (await page.locator(".pane-body .monaco-list-row").allInnerTexts().catch(() => [] as string[])).map((x) => x.replace(/\s+/g, " ").trim());
    return texts.some((x) => /word-problems\.jsonl.*4 × 5 · batch · 0\/20 · 1 batch processing/.test(x)) ? texts : undefined;
  }, { page, timeoutMs: 30_000 });
  assert(rows.some((r) => /^Sweeps/.test(r)), `the Sweeps group: ${JSON.stringify(rows)}`);
  assert(rows.some((r) => /gsm-sample\.jsonl.*3 × 8 · batch · 24\/24 · pooled incoherence \d\.\d\d \[/.test(r)), `the earlier sweep with its pooled incoherence: ${JSON.stringify(rows)}`);
  ok(`the Runs view: ${rows.join(" | ")}`);
  // the sidebar widened (its sash dragged), so that the row's figures show whole
  const edge = (await page.evaluate(`(() => { const r = document.querySelector(".part.sidebar").getBoundingClientRect(); return { x: r.right, y: r.top + r.height / 2 }; })()`)) as { x: number; y: number };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Playwright's mouse, beyond the harness's typed subset
  const mouse = page.mouse as any;
  await mouse.move(edge.x, edge.y);
  await mouse.down();
  await mouse.move(edge.x + 330, edge.y, { steps: 8 });
  await mouse.up();
  await page.waitForTimeout(400);
  // hovered, the row shows its inline Resume Polling action as a user sees it
  await page.locator(".pane-body .monaco-list-row", { hasText: "word-problems.jsonl" }).first().hover();
  await page.waitForTimeout(1500);
  await screenshot(page, join(SHOTS, "sweep-runs-view.png"));
  await screenshot(page, join(ARTIFACTS_DIR, "sweep-runs-view.png"));
  // a click on the status bar item: the batch's counts and the actions. The row's hover (its
  // tooltip) can take the first click to close itself: it is dismissed first, and the click is
  // made again when no pick came (once in CI the first click opened nothing)
  await page.keyboard.press("Escape");
  await mouse.move(900, 500);
  await page.waitForTimeout(300);
  const counts = /20 processing · 0 succeeded · 0 errored · 0 expired/;
  let items: string[] | undefined;
  for (let attempt = 1; attempt <= 3 && !items; attempt++) {
    await page.locator(`.part.statusbar [id="${SWEEP_ID}"]`).first().click();
    items = await waitUntil("the sweep's status pick", async () => {
      const got = await quickInputItems(page).catch(() => [] as string[]);
      return got.some((i) => counts.test(i)) ? got : undefined;
    }, { timeoutMs: 8_000 }).catch(() => undefined);
    if (!items) await page.keyboard.press("Escape");
  }
  if (!items) items = await pick(page, "the sweep's status pick", counts);
  assert(items.some((i) => /Open/.test(i)) && items.some((i) => /Cancel Batch/.test(i)), `its actions: ${JSON.stringify(items)}`);
  ok(`the status pick: ${items.join(" | ")}`);
  await screenshot(page, join(SHOTS, "sweep-status-bar.png"));
  await screenshot(page, join(ARTIFACTS_DIR, "sweep-status-bar.png"));
  await page.keyboard.press("Escape");

  // ---- 3. the window reloads: polling resumes, nothing is submitted again
  await runCommand(page, "Developer: Reload Window");
  await waitForWorkbench(page);
  const again = await waitUntil("the status bar item after the reload", async () => {
    const s = await statusBarText(page, SWEEP_ID);
    return s && /Sweep 0\/20 · 1 batch processing/.test(s) ? s : undefined;
  }, { page, timeoutMs: 90_000 });
  const polls = fake.requests.filter((r) => r.method === "GET").length;
  await waitUntil("polled again after the reload", async () => (fake.requests.filter((r) => r.method === "GET").length > polls ? true : undefined), { page, timeoutMs: 30_000 });
  assert(fake.batchesCreated() === 1, `no second submission after the reload (${fake.batchesCreated()})`);
  ok(`after a reload: "${again}", polling again, ${fake.batchesCreated()} batch created`);

  // ---- 4. released: collected, and Open shows every prompt with its figures
  opts.pollsInProgress = 0;
  const note = await waitForNotification(page, /is collected: 20 of 20 replies/, { timeoutMs: 60_000 });
  ok(`the notification: "${note}"`);
  await page.locator(".notifications-toasts .notification-toast", { hasText: "is collected" }).locator(".monaco-button", { hasText: /^Open$/ }).first().click();
  const frame = await webviewFrame(page, "sweep word-problems.jsonl", { timeoutMs: 60_000 });
  await waitUntil("the sweep's view to render", async () => ((await frame.evaluate("document.body.dataset.rendered === '1'").catch(() => false)) ? true : undefined), { page, timeoutMs: 60_000 });
  const listed = ((await frame.evaluate(`[...document.querySelectorAll("li.prompt-item")].map((e) => e.innerText.replace(/\\s+/g, " ").trim())`)) as string[]) ?? [];
  for (const p of PROBLEMS) assert(listed.some((l) => l.startsWith(p.id)), `the view lists ${p.id}: ${JSON.stringify(listed)}`);
  const body = (await viewText(frame, "body")).replace(/\s+/g, " ");
  const pooled = /pooled over 4 of 4 prompts incoherence \d\.\d{3} \[\d\.\d{3}–\d\.\d{3}\]/.exec(body)?.[0];
  assert(pooled, `the pooled incoherence over the 4 prompts: ${body.slice(0, 400)}`);
  ok(`the view: ${listed.join(" | ")}; ${pooled}`);
  await screenshot(page, join(ARTIFACTS_DIR, "sweep-view.png"));
  const gone = await waitUntil("the sweep's status bar item gone", async () => ((await statusBarText(page, SWEEP_ID)) ? undefined : true), { page, timeoutMs: 30_000 });
  assert(gone, "hidden once collected");
  assert(fake.batchesCreated() === 1, "one batch in all");
  assert(!readFileSync(sweepFile, "utf8").includes(KEY), "no key in the sweep file");
  ok("the status bar item is gone once collected; one batch in all; no key in the sweep file");

  // the reload logs a workbench lifecycle complaint of its own
  const consoleErrors = unexpectedConsoleErrors(session, [/Long running operations during shutdown are unsupported in the web/]);
  assert(consoleErrors.length === 0, `no console errors: ${consoleErrors.join("\n")}`);
  ok("no console errors in the workbench or the views");
});
