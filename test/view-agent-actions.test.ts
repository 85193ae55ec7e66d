// An agent prompt in the comparison view, in a real Chromium (the self-contained report): the
// heatmap and the traces mark the fork action with its cause, and "actions only" in the runs
// toolbar leaves exactly the aligned columns of tool calls in both (the heatmap moves over them
// with the keyboard, Enter shows the same column in the traces); the choice survives a re-render
// with the saved state. A plain prompt has no such toggle. Skipped without Chromium and
// playwright-core (scripts/setup-code-server.sh installs both; CI runs it before npm test).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { analyzeRecords } from "../src/core";
import { writeReportHtml } from "../src/report/html";
import { simulateAgentSet } from "../src/sampling/agent";
import { actionColumns, forkMark } from "../webview/actions";
import { truncate } from "../webview/format";
import { promptModel } from "../webview/model";
import { cacheDir, CHROMIUM, CHROMIUM_ARGS, loadPlaywright } from "./e2e/harness";

const SKIP = !existsSync(CHROMIUM) || !existsSync(join(cacheDir(), "node_modules", "playwright-core")) ? "no Chromium or playwright-core (run scripts/setup-code-server.sh)" : false;

interface Page {
  goto(url: string): Promise<unknown>;
  waitForFunction(f: string, arg?: unknown, o?: { timeout: number }): Promise<unknown>;
  evaluate<T>(f: string): Promise<T>;
  click(selector: string): Promise<void>;
  focus(selector: string): Promise<void>;
  keyboard: { press(key: string): Promise<void> };
  mouse: { move(x: number, y: number): Promise<void>; click(x: number, y: number): Promise<void> };
  close(): Promise<void>;
}
interface Browser {
  newPage(o: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

let browser: Browser | null = null;
const dir = mkdtempSync(join(tmpdir(), "hotmess-view-agent-"));

before(async () => {
  if (SKIP) return;
  browser = (await loadPlaywright().chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })) as unknown as Browser;
});
after(async () => {
  await browser?.close();
});

/** What the page shows of the traces table and the heatmap of the prompt shown. */
interface Shown {
  columns: number;
  folds: number;
  rows: number[];
  foldRows: string[];
  forkRows: { col: number; badge: string; title: string }[];
  toggle: { pressed: string | null; text: string } | null;
  heatLabel: string;
  axis: string;
  legend: string;
}
const SHOWN = `(() => {
  const t = document.querySelector("table.traces");
  const toggle = document.querySelector('[data-fk="actions"]');
  return {
    columns: Number(t.dataset.columns),
    folds: Number(t.dataset.folds),
    rows: [...t.querySelectorAll("tbody tr[data-col]")].map((r) => Number(r.dataset.col)),
    foldRows: [...t.querySelectorAll("tbody tr.fold")].map((r) => r.dataset.from + "-" + r.dataset.to),
    forkRows: [...t.querySelectorAll("tbody tr.fork")].map((r) => ({ col: Number(r.dataset.col), badge: r.querySelector(".fork-badge")?.textContent ?? "", title: r.querySelector(".fork-badge")?.title ?? "" })),
    toggle: toggle ? { pressed: toggle.getAttribute("aria-pressed"), text: toggle.textContent.trim() } : null,
    heatLabel: document.querySelector(".heatmap canvas").getAttribute("aria-label"),
    legend: document.querySelector(".heatmap .legend").innerText,
  };
})()`;
const LIVE = `document.querySelector(".heatmap .sr-only").textContent`;
/** Resolves once the page's scroll position has not moved for ten frames. */
const SETTLE = `new Promise((done) => { let last = -1, still = 0; const tick = () => { if (window.scrollY === last) still++; else { still = 0; last = window.scrollY; } if (still >= 10) done(true); else requestAnimationFrame(tick); }; tick(); })`;
const SELECTED = `[...document.querySelectorAll("table.traces tbody tr.sel")].map((r) => Number(r.dataset.col))`;

test("an agent prompt: the fork action marked with its cause; 'actions only' shows exactly the columns of tool calls", { skip: SKIP }, async () => {
  const analysis = analyzeRecords(simulateAgentSet(8));
  const file = join(dir, "agent.html");
  writeReportHtml(file, analysis);
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction("document.body.dataset.rendered === '1'", undefined, { timeout: 30_000 });
    for (const p of analysis.prompts) {
      const m = promptModel(p);
      const acts = actionColumns(m);
      const fork = forkMark(m)!;
      const cause = p.agent!.forkCause!;
      assert.ok(fork && acts.includes(fork.col), `${p.id}: a fork action in an action column`);
      assert.ok(acts.length >= 2 && acts.length < p.columns.length);
      await page.click(`[data-fk="prompt:${p.id}"]`);
      await page.waitForFunction(`document.querySelector('.prompt-item[aria-selected="true"]')?.dataset.fk === ${JSON.stringify(`prompt:${p.id}`)}`);

      // every column, the fork action's row badged with its cause
      let s = await page.evaluate<Shown>(SHOWN);
      assert.deepEqual(s.toggle, { pressed: "false", text: "actions only" }, "off by default");
      assert.equal(s.columns, p.columns.length);
      assert.deepEqual(s.forkRows, [{ col: fork.col, badge: `fork · ${cause.kind}`, title: cause.detail }]);
      assert.ok(s.heatLabel.includes(`by ${p.columns.length} aligned steps; fork action ${p.agent!.forkAction! + 1} · ${cause.kind} at column ${fork.col}`), s.heatLabel);
      assert.match(s.legend, /fork action \(cause\)/);

      // actions only
      await page.click('[data-fk="actions"]');
      s = await page.evaluate<Shown>(SHOWN);
      assert.equal(s.toggle?.pressed, "true");
      assert.equal(s.columns, acts.length, "one row per aligned action");
      assert.equal(s.folds, 0, "a few actions: no folding by default");
      assert.deepEqual(s.rows, acts, `${p.id}: the rows are the action columns, under their own numbers`);
      assert.deepEqual(s.foldRows, []);
      assert.deepEqual(s.forkRows, [{ col: fork.col, badge: `fork · ${cause.kind}`, title: cause.detail }]);
      assert.ok(s.heatLabel.includes(`by ${acts.length} of ${p.columns.length} aligned steps; fork action`), s.heatLabel);

      // the heatmap: its keyboard cursor starts on the fork action, says why, moves over the shown columns
      await page.focus(".heatmap canvas");
      const live = await page.evaluate<string>(LIVE);
      assert.ok(live.startsWith(`run ${p.runs[0]!.index}, column ${fork.col} of ${p.columns.length} (${fork.label}: ${cause.detail})`), live);
      await page.keyboard.press("Home");
      assert.match(await page.evaluate<string>(LIVE), new RegExp(`^run \\d+, column ${acts[0]} of`));
      await page.keyboard.press("ArrowRight");
      assert.match(await page.evaluate<string>(LIVE), new RegExp(`^run \\d+, column ${acts[1]} of`), "the next action column, not the next column");
      await page.keyboard.press("End");
      assert.match(await page.evaluate<string>(LIVE), new RegExp(`^run \\d+, column ${acts[acts.length - 1]} of`));
      await page.keyboard.press("Enter");
      assert.deepEqual(await page.evaluate<number[]>(SELECTED), [acts[acts.length - 1]!], "Enter shows the same column in the traces");

      // the pointer: the tooltip over the fork action's cell names it and says why; a click shows that column in the traces
      // (Enter scrolled smoothly to the traces: wait until the page stands still, then bring the heatmap back)
      await page.evaluate(SETTLE);
      await page.evaluate(`document.querySelector(".heatmap canvas").scrollIntoView({ block: "center" })`);
      await page.evaluate(SETTLE);
      const box = await page.evaluate<{ x: number; y: number; w: number }>(
        `(() => { const r = document.querySelector(".heatmap canvas").getBoundingClientRect(); return { x: r.left, y: r.top + (r.height - 40) / 2, w: r.width }; })()`,
      );
      let hit: { x: number; title: string; fork: string } | null = null;
      for (let x = box.x + 60; x < box.x + box.w && !hit; x += 4) {
        await page.mouse.move(x, box.y);
        const tip = await page.evaluate<{ title: string; fork: string } | null>(`(() => { const t = document.querySelector(".heat-tip"); return t.hidden ? null : { title: t.querySelector(".tip-title").textContent, fork: t.querySelector(".tip-fork")?.textContent ?? "" }; })()`);
        if (tip?.title.includes(`column ${fork.col} `)) hit = { x, ...tip };
      }
      assert.ok(hit, `${p.id}: a cell of column ${fork.col} under the pointer`);
      assert.match(hit.title, new RegExp(`^run #\\d+ · column ${fork.col} \\(${fork.label}\\)$`));
      assert.equal(hit.fork, truncate(cause.detail, 280), "why the runs parted there");
      await page.mouse.click(hit.x, box.y);
      // (chart.js handles pointer events on the next animation frame)
      await page.waitForFunction(`${SELECTED}.join() === "${fork.col}"`, undefined, { timeout: 5000 }).catch(() => {});
      assert.deepEqual(await page.evaluate<number[]>(SELECTED), [fork.col], "a click shows the same column in the traces");

      // off again: every column (once the click on the map has rendered: on a loaded machine
      // chart.js's frame can come after the toggle's click and render the view as it was)
      await new Promise((r) => setTimeout(r, 100));
      await page.click('[data-fk="actions"]');
      await page.waitForFunction(`document.querySelector('[data-fk="actions"]')?.getAttribute("aria-pressed") === "false"`, undefined, { timeout: 5000 }).catch(() => {});
      s = await page.evaluate<Shown>(SHOWN);
      assert.equal(s.toggle?.pressed, "false");
      assert.equal(s.columns, p.columns.length);
    }

    // the saved state (as VS Code's setState keeps it) brings it back on a new render
    const restored = await page.evaluate<Shown>(`(() => { const app = window.hotmess.app; app.render(app.analysis, { actions: true }); return ${SHOWN}; })()`);
    assert.equal(restored.toggle?.pressed, "true");
    assert.equal(restored.columns, actionColumns(promptModel(analysis.prompts[analysis.prompts.length - 1]!)).length);
  } finally {
    await page.close();
  }
});

test("a plain prompt: no 'actions only', the fork column marked as before", { skip: SKIP }, async () => {
  const a = analyzeRecords([{ id: "plain", reference: 4, samples: ["2 + 2 = 4.\nSo the answer is 4.", "2 + 2 = 5.\nSo the answer is 5.", "2 + 2 = 4.\nSo the answer is 4."].map((text) => ({ text })) }]);
  const p = a.prompts[0]!;
  const file = join(dir, "plain.html");
  writeReportHtml(file, a);
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction("document.body.dataset.rendered === '1'", undefined, { timeout: 30_000 });
    const s = await page.evaluate<Shown>(SHOWN);
    assert.equal(s.toggle, null);
    assert.equal(s.columns, p.columns.length);
    assert.notEqual(p.forkColumn, null);
    assert.deepEqual(s.forkRows, [{ col: p.forkColumn, badge: "fork", title: "" }]);
    assert.match(s.legend, /fork column/);
  } finally {
    await page.close();
  }
});
