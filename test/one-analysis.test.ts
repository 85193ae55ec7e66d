// One analysis everywhere (issue 13, METRICS.md §7): a run the editor fills live, with samples
// finishing out of order (concurrency 4, the real Anthropic SDK against the fake Messages API
// with slower early requests), shows in the live view exactly what the same run file shows when
// it is reopened (Open Run), in the language server's summary (CodeLens, hint, hover), in
// `hotmess analyze`, and in every export (the editor's and `hotmess export`'s): every figure,
// every interval and every run index. A continued run (Retry after a partial one, so its
// indices have a gap) too.
import "./stubs/install";
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as vscode from "./stubs/vscode";
import { startFakeAnthropic, type AnthropicScenario, type FakeAnthropic } from "./fakes/anthropic";
import { Capture } from "./support/capture";
import type { HostMessage } from "../src/protocol/webview";
import { forkGroups, parseRunFile, type Analysis, type PromptAnalysis } from "../src/core";
import { summarizeRun } from "../src/server/summary";
import { main } from "../src/cli/main";
import type { ExportDocument } from "../src/report/export";
import { until } from "./support/wait";

const ROOT = join(__dirname, "..");
const KEY = "hm-stored-key-0123456789abcdef";

let fake: FakeAnthropic;
let tmp: string;
let ctx: ReturnType<typeof vscode.fakeContext>;
let extension: typeof import("../src/extension/extension");

const posted = () => vscode.recorded.posted as HostMessage[];
const docs = (from = 0) => posted().slice(from).filter((m): m is Extract<HostMessage, { type: "analysis/set" }> => m.type === "analysis/set");

before(async () => {
  fake = await startFakeAnthropic();
  extension = await import("../src/extension/extension");
});
after(async () => {
  await fake.close();
});

beforeEach(async () => {
  vscode.reset();
  tmp = mkdtempSync(join(tmpdir(), "hm-one-analysis-"));
  mkdirSync(join(tmp, "workspace"));
  vscode.workspace.workspaceFolders = [{ uri: vscode.Uri.file(join(tmp, "workspace")) }];
  Object.assign(vscode.settings, { provider: "anthropic", model: "claude-sonnet-4-5", "anthropic.baseUrl": fake.url, concurrency: 4, maxRetryWait: 1 });
  ctx = vscode.fakeContext(join(tmp, "storage"), ROOT);
  await ctx.secrets.store("hotmess.apiKey.anthropic", KEY);
  extension.activate(ctx as never);
});

const cleanup = () => {
  for (const d of ctx.subscriptions) d.dispose();
  rmSync(tmp, { recursive: true, force: true });
};

/** Reruns of a word problem: three answers (18 is right), worded steps that differ, as a model's would. */
const ANSWERS = [18, 20, 18, 9, 18, 20, 18, 18, 9, 18];
function reply(i: number): AnthropicScenario {
  const answer = ANSWERS[i % ANSWERS.length]!;
  const steps =
    answer === 18 ? ["16 - 3 = 13.\n", i % 2 ? "13 - 4 = 9.\n" : "She has 9 eggs left after 13 - 4 = 9.\n", "9 * 2 = 18."]
    : answer === 20 ? ["16 - 3 = 13.\n", "13 - 3 = 10.\n", "10 * 2 = 20."]
    : ["16 - 3 - 4 = 9.\n", "She sells 9 eggs.\n", "So 9."];
  // the first requests of each four take longest: samples finish out of index order
  return { kind: "ok", thinking: steps, text: [`Answer: ${answer}`], chunkDelayMs: 8 + 12 * (3 - (i % 4)) };
}

const PROMPT_FILE = ["---", "n: 8", "reference: 18", "id: ducks", "---", "Janet's ducks lay 16 eggs per day. She eats three and bakes with four. She sells the rest at $2 each. How much does she make?", ""].join("\n");

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(args, { stdout, stderr, env: {} } as never);
  return { code, out: stdout.text, err: stderr.text };
}

/** The analysis without what names the tool that made it (each face is its own tool). */
const figures = (a: Analysis) => ({ ...a, generator: null });

/** Opens the run file as Open Run does, in a new panel; the document it shows. */
async function reopen(file: string): Promise<Analysis> {
  const from = posted().length;
  const panels = vscode.recorded.panels.length;
  await vscode.commands.executeCommand("hotmess.openRunFile", file);
  const panel = await until("the reopened run's panel", () => vscode.recorded.panels[panels]);
  panel.webview.receive({ type: "ready" });
  return (await until("the reopened run's document", () => docs(from)[0])).analysis;
}

/** The editor's Export Comparison of the panel showing the run, in `format`; the file's text. */
async function editorExport(format: string, panelIndex: number): Promise<string> {
  const out = join(tmp, `export-${format}-${panelIndex}.${format}`);
  vscode.answers.saveDialog.push(vscode.Uri.file(out));
  // the panel must be the active one
  vscode.recorded.panels.forEach((p, i) => (p.active = i === panelIndex));
  await vscode.commands.executeCommand("hotmess.exportComparison", format);
  return readFileSync(out, "utf8");
}

/** Every face of the run file shows the live view's analysis: every figure, interval and run index. */
async function assertSameEverywhere(live: Analysis, file: string): Promise<void> {
  const run = parseRunFile(readFileSync(file, "utf8"));
  const indices = run.samples.map((s) => s.index).sort((a, b) => a - b);
  const p = live.prompts[0]!;
  assert.deepEqual(
    p.runs.map((r) => r.index),
    indices,
    "the live view's runs are the run file's samples, by their recorded index",
  );
  assert.deepEqual(
    p.columns.map((c) => c.cells.map((cell) => cell.run)),
    p.columns.map(() => indices),
    "every column's cells name the runs by their recorded index",
  );

  // Open Run (and a restored panel: the same loadView)
  const reopened = await reopen(file);
  assert.deepEqual(reopened, live, "the reopened run shows the live view's analysis");

  // the language server's summary: the CodeLens, the inlay hint and the hover
  const s = summarizeRun(run)!;
  assert.deepEqual(
    { n: s.n, target: s.target, reference: s.reference, brier: s.brier, disagreement: s.disagreement, classes: s.classes },
    {
      n: p.n,
      target: p.target,
      reference: p.reference,
      brier: { bias2: p.brier!.bias2, variance: p.brier!.variance, error: p.brier!.error, incoherence: p.brier!.incoherence, estimate: p.brier!.estimate, ci95: p.brier!.ci95, caveat: p.caveat, reruns: p.reruns, ensemble: p.ensemble },
      disagreement: p.disagreement,
      classes: p.classes,
    },
    "the CodeLens, hint and hover show the live view's figures and interval",
  );
  const fork = forkGroups(p);
  assert.deepEqual(s.fork && { column: s.fork.column, counts: s.fork.groups.map((g) => g.count), gaps: s.fork.gaps }, fork && { column: fork.column, counts: fork.groups.slice(0, 3).map((g) => g.count), gaps: fork.gaps });

  // hotmess analyze FILE --json -
  const analyzed = await cli(["analyze", file, "--json", "-"]);
  assert.ok(analyzed.code === 0 || analyzed.code === 2, analyzed.err);
  assert.deepEqual(figures(JSON.parse(analyzed.out) as Analysis), figures(live), "hotmess analyze shows the live view's analysis");

  // hotmess export FILE --format json / csv
  const exported = await cli(["export", file, "--format", "json", "--out", "-"]);
  assert.ok(exported.code === 0 || exported.code === 2, exported.err);
  const doc = JSON.parse(exported.out) as ExportDocument;
  const { export: _e, traces, ...analysis } = doc;
  assert.deepEqual(figures(analysis as Analysis), figures(live), "hotmess export's JSON holds the live view's analysis");
  assert.deepEqual(
    traces[0]!.runs.map((r) => r.index),
    indices,
    "the exported traces carry the recorded run indices",
  );
  for (const r of traces[0]!.runs) assert.equal(r.text, run.samples.find((x) => x.index === r.index)!.text, `run #${r.index}'s exported trace is that sample's`);
  const csv = await cli(["export", file, "--format", "csv", "--out", "-"]);
  const csvRuns = [...new Set(stepRows(csv.out).map((l) => Number(l.split(",")[1])))];
  assert.deepEqual(csvRuns, indices, "the CSV's run column is the recorded index");
  assertCsvCells(csv.out, p);

  // the editor's Export Comparison of the reopened panel
  const json = JSON.parse(await editorExport("json", vscode.recorded.panels.length - 1)) as ExportDocument;
  const { export: _x, traces: editorTraces, ...editorAnalysis } = json;
  assert.deepEqual(figures(editorAnalysis as Analysis), figures(live), "the editor's JSON export holds the live view's analysis");
  assert.deepEqual(
    editorTraces[0]!.runs.map((r) => r.index),
    indices,
  );
}

/** The CSV's step rows: the reliability rows after them have an empty run (and a k). */
const stepRows = (csv: string) => csv.trim().split("\r\n").slice(1).filter((l) => l.split(",")[1] !== "");

/** Each CSV row's step and group are the ones of that run's cell (by its index), not another run's. */
function assertCsvCells(csv: string, p: PromptAnalysis): void {
  const rows = stepRows(csv);
  for (const row of rows) {
    const [, run, column, step, group] = row.split(",");
    if (run === "") continue; // the pass^k rows after the step rows
    const cell = p.columns[Number(column)]!.cells.find((c) => c.run === Number(run))!;
    assert.equal(step, cell.step === null ? "" : String(cell.step), `run ${run}, column ${column}: its step`);
    assert.equal(group, cell.group === null ? "" : String(cell.group), `run ${run}, column ${column}: its group`);
  }
}

/** Writes the prompt file, reruns its prompt from the code lens with the live panel open, and waits for the run to end. */
async function rerunLive() {
  const promptFile = join(tmp, "workspace", "ducks.prompt");
  writeFileSync(promptFile, PROMPT_FILE);
  const running = vscode.commands.executeCommand("hotmess.rerunPrompt", vscode.Uri.file(promptFile), 0);
  const panel = await until("the live panel", () => vscode.recorded.panels[0]);
  panel.webview.receive({ type: "ready" });
  await running;
  return panel;
}

test("a live run shows what its reopened run file, the CodeLens, hotmess analyze and the exports show: every figure and run index", async (t) => {
  t.after(cleanup);
  const base = fake.requests.filter((r) => r.path.startsWith("/v1/messages")).length;
  fake.setDefault((_req, i) => reply(i - base));
  await rerunLive();
  assert.deepEqual(vscode.recorded.notifications.filter((n) => n.level === "error"), []);

  const live = docs();
  assert.ok(live.length >= 2, `the view was filled live (${live.length} documents)`);
  const last = live.at(-1)!.analysis;
  assert.equal(last.prompts[0]!.n, 8);
  assert.ok(last.prompts[0]!.brier?.ci95, "the live view shows an interval");

  const file = (live.at(-1)!.source as { files: string[] }).files[0]!;
  const text = readFileSync(file, "utf8");
  const header = JSON.parse(text.split("\n")[0]!) as { analysis?: { seed?: number } };
  assert.deepEqual(header.analysis, { seed: 1 }, "the run file records the seed of its analysis");
  const order = parseRunFile(text).samples.map((s) => s.index);
  assert.notDeepEqual(order, [...order].sort((a, b) => a - b), `samples finished out of index order (${order.join(" ")}), as they do with concurrency`);

  // while it ran, every document listed its runs in index order, each by its recorded index
  const samples = parseRunFile(text).samples;
  for (const d of live) {
    const runs = d.analysis.prompts[0]!.runs;
    const idx = runs.map((r) => r.index);
    assert.deepEqual(idx, [...idx].sort((a, b) => a - b), `a live document lists its runs in index order: ${idx.join(" ")}`);
    for (const r of runs) assert.equal(r.reply, samples.find((s) => s.index === r.index)?.text, `live run #${r.index} is sample ${r.index} of the run file`);
  }
  await assertSameEverywhere(last, file);
});

test("a continued run (Retry after a partial one, its indices with a gap) shows the same analysis live and reopened", async (t) => {
  t.after(cleanup);
  const base = fake.requests.filter((r) => r.path.startsWith("/v1/messages")).length;
  // the second request is refused for longer than hotmess.maxRetryWait: it fails, nothing new starts
  fake.setDefault((_req, i) => (i - base === 1 ? { kind: "http-error", status: 429, retryAfter: "30", message: "Number of request tokens has exceeded your per-minute rate limit" } : reply(i - base)));
  const panel = await rerunLive();
  const file = (docs().at(-1)!.source as { files: string[] }).files[0]!;
  const first = parseRunFile(readFileSync(file, "utf8"));
  assert.equal(first.end?.status, "partial", JSON.stringify(first.end));
  assert.deepEqual(first.failures.map((f) => f.index), [1]);

  // Retry: the missing samples run into the same file, with new indices after the gap
  fake.setDefault((_req, i) => reply(i - base));
  const from = posted().length;
  panel.webview.receive({ type: "run/resume", file });
  await until("Retry to finish", () => posted().slice(from).some((m) => m.type === "runs/set" && m.runs.length > 0 && m.runs.every((r) => r.state.status === "complete")));
  const continued = parseRunFile(readFileSync(file, "utf8"));
  const indices = continued.samples.map((s) => s.index).sort((a, b) => a - b);
  assert.equal(indices.length, 8);
  assert.ok(!indices.includes(1), `index 1 failed and stays a gap: ${indices.join(" ")}`);
  const last = docs(from).at(-1)!.analysis;
  await assertSameEverywhere(last, file);
});
