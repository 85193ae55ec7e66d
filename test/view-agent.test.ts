// An agent prompt's traces in a real Chromium (the self-contained report): tool calls as cards
// with their arguments as indented JSON, results folded to one line (unfolded from the keyboard),
// error results marked, user turns set apart, thinking labelled, each run's reward, tool calls and
// failed checks in its header, and a run's text as the same cards. On the simulated agent set
// (with named checks added) and on the τ-bench airline fixture (skipped without it). Skipped
// without Chromium and playwright-core (scripts/setup-code-server.sh installs both).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { analyzeRecords, analyzeTraceSet, type Analysis } from "../src/core";
import { importFiles } from "../src/import";
import { writeReportHtml } from "../src/report/html";
import { simulateAgentSet } from "../src/sampling/agent";
import { promptModel } from "../webview/model";
import { jsonLines, jsonPaths, markLines, parseCall } from "../webview/trajectory";
import { cacheDir, CHROMIUM, CHROMIUM_ARGS, loadPlaywright } from "./e2e/harness";
import { sharedFixture, skipWithout } from "./support/fixtures";

const SKIP = !existsSync(CHROMIUM) || !existsSync(join(cacheDir(), "node_modules", "playwright-core")) ? "no Chromium or playwright-core (run scripts/setup-code-server.sh)" : false;
const FIXTURE = sharedFixture("tau-airline-gpt4o", "results.json");

interface Page {
  goto(url: string): Promise<unknown>;
  waitForFunction(f: string, arg?: unknown, o?: { timeout: number }): Promise<unknown>;
  evaluate<T>(f: string): Promise<T>;
  click(selector: string): Promise<void>;
  focus(selector: string): Promise<void>;
  keyboard: { press(key: string): Promise<void> };
  on(event: "pageerror", f: (e: Error) => void): void;
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

/** Opens an analysis as the self-contained report at 1400 × 1000 (its first prompt shown). */
async function open(analysis: Analysis, name: string): Promise<{ page: Page; errors: string[] }> {
  const file = join(dir, `${name}.html`);
  writeReportHtml(file, analysis);
  const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction("document.body.dataset.rendered === '1'", undefined, { timeout: 30_000 });
  return { page, errors };
}

/** What the traces table shows, read in the page. */
interface TracesFacts {
  headers: { reward: string | null; meta: string | null; label: string; title: string }[];
  calls: { name: string; args: string }[];
  results: { open: boolean; err: boolean; badge: string | null; oneLine: boolean; head: string; len: string }[];
  users: { label: string; text: string }[];
  thinking: { label: string; muted: boolean; italic: boolean }[];
  plainCells: number;
}

const READ_TRACES = `(() => {
  const q = (el, s) => el.querySelector(s);
  const tds = [...document.querySelectorAll("table.traces tbody td[data-pos]")].filter((td) => !td.classList.contains("gap"));
  const lineH = parseFloat(getComputedStyle(document.querySelector("table.traces")).lineHeight) || 18;
  return {
    headers: [...document.querySelectorAll("table.traces thead .run-btn")].map((b) => ({
      reward: q(b, ".run-reward")?.textContent ?? null,
      meta: q(b, ".run-meta")?.textContent ?? null,
      label: b.getAttribute("aria-label"),
      title: b.title,
    })),
    calls: [...document.querySelectorAll("table.traces .tc-card")].map((c) => ({ name: q(c, ".tc-name").textContent, args: q(c, ".tc-args").innerText })),
    results: [...document.querySelectorAll("table.traces details.tr-fold")].map((d) => {
      const s = q(d, "summary");
      return {
        open: d.open,
        err: d.classList.contains("err"),
        badge: q(s, ".tr-badge")?.textContent ?? null,
        oneLine: s.getBoundingClientRect().height < lineH * 1.6,
        head: q(s, ".tr-head").textContent,
        len: q(s, ".tr-len").textContent,
      };
    }),
    users: [...document.querySelectorAll("table.traces .k-user")].map((u) => ({ label: q(u, ".k-label").textContent, text: u.textContent })),
    thinking: [...document.querySelectorAll("table.traces .k-reasoning")].map((r) => {
      const cs = getComputedStyle(r);
      return { label: q(r, ".k-label").textContent, muted: cs.color !== getComputedStyle(document.body).color, italic: cs.fontStyle === "italic" };
    }),
    plainCells: tds.filter((td) => !td.classList.contains("card")).length,
  };
})()`;

/** The simulated agent set, each run given five named checks (two of them failing on some runs). */
function simulatedWithChecks(): Analysis {
  const records = simulateAgentSet(8);
  for (const r of records)
    r.samples.forEach((s, i) => {
      s.outcomes = { db_match: s.reward === 1 ? 1 : 0, confirmed_first: i % 3 === 0 ? 0 : 1, refund_ok: 1, polite: 1, no_extra_writes: i % 4 === 1 ? 0 : 1 };
    });
  return analyzeRecords(records);
}

test("an agent prompt's traces: call cards with indented arguments, folded results with errors marked, user turns, thinking, each run's outcome", { skip: SKIP }, async () => {
  const analysis = simulatedWithChecks();
  const p = analysis.prompts[0]!;
  const { page, errors } = await open(analysis, "agent");
  try {
    const t = await page.evaluate<TracesFacts>(READ_TRACES);
    const steps = p.runs.flatMap((r) => r.steps);
    const count = (k: string) => steps.filter((s) => s.kind === k).length;

    // every step is a card of its kind; no cell is plain text
    assert.equal(t.plainCells, 0);
    assert.equal(t.calls.length, count("tool_call"));
    assert.equal(t.results.length, count("tool_result"));
    assert.equal(t.users.length, count("user"));
    assert.equal(t.thinking.length, count("reasoning"));

    // a call: its tool's name, its arguments as JSON.stringify(…, null, 2) writes them
    const first = p.runs[0]!.steps.find((s) => s.kind === "tool_call")!;
    const args = JSON.parse(first.text.slice(first.name!.length + 1, -1)) as unknown;
    assert.ok(
      t.calls.some((c) => c.name === first.name && c.args === JSON.stringify(args, null, 2)),
      `a card ${first.name} with ${JSON.stringify(args, null, 2)}; saw ${JSON.stringify(t.calls.slice(0, 3))}`,
    );
    assert.ok(t.calls.every((c) => c.args.startsWith("{\n  ") || c.args === "{}"), "arguments indented by two spaces");

    // results: all folded, each on one line, with its length; the errors marked
    assert.ok(t.results.every((r) => !r.open && r.oneLine), JSON.stringify(t.results.filter((r) => r.open || !r.oneLine)));
    const errorSteps = steps.filter((s) => s.error).length;
    assert.ok(errorSteps > 0, "the simulated set has error results");
    assert.equal(t.results.filter((r) => r.err).length, errorSteps);
    assert.ok(t.results.filter((r) => r.err).every((r) => r.badge === "✖ error" && r.head.startsWith("Error:")));
    assert.ok(t.results.filter((r) => !r.err).every((r) => r.badge === null), "only errors carry a badge");
    assert.ok(t.results.every((r) => /^[\d,]+ chars?$/.test(r.len)));

    // user turns and thinking labelled
    assert.ok(t.users.every((u) => u.label === "user"));
    assert.ok(t.thinking.every((r) => r.label === "thinking" && r.muted && r.italic));

    // each run's header: its reward, its tool calls, its failed checks (named in the title and the label)
    assert.equal(t.headers.length, p.runs.length);
    p.runs.forEach((run, k) => {
      const hd = t.headers[k]!;
      const failed = Object.keys(run.outcomes!).filter((c) => run.outcomes![c] !== 1);
      assert.equal(hd.reward, `reward ${run.reward}`);
      assert.equal(hd.meta, `${run.toolCalls} call${run.toolCalls === 1 ? "" : "s"} · ${failed.length ? `✗ ${failed.length} of 5 checks` : "✓ 5 checks"}`);
      for (const text of [hd.title, hd.label]) {
        assert.ok(text.includes(`${run.toolCalls} tool call`), text);
        assert.ok(failed.length ? text.includes(`failed ${failed.length} of 5 checks: ${failed.join(", ")}`) : text.includes("all 5 checks passed"), text);
      }
    });

    // a result unfolds from the keyboard: JSON pretty-printed
    const jsonAt = t.results.findIndex((r) => !r.err && r.head.startsWith("{"));
    assert.ok(jsonAt >= 0);
    await page.evaluate(`document.querySelectorAll("table.traces details.tr-fold")[${jsonAt}].querySelector("summary").focus()`);
    await page.keyboard.press("Enter");
    const body = await page.evaluate<{ open: boolean; text: string }>(
      `(() => { const d = document.querySelectorAll("table.traces details.tr-fold")[${jsonAt}]; return { open: d.open, text: d.querySelector(".tr-body")?.innerText ?? "" }; })()`,
    );
    assert.equal(body.open, true);
    assert.match(body.text, /^\{\n {2}"/);

    // a run's text: the same cards, in order
    await page.click("table.traces thead th.run-h");
    const detail = await page.evaluate<{ steps: number; calls: number; results: number; heading: string; rerun: number; loose: number }>(`(() => {
      const d = document.querySelector(".run-detail");
      return { steps: d.querySelectorAll(".run-cards > .run-step").length, calls: d.querySelectorAll(".run-cards .tc-card").length, results: d.querySelectorAll(".run-cards details.tr-fold").length, heading: d.querySelector(".run-detail-head").textContent, rerun: document.querySelectorAll(".rerun-from").length, loose: [...d.querySelectorAll(".run-cards > .run-step")].filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== "")).length };
    })()`);
    // the report has no host to run anything: no "Rerun from here"
    assert.equal(detail.rerun, 0);
    // each step is its card and nothing else (no step's text set again beside it)
    assert.equal(detail.loose, 0);
    const run0 = p.runs[0]!;
    assert.equal(detail.steps, run0.steps.length);
    assert.equal(detail.calls, run0.toolCalls);
    assert.equal(detail.results, run0.steps.filter((s) => s.kind === "tool_result").length);
    assert.match(detail.heading, new RegExp(`reward ${run0.reward}`));
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test("a plain prompt's traces stay plain text: no cards, the answer in the run header", { skip: SKIP }, async () => {
  const a = analyzeTraceSet(readFileSync(join(__dirname, "..", "examples", "word-problems.jsonl"), "utf8"));
  const { page } = await open(a, "plain");
  try {
    const t = await page.evaluate<TracesFacts>(READ_TRACES);
    assert.equal(t.calls.length + t.results.length + t.users.length + t.thinking.length, 0);
    assert.ok(t.plainCells > 0);
    assert.ok(t.headers.every((hd) => hd.reward === null && hd.meta === null));
  } finally {
    await page.close();
  }
});

test("τ-bench airline (GPT-4o): a call outside the consensus marks the argument values that differ", { skip: SKIP || skipWithout(FIXTURE) }, async () => {
  const records = importFiles([{ path: FIXTURE!, bytes: new Uint8Array(readFileSync(FIXTURE!)) }]).prompts;
  const a = analyzeTraceSet(records.map((r) => JSON.stringify(r)).join("\n"));
  const p = a.prompts[0]!;
  const { page, errors } = await open(a, "tau");
  try {
    const marked = await page.evaluate<{ col: number; pos: number; name: string; df: string[]; grp: string }[]>(`[...document.querySelectorAll("table.traces td.alt .tc-card")].map((c) => {
      const td = c.closest("td");
      return { col: Number(td.parentElement.dataset.col), pos: Number(td.dataset.pos), name: c.querySelector(".tc-name").textContent, df: [...c.querySelectorAll(".tc-args .df")].map((x) => x.textContent), grp: td.querySelector(".grp")?.textContent ?? "" };
    })`);
    assert.ok(marked.length > 0, "some calls are outside the consensus");
    assert.ok(marked.every((m) => /^g\d+$/.test(m.grp)), "each keeps its group tag");
    const withDf = marked.filter((x) => x.df.length);
    assert.ok(withDf.length > 0, "some differ in their arguments");
    // what is highlighted is what the consensus call has otherwise: the values that differ, the entries it lacks
    const m = promptModel(p);
    for (const x of withDf) {
      const run = p.runs[x.pos]!;
      const cell = p.columns[x.col]!.cells.find((c) => c.run === run.index)!;
      const call = parseCall(run.steps[cell.step!]!.text);
      const base = parseCall(m.consensus[x.col]!);
      const lines = jsonLines(call.value);
      const marks = markLines(lines, jsonPaths(base.value));
      const expected = lines.flatMap((l, i) => (marks[i] === "changed" ? [l.value] : marks[i] === "added" ? [l.key + l.value] : []));
      assert.deepEqual(x.df, expected, `column ${x.col}, run ${run.index}`);
    }
    // one by hand: task 0, column 21, run 1 books with other payment amounts and another certificate
    const booked = withDf.find((x) => x.col === 21 && p.runs[x.pos]!.index === 1);
    assert.equal(booked?.name, "book_reservation");
    assert.deepEqual(booked?.df, ["100", '"certificate_4856383"', "155"]);
    // the results of the first task (every row unfolded): one line each; its error results marked
    await page.click('.runbar button[data-fk="fold"][aria-pressed="true"]');
    await page.waitForFunction(`document.querySelector("table.traces").dataset.folds === "0"`);
    const t = await page.evaluate<TracesFacts>(READ_TRACES);
    const errorSteps = p.runs.flatMap((r) => r.steps).filter((s) => s.error).length;
    assert.equal(t.results.filter((r) => r.err).length, errorSteps);
    assert.ok(t.results.every((r) => r.oneLine));
    assert.ok(t.users.length > 0);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
