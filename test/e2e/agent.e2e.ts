// Agent trajectories in a real VS Code (code-server): "Hot Mess: Import Traces…" on the shared
// τ-bench fixture (25 airline tasks × 4 GPT-4o runs) says what it found, writes the trace set to
// .hotmess/imports/ and opens it; the view names the tasks, gives each its tool calls, fork
// action and cause, shows the trajectories as they happened (tool calls as cards, results folded,
// user turns apart), and "actions only" leaves one row per aligned action. Screenshots (dark and
// light) go to out/e2e/. Without the shared fixtures it says "skipped: no shared fixtures".
//
//   node --import tsx test/e2e/agent.e2e.ts [--keep]
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { sharedFixture } from "../support/fixtures";
import { assert, Checklist, installExtension, runE2E } from "./checks";
import {
  viewRendered,
  ARTIFACTS_DIR,
  fillFileDialog,
  openBrowser,
  runCommand,
  switchTheme,
  screenshot,
  startCodeServer,
  unexpectedConsoleErrors,
  waitForNotification,
  waitForWorkbench,
  waitUntil,
  webviewFrame,
  viewText,
  type Frame,
  type Page,
} from "./harness";

const list = new Checklist();
const ok = (what: string) => list.ok(what);
const FIXTURE = sharedFixture("tau-airline-gpt4o", "results.json");

/** Selects a prompt in the view's list by its id, and waits for its header. */
async function showPrompt(frame: Frame, page: Page, id: string): Promise<void> {
  await frame.locator(`li.prompt-item[data-fk="prompt:${id}"]`).first().click();
  await waitUntil(`prompt ${id} to show`, async () => ((await viewText(frame, ".prompt-head, header.prompt, h2")).includes(id) ? true : undefined), { page, timeoutMs: 20_000 });
}

if (!FIXTURE) {
  console.log("skipped: no shared fixtures");
  console.log("e2e: 0 passed, 0 failed (skipped)");
} else {
  void runE2E("agent", { list, limitMinutes: 10 }, async (t) => {
    const { extensionsDir, userDataDir } = installExtension(t);
    const workspace = join(t.tmp, "workspace");
    mkdirSync(workspace, { recursive: true });

    const server = (t.server = await startCodeServer({ extensionsDir, userDataDir, workspace, theme: "dark", settings: { "hotmess.provider": "simulated" } }));
    const session = (t.session = await openBrowser(server.url, { goto: false, viewport: { width: 1600, height: 1000 } }));
    const { page } = session;
    await page.goto(server.url, { waitUntil: "domcontentloaded", timeout: 60_000 });
    await waitForWorkbench(page);

    // ---- import: the command, the file dialog, what it found
    await runCommand(page, "Hot Mess: Import Traces…");
    await fillFileDialog(page, FIXTURE);
    const said = await waitForNotification(page, /25 tasks × 4 runs, \d+ tool calls; format τ-bench/, { timeoutMs: 60_000 });
    ok(`Import Traces says: ${said.replace(/\s+/g, " ").trim()}`);
    const imports = join(workspace, ".hotmess", "imports");
    const written = await waitUntil("the imported trace set", async () => (existsSync(imports) ? readdirSync(imports).find((f) => f.endsWith(".jsonl")) : undefined), { page, timeoutMs: 20_000 });
    const lines = readFileSync(join(imports, written), "utf8").trim().split("\n");
    assert(lines.length === 25, `25 prompts written (${lines.length})`);
    assert((JSON.parse(lines[0]!) as { id: string }).id.startsWith("task-"), "prompts keep the task ids");
    ok(`written to .hotmess/imports/${written}: ${lines.length} prompts`);

    // ---- the view: the tasks by id, the agent facts
    const frame = await webviewFrame(page, undefined, { timeoutMs: 60_000 });
    await viewRendered(frame, page);
    const items = await frame.locator("li.prompt-item").count();
    assert(items === 25, `the prompt list holds the 25 tasks (${items})`);
    ok("the view lists the 25 tasks");
    await showPrompt(frame, page, "task-2");
    const head = await viewText(frame, "main");
    assert(/tool calls\s*\d+(–\d+)? a run/.test(head), `the header gives the tool calls a run: ${head.slice(0, 400)}`);
    const fork = /fork action\s*(\d+) · (the policy|the environment)/.exec(head);
    assert(fork, `the header gives the fork action and its cause: ${head.slice(0, 400)}`);
    ok(`task-2: fork action ${fork[1]} · ${fork[2]}`);
    await screenshot(page, join(ARTIFACTS_DIR, "agent-task-dark.png"));

    // ---- the trajectories as they happened: task-0 (errors among its results)
    await showPrompt(frame, page, "task-0");
    const traces = frame.locator("table.traces").first();
    await frame.evaluate(`document.querySelector(".runbar")?.scrollIntoView({ block: "start" })`);
    const cards = await waitUntil("tool-call cards in the traces", async () => {
      const n = await traces.locator(".tc-card").count();
      return n > 0 ? n : undefined;
    }, { page, timeoutMs: 20_000 });
    const args = (await traces.locator(".tc-card pre.tc-args").first().innerText()).trim();
    assert(args.startsWith("{") && args.includes("\n  \""), `a call's arguments are indented JSON: ${args.slice(0, 120)}`);
    const folds = await traces.locator("details.tr-fold").count();
    const open = await traces.locator("details.tr-fold[open]").count();
    const users = await traces.locator(".k-user").count();
    assert(folds > 0 && open === 0 && users > 0, `results folded (${folds}, ${open} open) and user turns set apart (${users})`);
    const errors = await waitUntil("an error result marked", async () => {
      const n = await frame.locator("details.tr-fold.err").count();
      return n > 0 ? n : undefined;
    }, { page, timeoutMs: 10_000 });
    ok(`task-0's traces: ${cards} call cards with indented arguments, ${folds} results folded to a line (${errors} marked as errors), ${users} user turns`);
    const heads = (await traces.locator("th.run-h").allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
    assert(heads.length === 4 && heads.every((t) => /reward/.test(t) && /call/.test(t)), `each run's header gives its reward and its calls: ${heads.join(" | ")}`);
    ok(`run headers: ${heads.join(" | ")}`);
    // a folded result opens from the keyboard
    const sum = traces.locator("details.tr-fold > summary").first();
    await sum.focus();
    await page.keyboard.press("Enter");
    await waitUntil("the result to unfold", async () => ((await traces.locator("details.tr-fold[open] .tr-body").count()) > 0 ? true : undefined), { page, timeoutMs: 10_000 });
    ok("a result unfolds with Enter");
    await screenshot(page, join(ARTIFACTS_DIR, "agent-traces-dark.png"));

    // ---- the fork action, marked with its cause, and "actions only"
    const badge = await viewText(frame, "table.traces .fork-badge");
    assert(/fork · (policy|environment)/.test(badge), `the fork action's row carries its cause: ${badge}`);
    const all = Number(await traces.getAttribute("data-columns"));
    await frame.locator('button[data-fk="actions"]').first().click();
    const only = await waitUntil("'actions only' to leave the action columns", async () => {
      const t = frame.locator("table.traces").first();
      const n = Number(await t.getAttribute("data-columns"));
      return n > 0 && n < all ? n : undefined;
    }, { page, timeoutMs: 10_000 });
    const nonCall = await frame.evaluate<number>(`[...document.querySelectorAll("table.traces tr[data-col]")].filter((tr) => tr.querySelector("td") && !tr.querySelector(".tc-card")).length`);
    assert(nonCall === 0, `with 'actions only' every row shown holds a call (${nonCall} do not)`);
    ok(`'actions only': ${only} of ${all} aligned steps, each a tool call; fork badge "${badge}"`);
    await screenshot(page, join(ARTIFACTS_DIR, "agent-actions-dark.png"));

    // ---- the same in the light and high-contrast themes
    for (const [theme, file] of [
      ["Default Light Modern", "agent-actions-light.png"],
      ["Default High Contrast", "agent-actions-hc.png"],
    ] as const) {
      await switchTheme(page, theme);
      const f = await webviewFrame(page, undefined, { timeoutMs: 30_000 });
      await viewRendered(f, page);
      await screenshot(page, join(ARTIFACTS_DIR, file));
      ok(`screenshot in ${theme}: out/e2e/${file}`);
    }

    const consoleErrors = unexpectedConsoleErrors(session);
    assert(consoleErrors.length === 0, `no console errors: ${consoleErrors.join("\n")}`);
    ok("no console errors in the workbench or the view");
  });
}
