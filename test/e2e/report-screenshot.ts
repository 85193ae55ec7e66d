// Renders HTML reports and looks at them in a real Chromium: time to first render, console
// errors, CSP violations, network requests (there must be none besides the file itself), and
// screenshots in the light default and with VS Code's dark theme variables injected.
//
//   node --import tsx test/e2e/report-screenshot.ts [--out DIR] [--html-only] [--no-build] [FILE.analysis.json …]
//
// Without files it renders the three samples: the word problems (examples/), the Game-of-24
// set (../shared/fixtures, 50 prompts × 100 runs) and a fabricated optimizer-benchmark prompt.
// It needs Chromium (`apt-get install -y chromium`) and playwright-core, which is not a project
// dependency: install it outside the repository (`mkdir -p /tmp/pw && cd /tmp/pw && npm init -y
// && npm install playwright-core`) or point PLAYWRIGHT_CORE at it. Exit status 1 when a page
// logged an error, broke its CSP, made a request or rendered nothing.
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
const files = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--out");

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

/** A deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
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

// ---------------------------------------------------------------------------------------------
// The browser

// The browser globals that the page functions below use (this file is type-checked as Node code,
// without the DOM library; these declarations are local to the module).
interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}
interface CspEvent {
  violatedDirective: string;
  blockedURI: string;
  sourceFile: string;
  lineNumber: number;
  sample: string;
}
declare const window: {
  hotmess?: { app: { select(i: number): void; largest(): number }; bootMs: number; renderMs: number; firstPaintMs: number };
  __csp: string[];
  scrollTo(x: number, y: number): void;
};
declare const document: {
  querySelector(sel: string): { getBoundingClientRect(): Box; scrollIntoView(): void } | null;
  querySelectorAll(sel: string): { length: number };
  addEventListener(type: "securitypolicyviolation", f: (e: CspEvent) => void): void;
  documentElement: { style: { setProperty(k: string, v: string): void } };
  body: { classList: { add(c: string): void }; innerText: string };
};
declare const requestAnimationFrame: (f: () => void) => number;

/** VS Code's Dark Modern theme, as the variables a webview receives. */
const VSCODE_DARK: Record<string, string> = {
  "--vscode-editor-background": "#1f1f1f",
  "--vscode-editor-foreground": "#cccccc",
  "--vscode-descriptionForeground": "#9d9d9d",
  "--vscode-panel-border": "#2b2b2b",
  "--vscode-sideBar-background": "#181818",
  "--vscode-list-hoverBackground": "#2a2d2e",
  "--vscode-list-activeSelectionBackground": "#04395e",
  "--vscode-list-activeSelectionForeground": "#ffffff",
  "--vscode-focusBorder": "#0078d4",
  "--vscode-textLink-foreground": "#4daafc",
  "--vscode-input-background": "#313131",
  "--vscode-input-foreground": "#cccccc",
  "--vscode-input-border": "#3c3c3c",
  "--vscode-button-secondaryBackground": "#313131",
  "--vscode-button-secondaryForeground": "#cccccc",
  "--vscode-editorWarning-foreground": "#cca700",
  "--vscode-charts-red": "#f14c4c",
  "--vscode-charts-green": "#89d185",
  "--vscode-charts-blue": "#3794ff",
  "--vscode-charts-orange": "#d18616",
  "--vscode-charts-yellow": "#cca700",
  "--vscode-charts-purple": "#b180d7",
  "--vscode-font-family": 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  "--vscode-font-size": "13px",
  "--vscode-editor-font-family": '"DejaVu Sans Mono", monospace',
};

interface PageReport {
  name: string;
  file: string;
  bytes: number;
  timings: { bootMs: number; renderMs: number; firstPaintMs: number } | null;
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
  on(event: "console", f: (m: { type(): string; text(): string }) => void): void;
  on(event: "pageerror", f: (e: Error) => void): void;
  on(event: "request", f: (r: { url(): string }) => void): void;
  on(event: "dialog", f: (d: { message(): string; dismiss(): Promise<void> }) => void): void;
  goto(url: string, o: { waitUntil: "load" }): Promise<unknown>;
  waitForSelector(sel: string, o: { timeout: number }): Promise<unknown>;
  waitForTimeout(ms: number): Promise<void>;
  evaluate<R, A = undefined>(f: (arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  screenshot(o: { path: string; fullPage: boolean }): Promise<unknown>;
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
  }
  const pages: { name: string; file: string }[] = [];
  for (const s of samples) {
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
        switchMs: [],
        consoleErrors: [],
        cspViolations: [],
        requests: [],
        dialogs: [],
        screenshots: [],
      };
      await page.addInitScript(() => {
        window.__csp = [];
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
      await page.waitForTimeout(150);
      const shot = async (suffix: string, fullPage = true) => {
        const p = join(outDir, `${name}-${suffix}.png`);
        await page.screenshot({ path: p, fullPage });
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

      // VS Code's dark theme: the variables on <html> and the class on <body>, as VS Code sets them.
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
    if (r.switchMs.length) console.log(`  prompt switch: median ${median(r.switchMs).toFixed(0)} ms, max ${Math.max(...r.switchMs).toFixed(0)} ms over ${r.switchMs.length}`);
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
