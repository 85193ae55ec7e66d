// Renders HTML reports and looks at them in a real Chromium: time to first render, console
// errors, CSP violations, network requests (there must be none besides the file itself), and
// screenshots in the light default and with VS Code's dark theme variables injected.
//
//   node --import tsx test/e2e/report-screenshot.ts [--out DIR] [--html-only] [--no-build] [--only NAME,…] [FILE.analysis.json …]
//
// Without files it renders the samples: the word problems (examples/), the Game-of-24 set
// (../shared/fixtures, 50 prompts × 100 runs), a fabricated optimizer-benchmark prompt, a
// hostile document, and a synthetic 100 runs × 60 aligned steps prompt with thinking and replies
// ("long"), on which it also measures the first render, the frame times of a scroll through the
// traces, and what a live run's stream of documents does to the scroll position, the selection
// and the open run. Besides the light and dark screenshots it saves a filtered view (one answer
// class), a folded stretch, a close-up of the word diff, a run's thinking and reply, and the
// heatmap's keyboard cursor.
// It needs Chromium (`apt-get install -y chromium`) and playwright-core, which is not a project
// dependency: install it outside the repository (`mkdir -p /tmp/pw && cd /tmp/pw && npm init -y
// && npm install playwright-core`) or point PLAYWRIGHT_CORE at it. Exit status 1 when a page
// logged an error, broke its CSP, made a request or rendered nothing.
import { VSCODE_DARK } from "../support/vscode-theme";
import { mulberry32 } from "../../src/core/bootstrap";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { analyzeRecords, analyzeTraceSet } from "../../src/core/analyze";
import type { Analysis, OptimizerAnalysis, OptimizerSpec, OptimizerStep, PromptRecord } from "../../src/core/types";
import { loadReportAssets, writeReportHtml } from "../../src/report/html";

const root = resolve(__dirname, "..", "..");
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const outIdx = args.indexOf("--out");
const outDir = resolve(outIdx >= 0 ? args[outIdx + 1]! : "/tmp/hotmess-report");
const onlyIdx = args.indexOf("--only");
/** --only NAME[,NAME…]: render only these samples (word-problems, game24, optimizer, hostile, long). */
const only = onlyIdx >= 0 ? new Set(args[onlyIdx + 1]!.split(",")) : null;
const files = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--out" && args[i - 1] !== "--only");

// ---------------------------------------------------------------------------------------------
// Samples

function wordProblems(): Analysis {
  return analyzeTraceSet(readFileSync(join(root, "examples", "word-problems.jsonl"), "utf8"));
}

function game24(): Analysis | null {
  const fixture = join(root, "..", "shared", "fixtures", "game24-gpt4-cot", "traces.jsonl");
  if (existsSync(fixture)) return analyzeTraceSet(readFileSync(fixture, "utf8"));
  const sample = "/tmp/hm-samples/game24.analysis.json";
  return existsSync(sample) ? (JSON.parse(readFileSync(sample, "utf8")) as Analysis) : null;
}

/** Model text that tries to break out of the page: it must show as text and run nothing. */
export const HOSTILE = `</script><script>alert(1)</script><img src=x onerror="alert(2)"><!-- <b>bold</b> & \u2028`;

function hostile(): Analysis {
  const a = analyzeRecords([
    {
      id: "hostile </script><script>alert(3)</script>",
      prompt: `What is 2 + 2? ${HOSTILE}`,
      model: `<b>model</b></script>`,
      reference: 4,
      samples: [
        { text: `2 + 2 = 4\n${HOSTILE}\nAnswer: 4` },
        { text: `2 + 2 = 4\nAnswer: 4` },
        { text: `2 + 2 = 5\n${HOSTILE}\nAnswer: <script>alert(4)</script>`, answer: "<script>alert(4)</script>" },
      ],
    },
  ]);
  return a;
}

/** A deterministic generator: the project's own (mulberry32). */
const rng = mulberry32;
function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
}

/**
 * A fabricated optimizer-benchmark prompt (K = 10, 16 runs), until the benchmark writes real
 * ones: gradient descent on a 3-d quadratic; each run copies the true iterate with an error
 * that grows with k, a third of the runs share a systematic slip (a wrong step factor), and a
 * few runs lose the format and stop reporting. The figures follow METRICS.md §10; the traces
 * go through the real analysis, so the heatmap and traces are real too.
 */
export function optimizerSample(): Analysis {
  const K = 10;
  const n = 16;
  const d = 3;
  const spec: OptimizerSpec = {
    kind: "optimizer",
    d,
    kappa: 10,
    conditionNumber: 9.87,
    A: [
      [4.1, 0.6, -0.3],
      [0.6, 1.9, 0.2],
      [-0.3, 0.2, 0.45],
    ],
    b: [1, -2, 0.5],
    x0: [0, 0, 0],
    rule: "gd",
    eta: 0.2,
    K,
    decimals: 3,
    seed: 7,
    difficulty: "medium",
  };
  const mv = (A: number[][], x: number[]) => A.map((row) => row.reduce((s, a, j) => s + a * x[j]!, 0));
  const stepGd = (A: number[][], x: number[], eta: number) => {
    const g = mv(A, x.map((v, i) => v - spec.b[i]!));
    return x.map((v, i) => v - eta * g[i]!);
  };
  const trajectory = [spec.x0];
  for (let k = 1; k <= K; k++) trajectory.push(stepGd(spec.A, trajectory[k - 1]!, spec.eta!));
  // Every run misreads the coupling term a little (the shared, systematic error: bias); each
  // also adds its own rounding slips, which compound with k (variance); a quarter overshoot
  // from step 5 on; four lose the format and stop reporting.
  const misread = spec.A.map((row, i) => row.map((a, j) => (i + j === 1 ? 0.35 : a)));
  const r = rng(11);
  const stopAt = new Map<number, number>([
    [3, 7],
    [9, 8],
    [12, 9],
    [14, 9],
  ]);
  const iterates: (number[] | null)[][] = [];
  for (let run = 0; run < n; run++) {
    const slip = run % 4 === 1;
    let x = spec.x0;
    const its: (number[] | null)[] = [];
    for (let k = 1; k <= K; k++) {
      const eta = slip && k >= 5 ? spec.eta! * 1.3 : spec.eta!;
      const noise = 0.0015 * Math.pow(1.7, k);
      x = stepGd(misread, x, eta).map((v) => Math.round((v + noise * gauss(r)) * 1000) / 1000);
      its.push(k >= (stopAt.get(run) ?? Infinity) ? null : x);
    }
    iterates.push(its);
  }
  const norm2 = (x: number[]) => x.reduce((s, v) => s + v * v, 0);
  const sub = (x: number[], y: number[]) => x.map((v, i) => v - y[i]!);
  const stats = (xs: number[][], truth: number[]) => {
    const m = xs.length;
    const mean = truth.map((_, i) => xs.reduce((s, x) => s + x[i]!, 0) / m);
    const bias2 = norm2(sub(mean, truth));
    const variance = xs.reduce((s, x) => s + norm2(sub(x, mean)), 0) / m;
    const error = bias2 + variance;
    const vu = m > 1 ? (variance * m) / (m - 1) : null;
    return {
      mean,
      bias2,
      variance,
      error,
      incoherence: error > 0 ? variance / error : null,
      varianceUnbiased: vu,
      bias2Unbiased: vu === null ? null : bias2 - (vu - variance),
      incoherenceUnbiased: vu === null || error <= 0 ? null : Math.min(1, vu / error),
    };
  };
  const q = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))]!;
  };
  const br = rng(5);
  const steps: OptimizerStep[] = [];
  for (let k = 1; k <= K; k++) {
    const truth = trajectory[k]!;
    const have = iterates.map((its, run) => ({ run, x: its[k - 1] })).filter((e): e is { run: number; x: number[] } => e.x != null);
    const missing = iterates.map((its, run) => (its[k - 1] == null ? run : -1)).filter((run) => run >= 0);
    const s = stats(
      have.map((e) => e.x),
      truth,
    );
    const boot = { inc: [] as number[], v: [] as number[], b: [] as number[] };
    for (let b = 0; b < 400; b++) {
      const xs = have.map(() => have[Math.floor(br() * have.length)]!.x);
      const t = stats(xs, truth);
      if (t.incoherenceUnbiased !== null) boot.inc.push(Math.min(1, t.varianceUnbiased! / t.error));
      if (t.varianceUnbiased !== null) boot.v.push(t.varianceUnbiased);
      if (t.bias2Unbiased !== null) boot.b.push(t.bias2Unbiased);
    }
    const ci = (xs: number[]): [number, number] | null => (xs.length ? [q(xs, 0.025), q(xs, 0.975)] : null);
    steps.push({ k, truth, reached: have.length, missing, ...s, ci95: ci(boot.inc), varianceCi95: ci(boot.v), bias2Ci95: ci(boot.b) });
  }
  const fmtV = (x: number[]) => `(${x.map((v) => v.toFixed(3)).join(", ")})`;
  const record: PromptRecord = {
    id: "optimizer-gd-d3-k10",
    model: "simulated-reasoner",
    prompt: `Minimise f(x) = ½(x − b)ᵀA(x − b) by gradient descent with learning rate ${spec.eta} from x0 = ${fmtV(spec.x0)}, for ${K} steps. Report every iterate as x_k = (…, …, …) with ${spec.decimals} decimals, then the final iterate on a line 'Answer: (…)'.`,
    reference: fmtV(trajectory[K]!),
    samples: iterates.map((its) => {
      const lines = [`Gradient: g(x) = A(x − b); step x ← x − ${spec.eta}·g(x).`];
      its.forEach((x, k) => {
        if (x) lines.push(`x_${k + 1} = ${fmtV(x)}`);
      });
      const last = [...its].reverse().find((x) => x);
      const stopped = its.some((x) => x == null);
      if (stopped) lines.push("The iterates have converged closely enough, so I stop here.");
      return { text: lines.join("\n") + `\nAnswer: ${last ? fmtV(last) : "none"}`, answer: last ? fmtV(last) : null };
    }),
  };
  const a = analyzeRecords([record], { resamples: 400 });
  const optimizer: OptimizerAnalysis = { spec, trajectory, steps, iterates };
  a.prompts[0]!.optimizer = optimizer;
  return a;
}

/**
 * A synthetic long prompt: 100 runs of a lamp shop's stock tracked over 11 weeks, about 60 steps
 * each, as thinking with a visible reply. Most runs follow the same path word for word (so long
 * stretches agree and fold); some reword a step; a third slip once in some week and carry the
 * wrong stock to the end (the word diff shows the numbers that differ); a few skip or insert a
 * step. `runs` takes the first k runs only (a live run that has not finished).
 */
export function longRecord(runs = 100, weeks = 11): PromptRecord {
  const r = rng(42);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const sells = [14, 9, 17, 11, 8, 15, 12, 10, 16, 13, 7, 18];
  const deliv = [10, 12, 8, 15, 9, 11, 14, 10, 12, 9, 13, 8];
  const samples: PromptRecord["samples"] = [];
  let truth = 0;
  for (let run = 0; run < 100; run++) {
    const slipWeek = r() < 0.35 ? 4 + Math.floor(r() * (weeks - 4)) : -1;
    const slipBy = pick([1, -1, 2, 10]);
    let stock = 40;
    const steps: string[] = [r() < 0.06 ? "I will go through the weeks one at a time." : "Let me track the shop week by week."];
    for (let w = 0; w < weeks; w++) {
      const s = sells[w]!;
      const d = deliv[w]!;
      let left = stock - s;
      if (w === slipWeek) left += slipBy;
      const after = left + d;
      steps.push(`Week ${w + 1}: the shop starts with ${stock} lamps.`);
      steps.push(r() < 0.08 ? `It sells ${s} of them: ${stock} - ${s} = ${left}.` : `It sells ${s} lamps, so ${stock} - ${s} = ${left} remain.`);
      if (!(w > 2 && r() < 0.04)) steps.push(r() < 0.1 ? `Restocking adds ${d}: ${left} + ${d} = ${after}.` : `A delivery brings ${d} more, so ${left} + ${d} = ${after} lamps.`);
      steps.push(`Income this week is ${s} * 3 = ${s * 3} dollars, less 5 for rent.`);
      if (w > 3 && r() < 0.05) steps.push(pick([`Wait, let me double-check that: ${left} + ${d} is ${after}, yes.`, `Hmm, is the rent charged every week? Yes, 5 dollars.`]));
      stock = after;
    }
    steps.push(`So after ${weeks} weeks the shop has ${stock} lamps left.`);
    if (run === 0) truth = stock;
    samples.push({ thinking: steps.join("\n"), text: `After ${weeks} weeks the shop has **${stock} lamps** left.\n\nAnswer: ${stock}`, answer: stock });
  }
  return {
    id: "lamp-shop-11-weeks",
    model: "synthetic",
    prompt: "A lamp shop starts with 40 lamps. Each week it sells some lamps and receives a delivery (the table below). How many lamps does it have after 11 weeks?",
    reference: truth,
    samples: samples.slice(0, runs),
  };
}

export function longSample(runs = 100): Analysis {
  return analyzeRecords([longRecord(runs)], { resamples: 200 });
}

// ---------------------------------------------------------------------------------------------
// The browser

// The browser globals that the page functions below use (this file is type-checked as Node code,
// without the DOM library; these declarations are local to the module).
interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
  bottom: number;
}
interface CspEvent {
  violatedDirective: string;
  blockedURI: string;
  sourceFile: string;
  lineNumber: number;
  sample: string;
}
interface El {
  getBoundingClientRect(): Box;
  scrollIntoView(o?: { block?: string }): void;
  scrollTop: number;
  scrollLeft: number;
  scrollHeight: number;
  clientHeight: number;
  offsetTop: number;
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  hidden: boolean;
  className: string;
  closest(sel: string): El | null;
  querySelector(sel: string): El | null;
  querySelectorAll(sel: string): ArrayLike<El>;
  click(): void;
  focus(): void;
}
declare const window: {
  hotmess?: { app: { select(i: number): void; largest(): number }; bootMs: number; renderMs: number; firstPaintMs: number };
  __csp: string[];
  __longtasks: number[];
  /** tsx (esbuild, keepNames) wraps named functions in __name(): the page functions need it too. */
  __name?: (f: unknown) => unknown;
  scrollTo(x: number, y: number): void;
  scrollY: number;
  postMessage(m: unknown, origin: string): void;
};
declare const document: {
  querySelector(sel: string): El | null;
  querySelectorAll(sel: string): ArrayLike<El>;
  addEventListener(type: "securitypolicyviolation", f: (e: CspEvent) => void): void;
  documentElement: { style: { setProperty(k: string, v: string): void } };
  body: { classList: { add(c: string): void }; innerText: string };
  activeElement: El | null;
};
declare const requestAnimationFrame: (f: (t: number) => void) => number;
declare const PerformanceObserver: new (f: (list: { getEntries(): { duration: number }[] }) => void) => { observe(o: { type: string; buffered?: boolean }): void };



interface ScrollReport {
  label: string;
  frames: number;
  px: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  over16: number;
  over33: number;
  longTasks: number[];
  rowsInDocument: number;
  /** Frames over 17.5 ms: at which scroll offset, how long. */
  slow: string[];
}

interface StreamReport {
  docs: number;
  renderMs: number[];
  scrollTopDrift: number[];
  pageDrift: number[];
  selectionKept: boolean;
  openRunKept: boolean;
}

interface PageReport {
  name: string;
  file: string;
  bytes: number;
  timings: { bootMs: number; renderMs: number; firstPaintMs: number } | null;
  measures: Record<string, number>;
  scroll: ScrollReport[];
  stream: StreamReport | null;
  checks: string[];
  switchMs: number[];
  consoleErrors: string[];
  cspViolations: string[];
  requests: string[];
  dialogs: string[];
  screenshots: string[];
}

// The few playwright-core calls used here (it is not a dependency, so not in the type check).
interface PwPage {
  addInitScript(f: () => void): Promise<void>;
  keyboard: { press(key: string): Promise<void> };
  focus(sel: string): Promise<void>;
  on(event: "console", f: (m: { type(): string; text(): string }) => void): void;
  on(event: "pageerror", f: (e: Error) => void): void;
  on(event: "request", f: (r: { url(): string }) => void): void;
  on(event: "dialog", f: (d: { message(): string; dismiss(): Promise<void> }) => void): void;
  goto(url: string, o: { waitUntil: "load" }): Promise<unknown>;
  waitForSelector(sel: string, o: { timeout: number }): Promise<unknown>;
  waitForTimeout(ms: number): Promise<void>;
  evaluate<R, A = undefined>(f: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  screenshot(o: { path: string; fullPage?: boolean; clip?: Box }): Promise<unknown>;
  click(sel: string): Promise<void>;
  setViewportSize(size: { width: number; height: number }): Promise<void>;
  mouse: { move(x: number, y: number): Promise<void>; click(x: number, y: number): Promise<void> };
}
interface PwContext {
  newPage(): Promise<PwPage>;
  close(): Promise<void>;
}
interface PwBrowser {
  newContext(o: { viewport: { width: number; height: number }; deviceScaleFactor: number }): Promise<PwContext>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: { launch(o: { executablePath: string; args: string[] }): Promise<PwBrowser> };
}

function loadPlaywright(): Playwright {
  const places = [process.env.PLAYWRIGHT_CORE, "/tmp/pw/node_modules/playwright-core", "playwright-core"].filter((p): p is string => !!p);
  const req = createRequire(__filename);
  for (const p of places) {
    try {
      return req(p) as Playwright;
    } catch {
      // next
    }
  }
  throw new Error("playwright-core not found: mkdir -p /tmp/pw && cd /tmp/pw && npm init -y && npm install playwright-core (or set PLAYWRIGHT_CORE)");
}

type Shot = (suffix: string, fullPage?: boolean) => Promise<void>;
type Clip = (suffix: string, box: Box) => Promise<void>;
const pause = (page: PwPage, ms = 150) => page.waitForTimeout(ms);

/** A box around an element's, widened and clamped to the viewport (1280 × 900). */
function around(b: Box, dx: number, dy: number, maxW = 1240, maxH = 880): Box {
  const x = Math.max(0, b.left - dx);
  const y = Math.max(0, b.top - dy);
  return { left: x, top: y, width: Math.min(maxW, b.width + 2 * dx, 1280 - x), height: Math.min(maxH, b.height + 2 * dy, 900 - y) } as Box;
}
const clipBox = (b: Box) => ({ x: b.left, y: b.top, width: b.width, height: b.height }) as unknown as Box;

/**
 * The filter chips, the folded stretches, the word diff, a run's thinking and reply, the heatmap's
 * keyboard cursor; and on the long sample the scroll-through frame times and a live stream.
 */
async function newFeatures(page: PwPage, name: string, rep: PageReport, shot: Shot, clip: Clip): Promise<void> {
  const fail = (what: string) => rep.consoleErrors.push(`${name}: ${what}`);
  if (!(await page.evaluate(() => !!document.querySelector(".heatmap canvas")))) return;

  // Filter: the first wrong class (else the first class), from the chip row.
  const filtered = await page.evaluate(() => {
    const chips = Array.from(document.querySelectorAll(".chips .chip[class*='cls-']") as ArrayLike<El>);
    const chip = chips.find((c) => !c.className.includes("cls-ref")) ?? chips[0];
    if (!chip) return null;
    const count = Number(chip.querySelector(".chip-count")?.textContent ?? "0");
    chip.click();
    return { count, label: chip.querySelector(".chip-label")?.textContent ?? "" };
  });
  if (filtered) {
    await pause(page);
    const after = await page.evaluate(() => ({
      heads: document.querySelectorAll("table.traces thead th.run-h").length,
      pressed: document.querySelectorAll(".chip[aria-pressed='true'], .class-row[aria-pressed='true']").length,
    }));
    if (after.heads !== filtered.count) fail(`filter ${filtered.label}: ${after.heads} runs in the traces, expected ${filtered.count}`);
    else rep.checks.push(`filter on answer ${filtered.label}: ${after.heads} runs in the heatmap and traces; chip and header bar pressed (${after.pressed})`);
    await page.evaluate(() => document.querySelector(".runbar")?.scrollIntoView({ block: "start" }));
    await pause(page);
    await shot("filtered", false);
    await page.evaluate(() => document.querySelector(".chips .chip:not([class*='cls-'])")?.click());
    await pause(page);
  }

  // A folded stretch, in the middle of the traces; then unfold and fold it again.
  const fold = await page.evaluate(() => {
    const tr = document.querySelector("table.traces tr.fold");
    const sc = document.querySelector(".traces-scroll");
    if (!tr || !sc) return null;
    document.querySelector("[data-anchor='traces']")?.scrollIntoView({ block: "start" });
    sc.scrollTop = Math.max(0, tr.offsetTop - 140);
    // (counted by the table: with virtualisation only the rows in view are in the document)
    return { from: tr.dataset.from, to: tr.dataset.to, folds: Number(document.querySelector("table.traces")!.dataset.folds) };
  });
  if (fold) {
    await pause(page, 250);
    const box = await page.evaluate(() => document.querySelector(".traces-scroll")!.getBoundingClientRect());
    await clip("folded", clipBox(around(box, 8, 36)));
    await page.evaluate(() => document.querySelector("table.traces tr.fold button.fold-btn")?.click());
    await pause(page);
    const open = await page.evaluate(() => ({ refold: document.querySelectorAll("table.traces button.refold").length, folds: Number(document.querySelector("table.traces")!.dataset.folds) }));
    await page.evaluate(() => document.querySelector("table.traces button.refold")?.click());
    await pause(page);
    const again = await page.evaluate(() => Number(document.querySelector("table.traces")!.dataset.folds));
    if (open.refold < 1 || open.folds !== fold.folds - 1 || again !== fold.folds) fail(`folding: ${JSON.stringify({ fold, open, again })}`);
    else rep.checks.push(`${fold.folds} folded stretches (first: columns ${fold.from}–${fold.to}); one unfolds on click and folds back`);
  }

  // The word diff: the first highlighted cell, close up.
  const diff = await page.evaluate(() => {
    const sc = document.querySelector(".traces-scroll");
    const cells = Array.from(document.querySelectorAll("table.traces td") as ArrayLike<El>).filter((td) => td.querySelector(".df"));
    const td = cells.find((c) => (c.textContent ?? "").length > 30) ?? cells[0];
    if (!sc || !td) return null;
    document.querySelector("[data-anchor='traces']")?.scrollIntoView({ block: "start" });
    const tr = td.closest("tr")!;
    sc.scrollTop = Math.max(0, tr.offsetTop - 90);
    sc.scrollLeft = Math.max(0, (td as unknown as { offsetLeft: number }).offsetLeft - 380);
    return { col: tr.dataset.col, marked: td.querySelectorAll(".df").length };
  });
  if (diff) {
    await pause(page, 250);
    const box = await page.evaluate(() => {
      const sc = document.querySelector(".traces-scroll")!.getBoundingClientRect();
      return { left: sc.left, top: sc.top, width: Math.min(sc.width, 1000), height: Math.min(sc.height, 330) } as Box;
    });
    await clip("diff", clipBox(box));
    rep.checks.push(`word diff: column ${diff.col} has cells with ${diff.marked} highlighted stretch(es)`);
  } else if (name === "long" || name === "word-problems") fail("no word diff highlighted");

  // A run's thinking and reply (the first run with a reply, else the first run).
  const detail = await page.evaluate(() => {
    const buttons = Array.from(document.querySelectorAll("table.traces thead button.run-btn") as ArrayLike<El>);
    const b = buttons.find((x) => /thinking and reply/.test((x as unknown as { title: string }).title)) ?? buttons[0];
    if (!b) return null;
    // (a click on an open run's header closes it)
    if ((b as unknown as { getAttribute(a: string): string | null }).getAttribute("aria-expanded") !== "true") b.click();
    const d = document.querySelector(".run-detail");
    d?.scrollIntoView({ block: "start" });
    return { heads: Array.from((d?.querySelectorAll("h4") ?? []) as ArrayLike<El>).map((x) => x.textContent ?? "") };
  });
  if (detail) {
    await pause(page, 200);
    const box = await page.evaluate(() => document.querySelector(".run-detail")!.getBoundingClientRect());
    await clip("detail", clipBox(around(box, 4, 4)));
    rep.checks.push(`run detail: ${detail.heads.join(" + ")}`);
    if (name === "long" && detail.heads.join() !== "Thinking,Reply") fail(`the run detail shows ${detail.heads.join(", ")}, not the thinking and the reply`);
    await page.evaluate(() => document.querySelector(".run-detail button.close")?.click());
  }

  // The heatmap by keyboard: focus, move, Enter.
  await page.evaluate(() => document.querySelector(".heatmap")?.scrollIntoView({ block: "center" }));
  await page.focus(".heatmap canvas");
  for (const k of ["ArrowRight", "ArrowRight", "ArrowRight", "ArrowDown", "ArrowDown"]) await page.keyboard.press(k);
  await pause(page);
  const hbox = await page.evaluate(() => document.querySelector(".heatmap")!.getBoundingClientRect());
  await clip("keyboard", clipBox(around(hbox, 6, 6, 1240, 700)));
  const live = await page.evaluate(() => document.querySelector(".heatmap [aria-live]")?.textContent ?? "");
  await page.keyboard.press("Enter");
  await pause(page, 700);
  const selected = await page.evaluate(() => document.querySelector("table.traces tr.sel")?.dataset.col ?? null);
  if (!live || selected === null) fail(`keyboard: live "${live}", selected row ${selected}`);
  else rep.checks.push(`keyboard: the heatmap cursor reads "${live.slice(0, 90)}…"; Enter selects column ${selected} in the traces`);
  await page.evaluate(() => window.scrollTo(0, 0));

  if (name === "long") {
    rep.scroll.push(await scrollThrough(page, "identical steps folded"));
    // every one of the 60 rows: fold off
    await page.evaluate(() => document.querySelector(".runbar button.toggle")?.click());
    await pause(page, 400);
    rep.scroll.push(await scrollThrough(page, "all rows"));
    await page.evaluate(() => document.querySelector(".runbar button.toggle")?.click());
    await pause(page, 300);
    rep.stream = await stream(page);
    if (!rep.stream.selectionKept || !rep.stream.openRunKept) fail(`live stream: ${JSON.stringify(rep.stream)}`);
  }
}

/** Scrolls the traces from top to bottom, 40 px a frame, and times the frames. */
async function scrollThrough(page: PwPage, label: string): Promise<ScrollReport> {
  await page.evaluate(() => {
    document.querySelector("[data-anchor='traces']")?.scrollIntoView({ block: "start" });
    const sc = document.querySelector(".traces-scroll")!;
    sc.scrollTop = 0;
    sc.scrollLeft = 0;
  });
  await pause(page, 300);
  return page.evaluate(
    (label: string) =>
      new Promise<ScrollReport>((resolve) => {
        const sc = document.querySelector(".traces-scroll")!;
        window.__longtasks.length = 0;
        const deltas: number[] = [];
        const slow: string[] = [];
        let last: number | null = null;
        let px = 0;
        const frame = (t: number) => {
          if (last !== null) {
            deltas.push(t - last);
            if (t - last > 17.5) slow.push(`${(t - last).toFixed(0)} ms at ${sc.scrollTop}px`);
          }
          last = t;
          if (sc.scrollTop + sc.clientHeight >= sc.scrollHeight - 1 || deltas.length > 3000) {
            const s = [...deltas].sort((a, b) => a - b);
            resolve({
              label,
              slow,
              frames: deltas.length,
              px,
              medianMs: s[Math.floor(s.length / 2)] ?? 0,
              p95Ms: s[Math.floor(s.length * 0.95)] ?? 0,
              maxMs: s[s.length - 1] ?? 0,
              over16: deltas.filter((d) => d > 17.5).length,
              over33: deltas.filter((d) => d > 34).length,
              longTasks: [...window.__longtasks],
              rowsInDocument: document.querySelectorAll("table.traces tbody tr[data-col], table.traces tbody tr.fold").length,
            });
            return;
          }
          sc.scrollTop += 40;
          px += 40;
          requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      }),
    label,
  );
}

/**
 * A live run: documents of the same prompt with 60, 70 … 100 runs posted as the host does, every
 * 400 ms, while the reader has scrolled the traces, selected a cell and opened a run.
 */
async function stream(page: PwPage): Promise<StreamReport> {
  const docs = [60, 70, 80, 90, 100].map((k) => longSample(k));
  await page.evaluate((d: Analysis) => window.postMessage({ type: "analysis/set", analysis: d }, "*"), docs[0]!);
  await pause(page, 400);
  // Scroll the page to the traces and the traces to the middle; select a cell; open run #3.
  await page.evaluate(() => {
    document.querySelector("[data-anchor='traces']")?.scrollIntoView({ block: "start" });
    const sc = document.querySelector(".traces-scroll")!;
    sc.scrollTop = Math.round(sc.scrollHeight / 2);
  });
  await pause(page, 200);
  await page.evaluate(() => {
    const sc = document.querySelector(".traces-scroll")!;
    const top = sc.getBoundingClientRect().top + 120;
    const rows = Array.from(document.querySelectorAll("table.traces tbody tr[data-col]") as ArrayLike<El>);
    const tr = rows.find((r) => r.getBoundingClientRect().top > top) ?? rows[0]!;
    (tr.querySelectorAll("td")[2] ?? tr.querySelector("td"))?.click();
    (document.querySelectorAll("table.traces thead button.run-btn")[3] as El | undefined)?.click();
    sc.scrollTop = Math.round(sc.scrollHeight / 2);
  });
  await pause(page, 300);
  const out: StreamReport = { docs: 0, renderMs: [], scrollTopDrift: [], pageDrift: [], selectionKept: true, openRunKept: true };
  for (const d of docs.slice(1)) {
    const r = await page.evaluate(async (doc: Analysis) => {
      const sc = () => document.querySelector(".traces-scroll")!;
      // the first row under the sticky header, and where it is on screen
      const probe = () => {
        const s = sc();
        // the sticky header cells (not the thead, which scrolls away)
        const head = s.querySelector("thead th.corner")!.getBoundingClientRect().bottom;
        const rows = Array.from(s.querySelectorAll("tbody tr[data-col], tbody tr.fold") as ArrayLike<El>);
        const row = rows.find((x) => x.getBoundingClientRect().bottom > head + 1);
        return {
          key: row ? (row.dataset.col ?? `f${row.dataset.from}`) : null,
          y: row ? row.getBoundingClientRect().top - s.getBoundingClientRect().top : 0,
          section: document.querySelector("[data-anchor='traces']")!.getBoundingClientRect().top,
          sel: s.querySelector("tr.sel")?.dataset.col ?? null,
          open: document.querySelector(".run-detail:not([hidden]) strong")?.textContent ?? null,
        };
      };
      const before = probe();
      window.postMessage({ type: "analysis/set", analysis: doc }, "*");
      // main.ts records the render time a frame after it (window.hotmess.renderMs)
      await new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
      await new Promise((res) => setTimeout(res, 20));
      const after = probe();
      return { before, after, ms: window.hotmess?.renderMs ?? 0 };
    }, d);
    out.docs++;
    out.renderMs.push(r.ms);
    out.scrollTopDrift.push(r.before.key === r.after.key ? r.after.y - r.before.y : 9999);
    out.pageDrift.push(r.after.section - r.before.section);
    if (r.after.sel === null || r.after.sel !== r.before.sel) out.selectionKept = false;
    if (r.after.open === null || r.after.open !== r.before.open) out.openRunKept = false;
    await pause(page, 400);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};

async function main(): Promise<number> {
  if (!flag("--no-build")) {
    const b = spawnSync(process.execPath, ["esbuild.mjs"], { cwd: root, stdio: "inherit" });
    if (b.status !== 0) return 1;
  }
  mkdirSync(outDir, { recursive: true });
  const assets = loadReportAssets();
  const samples: { name: string; analysis: Analysis }[] = [];
  if (files.length) {
    for (const f of files) samples.push({ name: f.replace(/^.*\//, "").replace(/\.json$/, "").replace(/\.analysis$/, ""), analysis: JSON.parse(readFileSync(f, "utf8")) });
  } else {
    samples.push({ name: "word-problems", analysis: wordProblems() });
    const g = game24();
    if (g) samples.push({ name: "game24", analysis: g });
    else console.error("game24: no fixture (../shared/fixtures) and no /tmp/hm-samples/game24.analysis.json; skipped");
    samples.push({ name: "optimizer", analysis: optimizerSample() });
    samples.push({ name: "hostile", analysis: hostile() });
    samples.push({ name: "long", analysis: longSample() });
  }
  const pages: { name: string; file: string }[] = [];
  for (const s of samples.filter((x) => !only || only.has(x.name))) {
    const file = join(outDir, `${s.name}.html`);
    writeReportHtml(file, s.analysis, { assets });
    pages.push({ name: s.name, file });
    console.log(`wrote ${file}`);
  }
  if (flag("--html-only")) return 0;

  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const reports: PageReport[] = [];
  let failed = false;
  try {
    for (const { name, file } of pages) {
      const url = pathToFileURL(file).href;
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
      const page = await context.newPage();
      const rep: PageReport = {
        name,
        file,
        bytes: readFileSync(file).length,
        timings: null,
        measures: {},
        scroll: [],
        stream: null,
        checks: [],
        switchMs: [],
        consoleErrors: [],
        cspViolations: [],
        requests: [],
        dialogs: [],
        screenshots: [],
      };
      await page.addInitScript(() => {
        window.__name = (f: unknown) => f;
        window.__csp = [];
        window.__longtasks = [];
        try {
          new PerformanceObserver((list) => list.getEntries().forEach((e) => window.__longtasks.push(e.duration))).observe({ type: "longtask", buffered: true });
        } catch {
          // no long task timing in this browser
        }
        document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective}: ${e.blockedURI} (${e.sourceFile}:${e.lineNumber}) ${e.sample}`));
      });
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") rep.consoleErrors.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => rep.consoleErrors.push(`pageerror: ${e.message}`));
      page.on("request", (r) => {
        if (r.url() !== url) rep.requests.push(r.url());
      });
      page.on("dialog", (d) => {
        rep.dialogs.push(d.message());
        void d.dismiss();
      });
      await page.goto(url, { waitUntil: "load" });
      await page.waitForSelector("body[data-rendered='1']", { timeout: 15000 });
      rep.timings = await page.evaluate(() => {
        const t = window.hotmess!;
        return { bootMs: t.bootMs, renderMs: t.renderMs, firstPaintMs: t.firstPaintMs };
      });
      rep.measures = await page.evaluate(() => {
        const out: Record<string, number> = {};
        for (const m of performance.getEntriesByType("measure")) out[m.name] = m.duration;
        return out;
      });
      await page.waitForTimeout(150);
      const shot = async (suffix: string, fullPage = true) => {
        const p = join(outDir, `${name}-${suffix}.png`);
        await page.screenshot({ path: p, fullPage });
        rep.screenshots.push(p);
      };
      const clip = async (suffix: string, box: Box) => {
        const p = join(outDir, `${name}-${suffix}.png`);
        await page.screenshot({ path: p, clip: box });
        rep.screenshots.push(p);
      };
      await shot("light");

      // Switching prompts: the time to render each prompt (the view's main cost per click).
      const count = await page.evaluate(() => document.querySelectorAll(".prompt-item").length);
      if (count > 1) {
        rep.switchMs = await page.evaluate(async (k: number) => {
          const out: number[] = [];
          const app = window.hotmess!.app;
          for (let i = 1; i <= k; i++) {
            const t = performance.now();
            app.select(i % document.querySelectorAll(".prompt-item").length);
            await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
            out.push(performance.now() - t);
          }
          app.select(0);
          return out;
        }, Math.min(count, 20));
        await page.waitForTimeout(100);
      }

      // The largest prompt (runs × columns), when it is not the first.
      const largest = await page.evaluate(() => window.hotmess!.app.largest());
      if (largest > 0) {
        await page.evaluate((i: number) => window.hotmess!.app.select(i), largest);
        await page.waitForTimeout(200);
        await shot("largest");
        await page.evaluate(() => window.hotmess!.app.select(0));
        await page.waitForTimeout(200);
      }

      // Click a heatmap cell in the fork column (or column 1), then open the first run's text.
      const target = await page.evaluate(() => {
        const canvas = document.querySelector(".heatmap canvas");
        if (!canvas) return null;
        const r = canvas.getBoundingClientRect();
        return { x: r.left, y: r.top, w: r.width, h: r.height };
      });
      if (target) {
        // The plot area starts after the y axis and the strip; aim at the middle rows.
        await page.mouse.move(target.x + target.w * 0.45, target.y + target.h * 0.35);
        await page.waitForTimeout(100);
        await shot("hover", false);
        await page.mouse.click(target.x + target.w * 0.45, target.y + target.h * 0.35);
        await page.waitForTimeout(700);
        await page.click("table.traces thead th.run-h");
        await page.waitForTimeout(200);
        await shot("clicked", false);
      }

      // Runs grouped by answer class, then a narrow panel (a VS Code editor split).
      if (target) {
        await page.click(".seg button:last-of-type");
        await page.evaluate(() => document.querySelector(".heatmap canvas")?.scrollIntoView());
        await page.waitForTimeout(150);
        await shot("by-answer", false);
        await page.click(".seg button:first-of-type");
      }
      await page.setViewportSize({ width: 860, height: 900 });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.waitForTimeout(400);
      await shot("narrow", false);
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.waitForTimeout(400);

      // The features of the traces, where the document has them.
      await page.evaluate(() => window.scrollTo(0, 0));
      await newFeatures(page, name, rep, shot, clip);

      // VS Code's dark theme: the variables on <html> and the class on <body>, as VS Code sets them.
      await page.evaluate(() => (document.activeElement as unknown as { blur?(): void } | null)?.blur?.());
      await page.evaluate((vars: Record<string, string>) => {
        window.scrollTo(0, 0);
        for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
        document.body.classList.add("vscode-dark");
      }, VSCODE_DARK);
      await page.waitForTimeout(400);
      await shot("dark");
      rep.cspViolations = await page.evaluate(() => window.__csp);
      if (name === "hostile") {
        const shown = await page.evaluate(() => document.body.innerText.includes("</script><script>alert(1)</script>"));
        const injected = await page.evaluate(() => document.querySelectorAll("img, b, #app script").length);
        if (!shown) rep.consoleErrors.push("hostile: the hostile text is not shown as text");
        if (injected) rep.consoleErrors.push(`hostile: ${injected} elements were injected from model text`);
      }
      await context.close();
      reports.push(rep);
      if (rep.consoleErrors.length || rep.cspViolations.length || rep.requests.length || rep.dialogs.length || !rep.timings) failed = true;
    }
  } finally {
    await browser.close();
  }

  for (const r of reports) {
    const t = r.timings;
    console.log(`\n${r.name}: ${(r.bytes / 1024).toFixed(0)} KB`);
    if (t) console.log(`  first render: ${t.firstPaintMs.toFixed(0)} ms after navigation start (script ${t.bootMs.toFixed(0)} ms to boot + parse, render ${t.renderMs.toFixed(0)} ms)`);
    const ms = r.measures;
    if (ms["hm:prompt"] !== undefined)
      console.log(`  last prompt render: ${ms["hm:prompt"]!.toFixed(0)} ms (heatmap ${ms["hm:heatmap"]?.toFixed(0) ?? "?"} ms, traces ${ms["hm:traces"]?.toFixed(0) ?? "?"} ms)`);
    if (r.switchMs.length) console.log(`  prompt switch: median ${median(r.switchMs).toFixed(0)} ms, max ${Math.max(...r.switchMs).toFixed(0)} ms over ${r.switchMs.length}`);
    for (const sc of r.scroll) {
      console.log(
        `  scroll through the traces (${sc.label}): ${sc.px} px in ${sc.frames} frames; frame time median ${sc.medianMs.toFixed(1)} ms, p95 ${sc.p95Ms.toFixed(1)} ms, max ${sc.maxMs.toFixed(1)} ms; ${sc.over16} frames over 16.7 ms, ${sc.over33} over 33 ms; long tasks ${sc.longTasks.length ? sc.longTasks.map((x) => x.toFixed(0)).join(", ") + " ms" : "none"}; ${sc.rowsInDocument} rows in the document at the end${sc.slow.length ? `; slow frames: ${sc.slow.join(", ")}` : ""}`,
      );
    }
    if (r.stream) {
      const st = r.stream;
      console.log(
        `  live stream: ${st.docs} documents; re-render median ${median(st.renderMs).toFixed(0)} ms, max ${Math.max(...st.renderMs).toFixed(0)} ms; traces scroll drift max ${Math.max(...st.scrollTopDrift.map(Math.abs)).toFixed(0)} px, page drift max ${Math.max(...st.pageDrift.map(Math.abs)).toFixed(0)} px; selection ${st.selectionKept ? "kept" : "LOST"}; open run ${st.openRunKept ? "kept" : "LOST"}`,
      );
    }
    for (const c of r.checks) console.log(`  ${c}`);
    console.log(`  console errors: ${r.consoleErrors.length ? "\n    " + r.consoleErrors.join("\n    ") : "none"}`);
    console.log(`  CSP violations: ${r.cspViolations.length ? "\n    " + r.cspViolations.join("\n    ") : "none"}`);
    console.log(`  requests besides the file: ${r.requests.length ? "\n    " + r.requests.join("\n    ") : "none"}`);
    if (r.dialogs.length) console.log(`  dialogs (script ran!): ${r.dialogs.join(", ")}`);
    console.log(`  screenshots: ${r.screenshots.join(" ")}`);
  }
  return failed ? 1 : 0;
}

if (require.main === module)
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
