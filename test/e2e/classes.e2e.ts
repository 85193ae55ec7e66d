// The answer classes changed from the view in a real VS Code (code-server), issue "why do the
// reruns disagree": a run of five open-ended replies (an email called spam or legitimate, worded
// five ways) opened with Open Run…, is one class by text ("no answer"); "class by meaning…" with
// the simulated judge makes it two; "merge…" makes it one; "split…" (a multi-select pick) two
// again; then a model as judge against a fake Anthropic server through the real SDK, after the
// pick showed the most it may cost and a modal asked again. A run of a prompt file without a
// reference: "✓ set as reference" writes reference: into the prompt file, and the view shows
// the incoherence; reopened, the run keeps it. Every choice is checked in the run file. Last,
// the Runs view in the activity bar lists both runs by prompt file with their figures.
//
//   node --import tsx test/e2e/classes.e2e.ts [--keep]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeAnthropic } from "../fakes/anthropic";
import { assert, Checklist, installExtension, runE2E } from "./checks";
import { runFile } from "./runfiles";
import { ARTIFACTS_DIR, controlContrasts, openBrowser, openVersionsFromLens, openFile, quickInputItems, runCommand, switchTheme, selectAll, screenshot, startCodeServer, unexpectedConsoleErrors, viewRendered, viewText, waitForWorkbench, waitUntil, webviewFrame, type Frame, type Page } from "./harness";

const list = new Checklist();
const ok = (what: string) => list.ok(what);
const KEY = "sk-ant-e2e-classes-0003";

const EMAILS = ["Spam: it asks for your password.", "Legitimate: it is a receipt from your bank.", "Spam — it asks for the password.", "This is spam because it asks for your password.", "Legitimate, a receipt from the bank."];

/** The answer classes the view shows ("label: k of n") and what its facts say made them. */
async function classes(frame: Frame): Promise<{ rows: string[]; by: string }> {
  const rows = ((await frame.evaluate(`[...document.querySelectorAll(".answers .class-row")].map((e) => (e.getAttribute("title") ?? "").split("\\n")[0])`)) as string[]).filter((s) => s !== "");
  const by = (await frame.evaluate(`[...document.querySelectorAll(".facts .fact")].map((f) => f.getAttribute("title") ?? "").find((t) => t.startsWith("answer classes by")) ?? ""`)) as string;
  return { rows, by };
}

/** Waits until the view's classes satisfy `want` (the view is analysed again after each change). */
async function classesUntil(frame: Frame, page: Page, what: string, want: (c: { rows: string[]; by: string }) => boolean): Promise<{ rows: string[]; by: string }> {
  return waitUntil(what, async () => {
    const c = await classes(frame).catch(() => null);
    return c && want(c) ? c : undefined;
  }, { page, timeoutMs: 30_000, intervalMs: 250 });
}

/** Waits for the quick pick to offer items matching `re`; returns them. */
async function pickOffers(page: Page, what: string, re: RegExp): Promise<string[]> {
  return waitUntil(what, async () => {
    const items = await quickInputItems(page).catch(() => [] as string[]);
    // the rows of a pick that is closing (Open Run's run files) are not this pick's
    const stale = !/jsonl/.test(re.source) && items.some((i) => /\.jsonl/.test(i));
    return items.some((i) => re.test(i)) && !stale ? items : undefined;
  }, { page, timeoutMs: 20_000 });
}

async function openRun(page: Page, filter: string, tab: string): Promise<Frame> {
  await runCommand(page, "Hot Mess: Open Run…");
  const items = await pickOffers(page, `Open Run to list the ${filter} run`, new RegExp(`${filter}[\\s\\S]*\\.jsonl`));
  assert(items.length >= 3, `Open Run lists both runs: ${JSON.stringify(items)}`);
  // each row with the figures the Runs view shows: the incoherence with its interval, n, the age
  const row = items.find((i) => i.includes(filter)) ?? "";
  assert(/(incoherence \d\.\d\d \[\d\.\d\d–\d\.\d\d\]|disagreement \d\.\d\d \(no reference\)) · simulated-reasoner · n \d+/.test(row) && /ago|just now/.test(row), `Open Run's row has the figures: ${row}`);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: filter }).first().click();
  const frame = await webviewFrame(page, tab, { timeoutMs: 60_000 });
  await viewRendered(frame, page);
  return frame;
}

void runE2E("classes", { list, limitMinutes: 10 }, async (t) => {
  const anthropic = await startFakeAnthropic();
  t.onCleanup(() => anthropic.close());
  anthropic.setDefault((req) => {
    const m = /Answer A:\n([\s\S]*?)\n\nAnswer B:\n([\s\S]*?)\n\nDo A and B/.exec((req.body as { messages: { content: string }[] }).messages[0]!.content);
    return { kind: "ok", thinking: [], text: [m && /spam/i.test(m[1]!) === /spam/i.test(m[2]!) ? "SAME" : "DIFFERENT"], inputTokens: 150, outputTokens: 2 };
  });
  const { extensionsDir, userDataDir } = installExtension(t);
  const workspace = join(t.tmp, "workspace");
  const runs = join(workspace, ".hotmess", "runs");
  mkdirSync(runs, { recursive: true });
  mkdirSync(join(workspace, ".vscode"), { recursive: true });
  writeFileSync(join(workspace, ".vscode", "settings.json"), "{}\n");
  const email = runFile(runs, "2026-12-05T10-00-00-email.jsonl", "email", "Is this email spam or legitimate? Say which and why.", EMAILS, "2026-12-05T10:00:00.000Z");
  const answers = [18, 18, 18, 18, 18, 26, 26, 8];
  writeFileSync(join(workspace, "ducks.prompt.md"), "---\nn: 8\n---\nJanet's ducks lay 16 eggs a day. She eats 3 and bakes with 4, and sells the rest at $2 each. How many dollars a day?\n");
  writeFileSync(join(workspace, "question.txt"), "Janet's ducks lay 16 eggs per day. She eats 3 for breakfast and bakes muffins with 4. She sells the rest at $2 each. How many dollars does she make every day?\n");
  // the prompt's previous version (another text at the same place of the file), run earlier: mostly wrong
  runFile(runs, "2026-12-04T09-00-00-ducks-v0.jsonl", "ducks-v0", "Janet's ducks lay 16 eggs a day. How many dollars a day?", [26, 26, 26, 18, 26, 32, 26, 18].map((a) => `16 - 3 = 13\n13 * 2 = ${a}\nAnswer: ${a}`), "2026-12-04T09:00:00.000Z", { file: "ducks.prompt.md", prompt: 0 }, "18");
  const ducks = runFile(runs, "2026-12-05T09-00-00-ducks.jsonl", "ducks", "Janet's ducks lay 16 eggs a day. She eats 3 and bakes with 4, and sells the rest at $2 each. How many dollars a day?", answers.map((a) => `16 - 3 - 4 = 9\n9 * 2 = ${a}\nAnswer: ${a}`), "2026-12-05T09:00:00.000Z", { file: "ducks.prompt.md", prompt: 0 });

  const server = (t.server = await startCodeServer({ extensionsDir, userDataDir, workspace, theme: "dark", settings: { "editor.codeLens": true, "hotmess.provider": "simulated", "hotmess.anthropic.baseUrl": anthropic.url }, env: { ANTHROPIC_API_KEY: KEY } }));
  const session = (t.session = await openBrowser(server.url, { goto: false, viewport: { width: 1600, height: 1000 } }));
  const { page } = session;
  await page.goto(server.url, { waitUntil: "domcontentloaded", timeout: 60_000 });
  await waitForWorkbench(page);

  // ---- 1. by text: one class, no answer
  const frame = await openRun(page, "email", "email");
  const byText = await classesUntil(frame, page, "the classes by text", (c) => c.rows.length === 1);
  assert(/^answer classes by exact/.test(byText.by), `by text: ${byText.by}`);
  ok(`by text, five replies are ${byText.rows.length} class: ${byText.rows.join(" | ")}`);

  // ---- 2. class by meaning, the simulated judge (no model: the provider is the simulated one)
  await frame.locator('[data-fk="class-judge"]').click();
  const judges = await pickOffers(page, "the judge pick", /Simulated judge/);
  assert(judges.length === 1, `without a model, the simulated judge alone: ${JSON.stringify(judges)}`);
  await page.keyboard.press("Enter");
  const judged = await classesUntil(frame, page, "two classes by meaning", (c) => c.rows.length === 2);
  assert(/semantic \(judge simulated-judge\)/.test(judged.by), `the facts say the judge made them: ${judged.by}`);
  ok(`class by meaning (simulated judge): ${judged.rows.join(" | ")}; "${judged.by}"`);
  await screenshot(page, join(ARTIFACTS_DIR, "classes-by-meaning-dark.png"));

  // ---- 3. merge the second class into the first
  const second = frame.locator(".answers .class-act[data-fk^='class-merge:']").nth(1);
  await second.evaluate('(e) => e.scrollIntoView({ block: "center" })');
  await second.click();
  const targets = await pickOffers(page, "the merge pick", /\d+ runs?/);
  assert(targets.length === 1, `one class to merge into: ${JSON.stringify(targets)}`);
  await page.keyboard.press("Enter");
  const merged = await classesUntil(frame, page, "one class after the merge", (c) => c.rows.length === 1);
  assert(/\+ 2 manual choices/.test(merged.by), `the facts count the manual choices: ${merged.by}`);
  ok(`merge…: ${merged.rows.join(" | ")}; "${merged.by}"`);

  // ---- 4. split the legitimate replies out again (a multi-select pick)
  await frame.locator(".answers .class-act[data-fk^='class-split:']").first().click();
  await pickOffers(page, "the split pick", /Legitimate/);
  for (const text of ["Legitimate: it is a receipt", "Legitimate, a receipt"]) await page.locator(".quick-input-list .monaco-list-row", { hasText: text }).first().click();
  await page.keyboard.press("Enter");
  const split = await classesUntil(frame, page, "two classes after the split", (c) => c.rows.length === 2);
  assert(split.rows.some((r) => /: 2 of 5$/.test(r)) && split.rows.some((r) => /: 3 of 5$/.test(r)), `3 and 2: ${split.rows.join(" | ")}`);
  ok(`split…: ${split.rows.join(" | ")}; "${split.by}"`);
  const lines = readFileSync(email, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string; judge?: string });
  const kept = lines.filter((l) => l.type === "verdicts").map((l) => l.judge);
  assert(kept.join(",") === "simulated-judge,manual,manual", `the run file keeps every choice: ${kept.join(",")}`);
  ok(`the run file keeps them: verdicts lines ${kept.join(", ")}`);

  // ---- 5. a model as judge: the fake Anthropic server, after the cost
  writeFileSync(join(workspace, ".vscode", "settings.json"), JSON.stringify({ "hotmess.provider": "anthropic", "hotmess.judge.model": "claude-haiku-4-5" }, null, 2) + "\n");
  await page.waitForTimeout(3000);
  await frame.locator('[data-fk="class-judge"]').click();
  const offered = await pickOffers(page, "the judge pick with a model", /claude-haiku-4-5/);
  assert(/claude-haiku-4-5/.test(offered[0] ?? "") && /At most \d+ verdicts?.*at most \$\d+\.\d{4}/.test(offered[0] ?? ""), `the model first, with the most it may cost: ${JSON.stringify(offered)}`);
  await page.keyboard.press("Enter");
  const dialog = page.locator(".monaco-dialog-box");
  const asked = await waitUntil("the cost modal", async () => {
    const text = (await dialog.innerText().catch(() => "")).replace(/\s+/g, " ");
    return /Ask claude-haiku-4-5 up to \d+ verdicts? for at most \$/.test(text) ? text : undefined;
  }, { page, timeoutMs: 20_000 });
  await screenshot(page, join(ARTIFACTS_DIR, "classes-judge-cost-dark.png"));
  assert(anthropic.requests.length === 0, "nothing is asked before the modal is answered");
  await dialog.locator(".monaco-button", { hasText: "Run Judge" }).first().click();
  const byModel = await classesUntil(frame, page, "the model's classes", (c) => /claude-haiku-4-5/.test(c.by));
  assert(anthropic.requests.length > 0, "the fake Anthropic server was asked");
  const auth = anthropic.requests[0]!.headers["x-api-key"] ?? anthropic.requests[0]!.headers["authorization"];
  assert(auth === KEY || auth === `Bearer ${KEY}`, `the key from the environment (headers ${Object.keys(anthropic.requests[0]!.headers).join(", ")})`);
  assert(!readFileSync(email, "utf8").includes(KEY), "no key in the run file");
  ok(`class by meaning (claude-haiku-4-5, fake Anthropic): the modal "${asked.slice(0, 120)}"; ${anthropic.requests.length} verdicts asked; ${byModel.rows.join(" | ")}; "${byModel.by}"`);

  // ---- 6. Set as reference on a prompt file's run
  const dframe = await openRun(page, "09-00-00-ducks.jsonl", "ducks ·");
  await classesUntil(dframe, page, "the ducks classes", (c) => c.rows.length === 3);
  await dframe.locator('.class-setref[aria-label="Set 18 as the reference"]').click();
  await waitUntil("the incoherence against the reference", async () => ((await viewText(dframe, ".kpi")).match(/incoherence/i) && !(await viewText(dframe, ".kpi")).includes("no target") ? true : undefined), { page, timeoutMs: 30_000 });
  const front = readFileSync(join(workspace, "ducks.prompt.md"), "utf8");
  assert(/^---\nn: 8\nreference: 18\n---\n/.test(front), `the prompt file's front matter: ${JSON.stringify(front.slice(0, 40))}`);
  assert(/"type":"reference","reference":"18"/.test(readFileSync(ducks, "utf8")), "the run file keeps the reference");
  ok(`set as reference: ducks.prompt.md reads "reference: 18"; the view: ${(await viewText(dframe, ".kpi")).replace(/\s+/g, " ").slice(0, 120)}`);
  await screenshot(page, join(ARTIFACTS_DIR, "classes-set-reference-dark.png"));

  // ---- 7. the Runs view in the activity bar: both runs, by prompt file, with their figures
  await page.locator('.activitybar .action-item a[aria-label^="Hot Mess"]').first().click();
  const rows = await waitUntil("the Runs view's rows", async () => {
    const texts = (await page.locator('.pane-body .monaco-list-row').allInnerTexts().catch(() => [] as string[])).map((x) => x.replace(/\s+/g, " ").trim());
    return texts.some((x) => /ducks.*incoherence \d\.\d\d \[/.test(x)) && texts.some((x) => /email.*disagreement/.test(x)) ? texts : undefined;
  }, { page, timeoutMs: 30_000 });
  assert(rows[0] === "ducks.prompt.md 1 run" || rows.some((r) => /^ducks\.prompt\.md/.test(r)), `grouped by prompt file: ${JSON.stringify(rows)}`);
  ok(`the Runs view: ${rows.join(" | ")}`);
  await screenshot(page, join(ARTIFACTS_DIR, "runs-view-dark.png"));

  // ---- 8. High Contrast, dark and light: every control of the view readable (text against what is behind it)
  for (const [theme, file] of [
    ["Default High Contrast", "classes-hc-dark.png"],
    ["Default High Contrast Light", "classes-hc-light.png"],
  ] as const) {
    await switchTheme(page, theme);
    const hc = await webviewFrame(page, "ducks", { timeoutMs: 30_000 });
    await viewRendered(hc, page);
    const kind = (await hc.evaluate("document.body.className")) as string;
    assert(/vscode-high-contrast/.test(kind), `the view knows the theme is High Contrast: ${kind}`);
    const ratios = await controlContrasts(hc);
    const low = ratios.filter((r) => r.ratio < 4.5);
    assert(ratios.length >= 5 && low.length === 0, `every control at least 4.5:1 in ${theme}: ${JSON.stringify(low.length ? low : ratios)}`);
    await screenshot(page, join(ARTIFACTS_DIR, file));
    ok(`${theme}: ${ratios.map((r) => `${r.sel} ${r.ratio.toFixed(1)}:1`).join(", ")} (out/e2e/${file})`);
  }

  // ---- 9. the walkthrough
  await runCommand(page, "Welcome: Open Walkthrough...");
  await pickOffers(page, "the walkthroughs", /Get started with Hot Mess Inspector/);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: "Get started with Hot Mess Inspector" }).first().click();
  const steps = await waitUntil("the walkthrough's steps", async () => {
    const texts = (await page.locator(".getting-started-step .step-title").allInnerTexts().catch(() => [] as string[])).map((x) => x.trim()).filter(Boolean);
    return texts.length >= 4 ? texts : undefined;
  }, { page, timeoutMs: 30_000 });
  assert(steps.join(" | ") === "Choose a model, or the simulated one | Rerun a selection N times | Read the view | Export and share", `the steps: ${steps.join(" | ")}`);
  // the steps with a command done so far are checked (Open Run… was run above)
  await page.locator(".getting-started-step", { hasText: "Read the view" }).first().click();
  await page.waitForTimeout(800);
  await screenshot(page, join(ARTIFACTS_DIR, "walkthrough-hc-light.png"));
  ok(`the walkthrough: ${steps.join(" | ")}`);

  // ---- 10. Rerun Selection asks how many reruns and the right answer, in one input
  writeFileSync(join(workspace, ".vscode", "settings.json"), JSON.stringify({ "hotmess.provider": "simulated", "hotmess.rerunSelection.ask": true }, null, 2) + "\n");
  await page.waitForTimeout(2000);
  await runCommand(page, "View: Close All Editors");
  await openFile(page, "question.txt");
  await selectAll(page);
  await runCommand(page, "Hot Mess: Rerun Selection N Times");
  const box = page.locator(".quick-input-widget .quick-input-box input");
  await waitUntil("the input for N and the reference", async () => ((await box.isVisible().catch(() => false)) ? true : undefined), { page, timeoutMs: 20_000 });
  const proposed = await box.inputValue();
  const message = (await page.locator(".quick-input-widget .quick-input-message").innerText().catch(() => "")).replace(/\s+/g, " ");
  assert(proposed === "8" && /then the right answer if you know it/.test(message), `the input proposes hotmess.n and says what to type: "${proposed}", "${message}"`);
  await box.fill("5 18");
  await page.keyboard.press("Enter");
  const rerun = await waitUntil("the rerun's view to finish", async () => {
    const f = await webviewFrame(page, "Janet", { timeoutMs: 5_000 }).catch(() => undefined);
    if (!f) return undefined;
    const status = await viewText(f, ".host-status").catch(() => "");
    if (!/^Done/.test(status)) return undefined;
    return { f, facts: (await viewText(f, ".facts")).replace(/\s+/g, " "), status };
  }, { page, timeoutMs: 60_000, intervalMs: 250 });
  assert(/n 5\b/.test(rerun.facts) && /reference 18/.test(rerun.facts), `5 reruns against 18: ${rerun.facts}`);
  ok(`Rerun Selection's input: proposed "${proposed}", typed "5 18": ${rerun.status}; ${rerun.facts.slice(0, 80)}`);
  await screenshot(page, join(ARTIFACTS_DIR, "rerun-input-dark.png"));

  // ---- 11. the prompt file's lens says what changed since the previous version; it opens both, side by side
  await runCommand(page, "View: Close All Editors");
  await openFile(page, "ducks.prompt.md");
  const versions = await openVersionsFromLens(page);
  const delta = versions.lens;
  assert(/accuracy 25% → 63% \(\+38 pts \[[−+]\d+, \+\d+\]\) (significant|within rerun noise)/.test(delta), `the lens: ${delta}`);
  const differ = Number(await versions.frame.evaluate(`document.querySelectorAll(".versions-table tbody tr.diff").length`));
  const rowsInfo = String(await versions.frame.evaluate(`[...document.querySelectorAll(".versions-table tbody tr")].map((r) => r.className).join(",")`));
  assert(/before → after/i.test(versions.text) && differ >= 1, `the view heads both versions with the change and their differing steps (rows ${rowsInfo}): ${versions.text.slice(0, 300)}`);
  ok(`the Δ lens: "${delta.slice(0, 160)}"; its view: ${differ} differing steps side by side`);
  await screenshot(page, join(ARTIFACTS_DIR, "versions-hc-light.png"));

  const errors = unexpectedConsoleErrors(session);
  assert(errors.length === 0, `no console errors: ${errors.join("\n")}`);
  ok("no console errors in the workbench or the views");
});
