// A report of a large trace set (issue 13, "Speed and memory at scale"): a 50 MB set wrote a
// 270 MB page that took 3 GB to write. The page stays under 25 MB: every figure of every prompt,
// the first runs of each that fit, and a sentence of what it left out; the view loads the rest
// from the analysis JSON written with it. In Chromium when it is there (as the other view tests).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { generateTraceSet } from "../bench/generate";
import { analyzeTraceSet, type Analysis } from "../src/core";
import type { ReportDocument } from "../src/protocol/webview";
import { loadReportAssets, REPORT_LIMIT_BYTES, renderReportHtml, writeReportHtml } from "../src/report/html";
import { jsonPieces, writeFileAtomic, type JsonLayout } from "../src/report/write";
import { cutSentence } from "../webview/lazy";
import { cacheDir, CHROMIUM, CHROMIUM_ARGS, loadPlaywright } from "./e2e/harness";

const SKIP_BROWSER = !existsSync(CHROMIUM) || !existsSync(join(cacheDir(), "node_modules", "playwright-core")) ? "no Chromium or playwright-core (run scripts/setup-code-server.sh)" : false;

/** Six prompts of 1,500 generated reruns each: an analysis of about 45 MB of JSON. */
let large: Analysis;
before(() => {
  large = analyzeTraceSet(Array.from({ length: 6 }, (_, i) => generateTraceSet({ n: 1500, seed: 100 + i, id: `ducks-${i}` }).text).join(""), { resamples: 50 });
});

function embedded(html: string): ReportDocument {
  const m = html.match(/<script type="application\/json" id="hotmess-data"[^>]*>([\s\S]*?)<\/script>/);
  assert.ok(m, "the data script is present");
  return JSON.parse(m[1]!) as ReportDocument;
}

test("a report of 9,000 runs stays under 25 MB: every figure, the first K runs of each prompt with their cells, and what it left out", () => {
  const whole = Buffer.byteLength(JSON.stringify(large));
  assert.ok(whole > 40e6, `the analysis is ${(whole / 1e6).toFixed(1)} MB of JSON`);
  const html = renderReportHtml(large, loadReportAssets());
  const bytes = Buffer.byteLength(html);
  assert.ok(bytes < REPORT_LIMIT_BYTES, `the page is ${(bytes / 1e6).toFixed(1)} MB`);
  const doc = embedded(html);
  const cut = doc.report!;
  assert.ok(cut, "the document says what it left out");
  assert.ok(cut.runsPerPrompt >= 100 && cut.runsPerPrompt < 1500, `${cut.runsPerPrompt} runs per prompt`);
  assert.equal(cut.runsLeftOut, 6 * (1500 - cut.runsPerPrompt));
  assert.equal(cut.limitBytes, REPORT_LIMIT_BYTES);
  assert.equal(cut.full, null, "no analysis JSON was named");
  // not much room wasted: a few more runs a prompt would not fit
  assert.ok(bytes > 0.9 * REPORT_LIMIT_BYTES, `the page uses ${(bytes / 1e6).toFixed(1)} of 25 MB`);
  doc.prompts.forEach((p, i) => {
    const full = large.prompts[i]!;
    // the figures are those of every run
    assert.deepEqual({ ...p, runs: [], columns: [] }, { ...full, runs: [], columns: [] });
    assert.equal(p.n, 1500);
    assert.deepEqual(p.runs, full.runs.slice(0, cut.runsPerPrompt));
    assert.equal(p.columns.length, full.columns.length, "every aligned column (the fork column keeps its number)");
    p.columns.forEach((c, j) => assert.deepEqual(c.cells, full.columns[j]!.cells.slice(0, cut.runsPerPrompt)));
  });
  assert.equal(
    cutSentence(doc),
    `This report holds the first ${cut.runsPerPrompt} runs of each prompt (${cut.runsLeftOut.toLocaleString("en-US")} runs left out, to keep the file under 25 MB); every figure is of all the runs. ` +
      "Every run is in the analysis JSON (hotmess analyze FILE --json OUT.json, or Export → JSON in VS Code): load it below.",
  );
});

test("a report that fits holds the analysis as it is, and says nothing of a cut", () => {
  const small = analyzeTraceSet(generateTraceSet({ n: 50, seed: 3 }).text, { resamples: 50 });
  const doc = embedded(renderReportHtml(small, loadReportAssets()));
  assert.equal(doc.report, undefined);
  assert.deepEqual(doc, JSON.parse(JSON.stringify(small)));
  assert.equal(cutSentence(doc), null);
});

test("the analysis JSON is written in pieces, the same bytes as one JSON.stringify, with where each prompt is", () => {
  const layout: JsonLayout = { bytes: 0, items: [] };
  const text = [...jsonPieces(large, "prompts", layout)].join("");
  assert.equal(text, JSON.stringify(large) + "\n");
  const bytes = Buffer.from(text);
  assert.equal(layout.bytes, bytes.length);
  assert.equal(layout.items.length, large.prompts.length);
  layout.items.forEach(([s, e], i) => assert.equal(JSON.parse(bytes.subarray(s, e).toString()).id, large.prompts[i]!.id));
});

// The command itself, in a heap of 160 MB: the analysis of 8,000 runs (6.7 MB of traces) takes
// about half of it; writing it out took twice as much again (a redacted deep copy, the JSON as one
// string, the page's JSON as a second and a third) and ran out of memory there.
test("hotmess analyze --json --html of 8,000 runs runs in a 160 MB heap: the outputs add little to the analysis", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "hotmess-heap-"));
  const input = join(dir, "set.jsonl");
  writeFileSync(input, Array.from({ length: 8 }, (_, i) => generateTraceSet({ n: 1000, seed: 1000 + i, id: `ducks-${i}` }).text).join(""));
  const r = spawnSync(process.execPath, ["--max-old-space-size=160", join(__dirname, "..", "dist", "cli.js"), "analyze", input, "--json", join(dir, "a.json"), "--html", join(dir, "a.html")], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "" },
  });
  assert.equal(r.status, 0, `exit ${r.status ?? r.signal}: ${r.stderr.slice(-800)}`);
  const doc = JSON.parse(readFileSync(join(dir, "a.json"), "utf8")) as Analysis;
  assert.equal(doc.prompts.length, 8);
  assert.equal(doc.prompts[0]!.runs.length, 1000);
  assert.ok(statSync(join(dir, "a.html")).size < REPORT_LIMIT_BYTES);
  assert.match(r.stderr, /hotmess: the view holds the first \d+ runs of each prompt \(\d+ runs left out, to stay under 25 MB\); it loads the rest from .*a\.json when you pick that file in it\n/);
});

// ---------------------------------------------------------------------------------------------
// In Chromium: what the reader sees, and loading the runs left out.

interface Page {
  goto(url: string): Promise<unknown>;
  waitForFunction(f: string, arg?: unknown, o?: { timeout: number }): Promise<unknown>;
  evaluate<T>(f: string): Promise<T>;
  locator(s: string): { setInputFiles(f: string): Promise<void>; click(): Promise<void> };
  on(e: "pageerror" | "console", f: (x: { type?: () => string; text?: () => string; message?: string }) => void): void;
  close(): Promise<void>;
}
interface Browser {
  newPage(o: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

let browser: Browser | null = null;
before(async () => {
  if (SKIP_BROWSER) return;
  browser = (await loadPlaywright().chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })) as unknown as Browser;
});
after(async () => {
  await browser?.close();
});

test("in the browser: the report says which runs it holds, and reads the rest of the prompt shown from the JSON written with it", { skip: SKIP_BROWSER, timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hotmess-large-"));
  const json = join(dir, "large.json");
  const layout: JsonLayout = { bytes: 0, items: [] };
  writeFileAtomic(json, jsonPieces(large, "prompts", layout));
  const html = join(dir, "large.html");
  const cut = writeReportHtml(html, large, { full: { file: "large.json", bytes: layout.bytes, prompts: layout.items } });
  assert.ok(cut && cut.runsPerPrompt < 1500);
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message ?? String(e)));
  page.on("console", (m) => m.type?.() === "error" && errors.push(m.text?.() ?? ""));
  const read = () =>
    page.evaluate<{ notice: string; heat: string; status: string }>(`(() => ({
      notice: document.querySelector(".cut-notice .note")?.textContent ?? "",
      heat: document.querySelector('section[aria-label="Step-level divergence"] .panel-head .muted')?.textContent ?? "",
      status: document.querySelector(".cut-status")?.textContent ?? "",
    }))()`);
  // (waitForFunction evaluates its predicate in a way the page's CSP refuses: poll instead)
  const until = async (what: string, ok: (r: Awaited<ReturnType<typeof read>>) => boolean) => {
    for (const t0 = Date.now(); Date.now() - t0 < 60_000; await new Promise((r) => setTimeout(r, 100))) if (ok(await read())) return;
    assert.fail(`${what}: ${JSON.stringify(await read())}`);
  };
  try {
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction("document.body.dataset.rendered === '1'", undefined, { timeout: 60_000 });
    const first = await read();
    assert.match(first.notice, new RegExp(`^This report holds the first ${cut.runsPerPrompt} runs of each prompt \\(${cut.runsLeftOut.toLocaleString("en-US")} runs left out, to keep the file under 25 MB\\); every figure is of all the runs\\. Every run is in large\\.json`));
    assert.match(first.heat, new RegExp(`^the first ${cut.runsPerPrompt} of 1500 runs × \\d+ aligned steps`));
    await page.locator("input.file-input").setInputFiles(json);
    await until("the runs of ducks-0 read", (r) => r.status === "Every run of ducks-0 read from large.json." && /^1500 runs × /.test(r.heat));
    // another prompt: read from the same file when it is opened
    await page.locator("#hm-prompt-3").click();
    await until("the runs of ducks-3 read", (r) => r.status === "Every run of ducks-3 read from large.json." && /^1500 runs × /.test(r.heat));
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
