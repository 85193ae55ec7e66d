// The everyday loop in a real VS Code (code-server), issue 17: the walkthrough's four steps, each
// done the way it asks and read back as ticked (a model chosen from the step's own link; the view
// opened from a run in the Runs view; a selection rerun with Ctrl+Alt+R; the view's Markdown
// button); then the screenshots of the closing note: the Runs view with runs, the two versions of
// a prompt side by side, the prompt list of 100 prompts sorted by incoherence, and that view in
// High Contrast dark and light (every control's text at least 4.5:1 against what is behind it).
//
//   node --import tsx test/e2e/walkthrough.e2e.ts [--keep]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hundredPrompts } from "../support/hundred";
import { assert, Checklist, installExtension, runE2E } from "./checks";
import { runFile } from "./runfiles";
import {
  ARTIFACTS_DIR,
  REPO_ROOT,
  VIEW_CONTROLS,
  controlContrasts,
  fillFileDialog,
  openBrowser,
  openFile,
  openVersionsFromLens,
  quickInputItems,
  runCommand,
  screenshot,
  selectAll,
  startCodeServer,
  switchTheme,
  unexpectedConsoleErrors,
  viewRendered,
  viewText,
  waitForNotification,
  waitForWorkbench,
  waitUntil,
  webviewFrame,
  type Frame,
  type Page,
} from "./harness";

const list = new Checklist();
const ok = (what: string) => list.ok(what);
const STEPS = ["model", "rerun", "read", "share"] as const;
type Ticks = Record<(typeof STEPS)[number], boolean>;
const TITLE = "Get started with Hot Mess Inspector";

/** Opens the walkthrough (Welcome: Open Walkthrough…, as a user finds it again) and reads which of its steps are ticked. */
async function walkthrough(page: Page): Promise<Ticks> {
  await runCommand(page, "Welcome: Open Walkthrough...");
  await waitUntil("the walkthroughs", async () => ((await quickInputItems(page).catch(() => [] as string[])).some((i) => i.includes(TITLE)) ? true : undefined), { page, timeoutMs: 20_000 });
  await page.locator(".quick-input-list .monaco-list-row", { hasText: TITLE }).first().click();
  return waitUntil("the walkthrough's checkboxes", async () => {
    // each step's checkbox: role=checkbox, aria-checked and the class `complete` when ticked
    const boxes = (await page.evaluate(`[...document.querySelectorAll(".gettingStartedContainer [data-done-step-id]")].filter((e) => e.offsetParent !== null).map((e) => [e.getAttribute("data-done-step-id"), e.classList.contains("complete") && e.getAttribute("aria-checked") === "true"])`)) as [string, boolean][];
    const ticks: Partial<Ticks> = {};
    for (const s of STEPS) {
      const box = boxes.find(([id]) => id.endsWith(`#${s}`) || id === s);
      if (box) ticks[s] = box[1];
    }
    return Object.keys(ticks).length === 4 ? (ticks as Ticks) : undefined;
  }, { page, timeoutMs: 30_000 });
}

const said = (t: Ticks) => STEPS.map((s) => `${s} ${t[s] ? "☑" : "☐"}`).join(", ");

/** Waits until the walkthrough shows exactly the steps in `want` ticked. */
async function expectTicked(page: Page, want: readonly (typeof STEPS)[number][], what: string): Promise<Ticks> {
  let last: Ticks | null = null;
  try {
    const ticks = await waitUntil(what, async () => {
      last = await walkthrough(page);
      return STEPS.every((s) => last![s] === want.includes(s)) ? last : undefined;
    }, { page, timeoutMs: 20_000, intervalMs: 2000 });
    // a step newly ticked moves the walkthrough on to the next one a moment later, taking the
    // focus (a command palette opened meanwhile closes): let it
    await page.waitForTimeout(1500);
    return ticks;
  } catch (e) {
    throw new Error(`${what}: the walkthrough shows ${last ? said(last) : "nothing"}; wanted ${want.join(", ") || "none"} ticked (${(e as Error).message})`);
  }
}

/** The Hot Mess activity-bar icon: the Runs view, with its rows once it lists `want`. */
async function runsView(page: Page, want: (rows: string[]) => boolean, what: string): Promise<string[]> {
  // (a click on the icon of the container shown closes the side bar)
  if (!(await page.locator('.activitybar .action-item.checked a[aria-label^="Hot Mess"]').count())) await page.locator('.activitybar .action-item a[aria-label^="Hot Mess"]').first().click();
  return waitUntil(what, async () => {
    const texts = (await page.locator(".pane-body .monaco-list-row").allInnerTexts().catch(() => [] as string[])).map((x) => x.replace(/\s+/g, " ").trim());
    return want(texts) ? texts : undefined;
  }, { page, timeoutMs: 30_000 });
}

/** The prompt list's rows in order (their prompt ids), each head's aria-sort, and the incoherence shown in each row. */
async function promptList(frame: Frame): Promise<{ order: string[]; sorts: Record<string, string>; inc: string[] }> {
  return (await frame.evaluate(`(() => {
    const rows = [...document.querySelectorAll(".prompt-list > .prompt-item")];
    const sorts = {};
    for (const b of document.querySelectorAll(".sort-btn")) sorts[b.dataset.fk.slice(5)] = b.closest("[role=columnheader]").getAttribute("aria-sort");
    return { order: rows.map((r) => r.dataset.fk.slice(7)), sorts, inc: rows.map((r) => r.querySelector(".pi-inc")?.textContent ?? "") };
  })()`)) as { order: string[]; sorts: Record<string, string>; inc: string[] };
}

void runE2E("walkthrough", { list, limitMinutes: 14 }, async (t) => {
  const { extensionsDir, userDataDir } = installExtension(t);
  const workspace = join(t.tmp, "workspace");
  const runs = join(workspace, ".hotmess", "runs");
  mkdirSync(runs, { recursive: true });
  writeFileSync(join(workspace, "question.txt"), "Janet's ducks lay 16 eggs per day. She eats 3 for breakfast and bakes muffins with 4. She sells the rest at $2 each. How many dollars does she make every day?\n");
  // a run recorded earlier with the command line, for the Runs view to list
  const cli = spawnSync(process.execPath, [join(REPO_ROOT, "dist", "cli.js"), "run", "--prompt", "What is 17 * 24 + 3?", "-n", "8", "--reference", "411"], { cwd: workspace, encoding: "utf8", env: { ...process.env, ANTHROPIC_API_KEY: "", OPENAI_API_KEY: "" } });
  assert(cli.status === 0, `hotmess run: ${cli.stderr}`);
  // a prompt file and a run of each of its two versions (the earlier mostly wrong)
  writeFileSync(join(workspace, "ducks.prompt.md"), "---\nn: 8\nreference: 18\n---\nJanet's ducks lay 16 eggs a day. She eats 3 and bakes with 4, and sells the rest at $2 each. How many dollars a day?\n");
  runFile(runs, "2026-12-04T09-00-00-ducks-v0.jsonl", "ducks-v0", "Janet's ducks lay 16 eggs a day. How many dollars a day?", [26, 26, 26, 18, 26, 32, 26, 18].map((a) => `16 - 3 = 13\n13 * 2 = ${a}\nAnswer: ${a}`), "2026-12-04T09:00:00.000Z", { file: "ducks.prompt.md", prompt: 0 }, "18");
  runFile(runs, "2026-12-05T09-00-00-ducks.jsonl", "ducks", "Janet's ducks lay 16 eggs a day. She eats 3 and bakes with 4, and sells the rest at $2 each. How many dollars a day?", [18, 18, 18, 18, 18, 26, 18, 8].map((a) => `16 - 3 - 4 = 9\n9 * 2 = ${a}\nAnswer: ${a}`), "2026-12-05T09:00:00.000Z", { file: "ducks.prompt.md", prompt: 0 }, "18");
  // 100 prompts logged elsewhere, as a trace set
  const hundred = join(workspace, "word-problems-100.jsonl");
  writeFileSync(hundred, hundredPrompts().map((r) => JSON.stringify(r)).join("\n") + "\n");

  const server = (t.server = await startCodeServer({ extensionsDir, userDataDir, workspace, theme: "dark", settings: { "editor.codeLens": true, "hotmess.rerunSelection.ask": true } }));
  const session = (t.session = await openBrowser(server.url, { goto: false, viewport: { width: 1600, height: 1000 } }));
  const { page } = session;
  await page.goto(server.url, { waitUntil: "domcontentloaded", timeout: 60_000 });
  await waitForWorkbench(page);

  // ---- the walkthrough, nothing done yet
  const start = await expectTicked(page, [], "no step ticked before anything is done");
  await screenshot(page, join(ARTIFACTS_DIR, "walkthrough-start.png"));
  ok(`the walkthrough opens with ${said(start)}`);

  // ---- 1. "Choose a model, or the simulated one": the step's own link, the simulated reasoner picked
  await page.locator(".getting-started-step", { hasText: "Choose a model" }).first().click();
  const link = page.locator(".getting-started-step.expanded button, .getting-started-step.expanded a", { hasText: "Select Provider and Model…" }).first();
  await waitUntil("the step's link", async () => ((await link.isVisible().catch(() => false)) ? true : undefined), { page, timeoutMs: 10_000 });
  // (the pick can close again at once, when the walkthrough takes the focus back after the click: then the link again)
  const simulated = page.locator(".quick-input-list .monaco-list-row", { hasText: "Simulated reasoner" }).first();
  await link.click();
  await waitUntil("the simulated reasoner picked", async () => {
    if (await simulated.isVisible().catch(() => false)) return (await simulated.click({ timeout: 5_000 }).then(() => true).catch(() => false)) || undefined;
    if (!(await page.locator(".quick-input-widget").isVisible().catch(() => false))) await link.click({ timeout: 5_000 }).catch(() => undefined);
    return undefined;
  }, { page, timeoutMs: 30_000, intervalMs: 1000 });
  ok(`1. the model step, after its link and the simulated reasoner picked: ${said(await expectTicked(page, ["model"], "the model step ticked"))}`);

  // ---- 3. "Read the view": a run opened from the Runs view (a row's click: no command VS Code sees by name)
  await runCommand(page, "View: Close All Editors");
  const rows = await runsView(page, (r) => r.some((x) => /17 \* 24/.test(x)), "the Runs view to list the command line's run");
  const cliRow = rows.find((x) => /17 \* 24/.test(x))!;
  await page.locator(".pane-body .monaco-list-row", { hasText: "17 * 24" }).first().click();
  const opened = await webviewFrame(page, undefined, { timeoutMs: 60_000 });
  await viewRendered(opened, page);
  ok(`3. the Runs view's row "${cliRow.slice(0, 60)}" opened the view: ${said(await expectTicked(page, ["model", "read"], "Read the view ticked, and not the rerun"))}`);

  // ---- 2. "Rerun a selection N times": select the prompt, Ctrl+Alt+R, "6 18"
  await runCommand(page, "View: Close All Editors");
  await openFile(page, "question.txt");
  await selectAll(page);
  await page.keyboard.press("Control+Alt+R");
  const box = page.locator(".quick-input-widget .quick-input-box input");
  await waitUntil("the input for N and the reference", async () => ((await box.isVisible().catch(() => false)) ? true : undefined), { page, timeoutMs: 20_000 });
  await box.fill("6 18");
  await page.keyboard.press("Enter");
  await waitUntil("the rerun's view to finish", async () => {
    const f = await webviewFrame(page, "Janet", { timeoutMs: 5_000 }).catch(() => undefined);
    if (!f) return undefined;
    return /^Done/.test(await viewText(f, ".host-status").catch(() => "")) ? true : undefined;
  }, { page, timeoutMs: 60_000, intervalMs: 250 });
  ok(`2. Ctrl+Alt+R on the selection, "6 18": ${said(await expectTicked(page, ["model", "read", "rerun"], "the rerun step ticked"))}`);

  // ---- 4. "Export and share": the view's Markdown button, saved in the workspace
  await page.locator(".part.editor .tab", { hasText: "Janet" }).first().click();
  const frame = await webviewFrame(page, "Janet", { timeoutMs: 20_000 });
  await frame.locator(".host-exports .host-button", { hasText: "Markdown" }).first().click();
  const md = join(workspace, "ducks-question.md");
  await fillFileDialog(page, md);
  await waitForNotification(page, /exported Markdown/, { timeoutMs: 30_000 });
  assert(existsSync(md) && /incoherence/i.test(readFileSync(md, "utf8")), "the Markdown is written");
  const done = await expectTicked(page, ["model", "read", "rerun", "share"], "the export step ticked");
  await page.waitForTimeout(500);
  await screenshot(page, join(ARTIFACTS_DIR, "walkthrough-done.png"));
  ok(`4. the view's Markdown button, saved as ducks-question.md: ${said(done)} (out/e2e/walkthrough-done.png)`);

  // ---- the Runs view with runs
  await runCommand(page, "View: Close All Editors");
  // (a row's label and description come as one text: "ducks-v0n 8 · incoherence …")
  const listed = await runsView(page, (r) => r.filter((x) => /n \d+ · /.test(x)).length >= 4, "the Runs view with the four runs");
  // the side bar wide enough for the figures: its edge dragged 280 px to the right
  const edge = (await page.evaluate(`(() => { const r = document.querySelector(".part.sidebar").getBoundingClientRect(); return { x: r.right, y: r.top + r.height / 2 }; })()`)) as { x: number; y: number };
  await page.mouse.move(edge.x, edge.y);
  await page.mouse.down();
  await page.mouse.move(edge.x + 280, edge.y, { steps: 8 });
  await page.mouse.up();
  // and the prompt file's latest run open beside it
  await page.locator(".pane-body .monaco-list-row", { hasText: /^ducksn 8/ }).first().click();
  await viewRendered(await webviewFrame(page, "ducks", { timeoutMs: 60_000 }), page);
  await page.mouse.move(800, 500);
  await page.waitForTimeout(500);
  await screenshot(page, join(ARTIFACTS_DIR, "runs-view.png"));
  ok(`the Runs view: ${listed.join(" | ").slice(0, 300)} (out/e2e/runs-view.png)`);

  // ---- the two versions of the prompt file's prompt, side by side (its Δ lens)
  await runCommand(page, "View: Close All Editors");
  await runCommand(page, "View: Close Primary Side Bar");
  await openFile(page, "ducks.prompt.md");
  const { lens: delta, text: versions } = await openVersionsFromLens(page);
  await page.waitForTimeout(500);
  await screenshot(page, join(ARTIFACTS_DIR, "versions.png"));
  ok(`the two versions: "${delta.slice(0, 120)}"; the view: ${versions.slice(0, 120)} (out/e2e/versions.png)`);

  // ---- 100 prompts: Import Traces…, the list sorted by incoherence, most incoherent first
  await runCommand(page, "View: Close All Editors");
  await runCommand(page, "Hot Mess: Import Traces…");
  await fillFileDialog(page, hundred);
  const big = await waitUntil("the 100 prompts' view", async () => {
    const f = await webviewFrame(page, undefined, { timeoutMs: 5_000 }).catch(() => undefined);
    if (!f || !((await f.evaluate("document.body.dataset.rendered === '1'").catch(() => false)) as boolean)) return undefined;
    return ((await f.evaluate(`document.querySelectorAll(".prompt-list > .prompt-item").length`)) as number) === 100 ? f : undefined;
  }, { page, timeoutMs: 60_000, intervalMs: 500 });
  await big.locator('[data-fk="sort:incoherence"]').click();
  const sorted = await promptList(big);
  const incs = sorted.inc.map((x) => (x === "—" ? null : Number(x)));
  const firstNone = incs.indexOf(null);
  const known = incs.slice(0, firstNone < 0 ? undefined : firstNone) as number[];
  assert(sorted.sorts["incoherence"] === "descending" && known.every((v, i) => i === 0 || known[i - 1]! >= v) && incs.slice(known.length).every((v) => v === null), `sorted by incoherence, highest first, none last: ${sorted.inc.join(" ")}`);
  // the most incoherent prompt shown
  await big.locator(".prompt-list > .prompt-item").first().click();
  await waitUntil("the top prompt shown", async () => ((await viewText(big, ".prompt-head h2").catch(() => "")) === sorted.order[0] ? true : undefined), { page, timeoutMs: 10_000 });
  await page.waitForTimeout(500);
  await screenshot(page, join(ARTIFACTS_DIR, "prompt-list-100.png"));
  ok(`100 prompts sorted by incoherence: ${sorted.inc.slice(0, 5).join(", ")} … ${sorted.inc.slice(-3).join(", ")} (aria-sort ${sorted.sorts["incoherence"]}; out/e2e/prompt-list-100.png)`);

  // ---- High Contrast dark and light: every control readable, the sort kept
  const controls = [...VIEW_CONTROLS, ".sort-btn", ".sort-head.on .sort-btn", ".prompt-item .pi-id", '.prompt-item[aria-selected="true"] .pi-id', ".prompt-item .pi-inc"];
  for (const [theme, file] of [
    ["Default High Contrast", "high-contrast-dark.png"],
    ["Default High Contrast Light", "high-contrast-light.png"],
  ] as const) {
    await switchTheme(page, theme);
    const hc = await webviewFrame(page, undefined, { timeoutMs: 30_000 });
    await viewRendered(hc, page);
    const kind = (await hc.evaluate("document.body.className")) as string;
    assert(/vscode-high-contrast\b/.test(kind) && /vscode-high-contrast-light/.test(kind) === theme.endsWith("Light"), `the view knows the theme: ${kind}`);
    const ratios = await controlContrasts(hc, controls);
    const low = ratios.filter((r) => r.ratio < 4.5);
    assert(ratios.length >= 8 && low.length === 0 && ratios.some((r) => r.sel === ".host-button") && ratios.some((r) => r.sel === ".chip"), `every control at least 4.5:1 in ${theme}: ${JSON.stringify(low.length ? low : ratios)}`);
    const kept = await promptList(hc);
    assert(kept.sorts["incoherence"] === "descending" && kept.order.join() === sorted.order.join(), `the sort is kept through the theme change: ${JSON.stringify(kept.sorts)}`);
    await screenshot(page, join(ARTIFACTS_DIR, file));
    ok(`${theme}: ${ratios.map((r) => `${r.sel} ${r.ratio.toFixed(1)}:1`).join(", ")}; still sorted (out/e2e/${file})`);
  }

  const errors = unexpectedConsoleErrors(session);
  assert(errors.length === 0, `no console errors: ${errors.join("\n")}`);
  ok("no console errors in the workbench or the views");
});
