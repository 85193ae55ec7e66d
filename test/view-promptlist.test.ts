// The prompt list in a real Chromium (the self-contained report): its heads sort it (pass^k at
// the smallest n, the fork action), again to reverse; the rows shown follow, the arrow keys move
// through them in the order shown, an agent prompt's row says what its first user turn asked, and
// the sort is kept in the view state (a window reload in VS Code gets it back). On a hand-made set
// of agent prompts, and on τ-bench's 25 airline tasks when the shared fixtures are there.
// Skipped without Chromium and playwright-core (scripts/setup-code-server.sh installs both).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { analyzeRecords, type Analysis } from "../src/core";
import type { PromptRecord, TrajectoryStep } from "../src/core/types";
import { importFiles } from "../src/import";
import { writeReportHtml } from "../src/report/html";
import { cacheDir, CHROMIUM, CHROMIUM_ARGS, loadPlaywright } from "./e2e/harness";
import { sharedFixture, skipWithout } from "./support/fixtures";

const SKIP = !existsSync(CHROMIUM) || !existsSync(join(cacheDir(), "node_modules", "playwright-core")) ? "no Chromium or playwright-core (run scripts/setup-code-server.sh)" : false;

interface Page {
  goto(url: string): Promise<unknown>;
  reload(): Promise<unknown>;
  addInitScript(script: string): Promise<void>;
  waitForFunction(f: string, arg?: unknown, o?: { timeout: number }): Promise<unknown>;
  evaluate<T>(f: string): Promise<T>;
  click(selector: string): Promise<void>;
  focus(selector: string): Promise<void>;
  fill(selector: string, value: string): Promise<void>;
  keyboard: { press(key: string): Promise<void> };
  close(): Promise<void>;
}
interface Browser {
  newPage(o: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

let browser: Browser | null = null;
const dir = mkdtempSync(join(tmpdir(), "hotmess-plist-"));

before(async () => {
  if (SKIP) return;
  browser = (await loadPlaywright().chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })) as unknown as Browser;
});
after(async () => {
  await browser?.close();
});

const ACTIONS = ["get_user_details", "get_reservation_details", "cancel_reservation", "send_certificate"];

/** An agent prompt: each run a user turn and the four actions, one run taking another at `fork` (from 1); correct by reward. */
function agentPrompt(id: string, user: string, rewards: number[], fork: number | null): PromptRecord {
  return {
    id,
    samples: rewards.map((reward, r) => {
      const steps: TrajectoryStep[] = [{ kind: "user", text: user }];
      ACTIONS.forEach((name, j) => {
        const tool = fork !== null && r === rewards.length - 1 && j === fork - 1 ? "search_direct_flight" : name;
        steps.push({ kind: "tool_call", name: tool, arguments: { reservation_id: "ABC123" }, id: `c${j}` }, { kind: "tool_result", name: tool, id: `c${j}`, text: "ok" });
      });
      steps.push({ kind: "text", text: "Done." });
      return { steps, reward };
    }),
  };
}

const UUID = "6f1c2e3a-9b4d-4e8b-a1c2-3d4e5f6a7b8c";
/** File order: pass^3 (k = 3, the smallest n) 1, 0.25, 0, 0, 1; fork action none, 2, 1, 3, 1. */
function handMade(): Analysis {
  return analyzeRecords([
    agentPrompt("task-10", "I want to add a checked bag.", [1, 1, 1, 1], null),
    agentPrompt("task-2", "Please move my flight to May 20th.", [1, 1, 1, 0], 2),
    agentPrompt(UUID, "Please cancel reservation ABC123 and refund me.", [1, 1, 0], 1),
    agentPrompt("task-3", "What is my gift card balance?", [0, 0, 0, 0], 3),
    agentPrompt("task-1", "Upgrade me to business class.", [1, 1, 1, 1], 1),
  ]);
}

/** A fake VS Code API that keeps the view state in window.name, so it survives a reload as VS Code's does. */
const FAKE_VSCODE = `window.acquireVsCodeApi = () => ({
  getState: () => (window.name ? JSON.parse(window.name) : undefined),
  setState: (s) => { window.name = JSON.stringify(s); },
  postMessage: () => {},
});`;

async function open(analysis: Analysis, name: string, vscode = false): Promise<Page> {
  const file = join(dir, `${name}.html`);
  writeReportHtml(file, analysis);
  const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
  if (vscode) await page.addInitScript(FAKE_VSCODE);
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction("document.body.dataset.rendered === '1'", undefined, { timeout: 30_000 });
  return page;
}

interface ListState {
  /** The rows shown, in order: their data-fk ("prompt:<id>"). */
  order: string[];
  names: string[];
  selected: string | null;
  focused: string | null;
  /** aria-sort of each sortable head, by its data-fk. */
  sorts: Record<string, string | null>;
  heads: string[];
  cells: Record<string, string[]>;
  subs: string[];
  /** The heading of the prompt shown. */
  shown: string | null;
}

function listState(page: Page): Promise<ListState> {
  return page.evaluate<ListState>(`(() => {
    const rows = [...document.querySelectorAll(".prompt-list > .prompt-item")].filter((el) => !el.hidden);
    const cells = {};
    for (const cls of ["pi-n", "pi-pass", "pi-fork", "pi-inc", "pi-acc"]) cells[cls] = rows.map((r) => r.querySelector("." + cls)?.textContent ?? null);
    const sorts = {};
    for (const b of document.querySelectorAll(".sort-btn")) sorts[b.dataset.fk] = b.closest("[role=columnheader]")?.getAttribute("aria-sort") ?? null;
    return {
      order: rows.map((r) => r.dataset.fk),
      names: rows.map((r) => r.querySelector(".pi-id").textContent),
      selected: document.querySelector('.prompt-item[aria-selected="true"]')?.dataset.fk ?? null,
      focused: document.activeElement?.dataset?.fk ?? null,
      sorts,
      heads: [...document.querySelectorAll(".list-head > *")].map((h) => h.textContent),
      cells,
      subs: rows.map((r) => r.querySelector(".pi-sub")?.textContent ?? null),
      shown: document.querySelector(".prompt-head h2")?.textContent ?? null,
    };
  })()`);
}

const fk = (...ids: string[]) => ids.map((id) => `prompt:${id}`);

test("a hand-made agent set: sort by pass^3 and by the fork action, the arrow keys follow the order shown", { skip: SKIP }, async () => {
  const page = await open(handMade(), "hand");
  try {
    let s = await listState(page);
    assert.deepEqual(s.order, fk("task-10", "task-2", UUID, "task-3", "task-1"), "file order first");
    assert.deepEqual(s.heads, ["prompt", "n", "pass^3", "fork", "inc."], "n varies (3 and 4 runs); pass^k at the smallest n");
    assert.deepEqual(s.names, ["task-10", "task-2", "Please cancel reservation ABC123 and refund me.", "task-3", "task-1"], "a UUID gives way to what the user asked");
    assert.deepEqual(s.subs, ["I want to add a checked bag.", "Please move my flight to May 20th.", null, "What is my gift card balance?", "Upgrade me to business class."]);
    assert.deepEqual(s.cells["pi-pass"], ["1.00", "0.25", "0.00", "0.00", "1.00"]);
    assert.deepEqual(s.cells["pi-fork"], ["—", "2", "1", "3", "1"]);
    assert.deepEqual(s.sorts, { "sort:name": "none", "sort:n": "none", "sort:passk": "none", "sort:fork": "none", "sort:incoherence": "none" });
    assert.equal(s.selected, "prompt:task-10");

    // pass^3, least reliable first; ties (0.00, 1.00) in file order
    await page.click('[data-fk="sort:passk"]');
    s = await listState(page);
    assert.deepEqual(s.order, fk(UUID, "task-3", "task-2", "task-10", "task-1"));
    assert.equal(s.sorts["sort:passk"], "ascending");
    assert.equal(s.sorts["sort:fork"], "none");
    assert.equal(s.selected, "prompt:task-10", "the selection stays");
    // the arrow keys follow the order shown
    await page.focus('.prompt-item[aria-selected="true"]');
    await page.keyboard.press("ArrowDown");
    s = await listState(page);
    assert.equal(s.selected, "prompt:task-1");
    assert.equal(s.focused, "prompt:task-1");
    assert.equal(s.shown, "task-1", "the prompt shown follows");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    assert.equal((await listState(page)).selected, "prompt:task-2");
    await page.keyboard.press("Home");
    assert.equal((await listState(page)).selected, `prompt:${UUID}`);
    await page.keyboard.press("End");
    assert.equal((await listState(page)).selected, "prompt:task-1");

    // again: reversed, ties still in file order
    await page.click('[data-fk="sort:passk"]');
    s = await listState(page);
    assert.deepEqual(s.order, fk("task-10", "task-1", "task-2", UUID, "task-3"));
    assert.equal(s.sorts["sort:passk"], "descending");

    // the fork action, earliest first; the prompt whose runs never part last
    await page.click('[data-fk="sort:fork"]');
    s = await listState(page);
    assert.deepEqual(s.order, fk(UUID, "task-1", "task-2", "task-3", "task-10"));
    assert.deepEqual(s.cells["pi-fork"], ["1", "1", "2", "3", "—"]);
    assert.equal(s.sorts["sort:fork"], "ascending");
    assert.equal(s.sorts["sort:passk"], "none");
    assert.equal(s.focused, "sort:fork", "the head keeps the focus");
    await page.focus('.prompt-item[aria-selected="true"]');
    await page.keyboard.press("ArrowUp");
    assert.equal((await listState(page)).selected, `prompt:${UUID}`);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    assert.equal((await listState(page)).selected, "prompt:task-2");

    await page.click('[data-fk="sort:fork"]');
    assert.deepEqual((await listState(page)).order, fk("task-3", "task-2", UUID, "task-1", "task-10"), "latest first, none still last");
    // a third click: file order again
    await page.click('[data-fk="sort:fork"]');
    s = await listState(page);
    assert.deepEqual(s.order, fk("task-10", "task-2", UUID, "task-3", "task-1"));
    assert.equal(s.sorts["sort:fork"], "none");

    // the keyboard operates the heads: Tab to one, Enter sorts
    await page.focus('[data-fk="sort:name"]');
    await page.keyboard.press("Enter");
    s = await listState(page);
    assert.deepEqual(s.names, ["Please cancel reservation ABC123 and refund me.", "task-1", "task-2", "task-3", "task-10"], "names naturally: task-2 before task-10");
    assert.equal(s.sorts["sort:name"], "ascending");
    await page.keyboard.press(" ");
    assert.equal((await listState(page)).sorts["sort:name"], "descending");
  } finally {
    await page.close();
  }
});

test("the sort is kept in the view state: after a reload (VS Code's window reload) the list comes back sorted", { skip: SKIP }, async () => {
  const page = await open(handMade(), "state", true);
  try {
    await page.click('[data-fk="sort:fork"]');
    await page.click('[data-fk="sort:fork"]');
    await page.click("#hm-prompt-3");
    const saved = await page.evaluate<{ sort: unknown; prompt: number }>("JSON.parse(window.name)");
    assert.deepEqual(saved.sort, { key: "fork", dir: "desc" });
    assert.equal(saved.prompt, 3);
    await page.reload();
    await page.waitForFunction("document.body.dataset.rendered === '1'", undefined, { timeout: 30_000 });
    const s = await listState(page);
    assert.deepEqual(s.order, fk("task-3", "task-2", UUID, "task-1", "task-10"));
    assert.equal(s.sorts["sort:fork"], "descending");
    assert.equal(s.selected, "prompt:task-3");
  } finally {
    await page.close();
  }
});

const TAU = sharedFixture("tau-airline-gpt4o", "results.json");

test("τ-bench's 25 airline tasks × 4 GPT-4o runs: pass^4 and the fork action sort the list; filter and arrow keys follow", { skip: SKIP || skipWithout(TAU) }, async () => {
  const { prompts } = importFiles([{ path: TAU!, bytes: readFileSync(TAU!) }]);
  const analysis = analyzeRecords(prompts);
  const page = await open(analysis, "tau");
  try {
    let s = await listState(page);
    assert.deepEqual(s.heads, ["prompt", "pass^4", "fork", "inc."]);
    assert.equal(s.order.length, 25);
    assert.equal(s.subs[0], "Hi! I'm looking to book a flight from New York to Seattle on May 20th.", "task-0 says what it is");
    const value = (t: string) => (t === "—" ? Infinity : Number(t));
    const ascending = (xs: string[]) => xs.every((x, i) => i === 0 || value(xs[i - 1]!) <= value(x));
    const fileOrder = (order: string[], vals: string[]) =>
      order.every((id, i) => i === 0 || vals[i] !== vals[i - 1] || analysis.prompts.findIndex((p) => `prompt:${p.id}` === order[i - 1]) < analysis.prompts.findIndex((p) => `prompt:${p.id}` === id));

    await page.click('[data-fk="sort:passk"]');
    s = await listState(page);
    const pass = s.cells["pi-pass"] as string[];
    assert.ok(ascending(pass), pass.join(" "));
    assert.ok(fileOrder(s.order, pass), "ties in file order");
    // each row's figure is its prompt's pass^4
    s.order.forEach((id, i) => assert.equal(pass[i], analysis.prompts.find((p) => `prompt:${p.id}` === id)!.passHatK![3]!.toFixed(2)));
    assert.ok(pass[0] === "0.00" && pass[24] === "1.00");

    await page.click('[data-fk="sort:fork"]');
    s = await listState(page);
    const fork = s.cells["pi-fork"] as string[];
    assert.ok(ascending(fork), fork.join(" "));
    assert.ok(fileOrder(s.order, fork), "ties in file order");
    s.order.forEach((id, i) => {
      const a = analysis.prompts.find((p) => `prompt:${p.id}` === id)!.agent!;
      assert.equal(fork[i], a.forkAction === null ? "—" : String(a.forkAction + 1), id);
    });
    // the arrow keys walk the order shown, from the top
    await page.focus('.prompt-item[aria-selected="true"]');
    await page.keyboard.press("Home");
    const walked: string[] = [];
    for (let i = 0; i < 6; i++) {
      walked.push((await listState(page)).selected!);
      await page.keyboard.press("ArrowDown");
    }
    assert.deepEqual(walked, s.order.slice(0, 6));

    // the filter matches what the user asked, and the arrow keys skip what it hides
    await page.fill(".filter", "cancel");
    s = await listState(page);
    assert.ok(s.order.length > 1 && s.order.length < 25, `${s.order.length} tasks mention cancelling`);
    assert.ok(ascending(s.cells["pi-fork"] as string[]), "still sorted");
    await page.focus(".filter");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Home");
    assert.equal((await listState(page)).selected, s.order[0]);
    await page.keyboard.press("ArrowDown");
    assert.equal((await listState(page)).selected, s.order[1]);
  } finally {
    await page.close();
  }
});
