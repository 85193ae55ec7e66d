// The editor's faces of a run (the CodeLens, the inlay hint, the hover, the status bar) never
// show a number without its interval or its caveat (issue 13, METRICS.md §7): the headline is
// the estimate, not the plug-in; below 5 reruns the caveat stands where the interval would; the
// hover says how many more reruns bring the interval under ±0.05 and what a majority vote would
// do. Every branch: n < 5, no error to split, no target, and the normal case.
import { ensembleVerdict } from "../src/core/headline";
import "./stubs/install";
import { test } from "node:test";
import assert from "node:assert/strict";
import * as vscode from "./stubs/vscode";
import { analyzeRun, parsePromptFile, parseRunFile, type RunHeader } from "../src/core";
import { StatusBar } from "../src/extension/status";
import { codeLenses, diagnostics, hoverMarkdown, inlayHints } from "../src/server/render";
import { summarizeRun } from "../src/server/summary";

const header = (reference: string | null, n: number) => ({
  type: "header",
  schema: "hotmess.run/1",
  id: "r1",
  createdAt: "2026-12-04T10:00:00.000Z",
  tool: { name: "t", version: "0" },
  provider: "anthropic",
  model: "claude-sonnet-4-5",
  prompt: "2 + 2?",
  ...(reference === null ? {} : { reference }),
  parameters: { n, maxTokens: 100, thinking: { type: "none" }, concurrency: 4, idleTimeoutMs: 120000 },
});
const sample = (index: number, answer: string) => ({ type: "sample", index, text: `Let me add.\nAnswer: ${answer}`, thinking: "", redactedThinking: 0, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: null, latencyMs: 1, retries: 0, truncated: false, stopReason: "end_turn", finishedAt: "2026-12-04T10:00:01.000Z" });

function runOf(answers: string[], reference: string | null = "4") {
  const lines = [header(reference, answers.length), ...answers.map((a, i) => sample(i, a)), { type: "end", status: "complete", finishedAt: "2026-12-04T10:00:02.000Z" }];
  const run = parseRunFile(lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  // the figures every face must show: the run's one analysis
  const p = analyzeRun(run, { resamples: 200 }).prompts[0]!;
  const entry = { file: "/w/.hotmess/runs/r1.jsonl", header: run.header as RunHeader, summary: summarizeRun(run, 200), summarizedAt: { size: 1, mtimeMs: 1 } };
  const prompt = parsePromptFile("2 + 2?\n", () => "h")[0]!;
  const view = { prompt, n: 8, run: entry as never, stale: false };
  const lens = codeLenses("file:///w/p.prompt", [view])[0]!.command!.title;
  const hint = (inlayHints([view])[0]!.label as { value: string }[])[0]!.value;
  const hover = hoverMarkdown(view)!;
  vscode.reset();
  const bar = new StatusBar();
  bar.finished(analyzeRun(run, { resamples: 200 }), [entry.file], 0.5);
  const status = { text: vscode.recorded.statusText, tooltip: vscode.recorded.statusTooltip, warning: (bar as unknown as { item: { backgroundColor: unknown } }).item.backgroundColor !== undefined };
  bar.dispose();
  return { p, view, lens, hint, hover, status };
}

const f2 = (x: number) => x.toFixed(2);
const f3 = (x: number) => x.toFixed(3);

/** Every decimal number in a one-line face (lens, hint, status bar) is followed by its interval or the caveat. */
function assertNoBareFigure(text: string, what: string) {
  for (const m of text.matchAll(/(?<![[–\d.])\d\.\d{2,3}(?![\d–\]])/g)) {
    const after = text.slice(m.index! + m[0].length);
    assert.ok(/^ (\[|\(n = \d+: )/.test(after), `${what}: ${m[0]} is shown without its interval or caveat: ${text}`);
  }
}

test("normal (10 reruns): the estimate with its interval everywhere; the hover adds the reruns to ±0.05 and the majority vote", () => {
  // 6 right, 4 wrong answers all different: the plug-in is 0.75, the estimate 0.833
  const { p, lens, hint, hover, status } = runOf(["4", "4", "5", "6", "4", "7", "4", "4", "8", "4"]);
  const b = p.brier!;
  assert.ok(b.ci95 && b.estimate !== null && b.estimate !== b.incoherence, "the test needs an estimate apart from the plug-in");
  const figure = `incoherence ${f2(b.estimate)} [${f2(b.ci95[0])}–${f2(b.ci95[1])}]`;
  assert.equal(lens, `▶ Rerun ×8 · ${figure} · 5 answers`);
  assert.equal(hint, figure);
  assert.ok(hover.includes(`| ${f3(b.bias2)} | ${f3(b.variance)} | ${f3(b.error)} | ${f3(b.estimate)} [${f3(b.ci95[0])}–${f3(b.ci95[1])}] |`), hover);
  assert.ok(p.reruns!.more! > 0);
  assert.ok(hover.includes(`≈ ${p.reruns!.more!.toLocaleString("en-US")} more reruns to get the interval under ±0.05.`), hover);
  const e = p.ensemble!;
  assert.ok(hover.includes(`**Majority vote**: majority of 1 / 3 / 5 / 10 reruns: incoherence ${e.map((x) => f2(x.incoherence!)).join(" → ")}, accuracy ${e.map((x) => `${Math.round(100 * x.accuracy)}%`).join(" → ")}: ${ensembleVerdict(e)}.`), hover);
  assert.equal(status.text, `$(pulse) ${figure}`);
  assert.match(status.tooltip, new RegExp(`≈ ${p.reruns!.more!.toLocaleString("en-US")} more reruns to get the interval under ±0\\.05`));
  assert.equal(status.warning, b.ci95[0] > 0.5, "the warning compares the interval's lower end");
  for (const [what, text] of Object.entries({ lens, hint, status: status.text })) assertNoBareFigure(text, what);
});

test("n < 5: the caveat stands where the interval would, in the lens, the hint, the hover and the status bar", () => {
  const { p, lens, hint, hover, status } = runOf(["4", "4", "5"]);
  const b = p.brier!;
  assert.equal(b.ci95, null);
  assert.equal(p.caveat, "n = 3: too few reruns for an interval; 8+ recommended");
  const figure = `incoherence ${f2(b.estimate!)} (n = 3: too few reruns for an interval; 8+ recommended)`;
  assert.equal(lens, `▶ Rerun ×8 · ${figure} · 2 answers`);
  assert.equal(hint, figure);
  assert.ok(hover.includes(`| ${f3(b.estimate!)} (n = 3: too few reruns for an interval; 8+ recommended) |`), hover);
  assert.match(hover, /≈ [\d,]+ more reruns to get the interval under ±0\.05\./);
  assert.equal(status.text, `$(pulse) incoherence ${f2(b.estimate!)} (n = 3: no interval)`);
  assert.ok(status.tooltip.includes("n = 3: too few reruns for an interval; 8+ recommended."), status.tooltip);
  for (const [what, text] of Object.entries({ lens, hint, status: status.text })) assertNoBareFigure(text, what);
});

test("no error to split (every rerun right): no number, no reruns projection, no warning", () => {
  const { p, lens, hint, hover, status } = runOf(["4", "4", "4", "4", "4", "4"]);
  assert.equal(p.brier!.estimate, null);
  assert.equal(lens, "▶ Rerun ×8 · incoherence — (no error to split) · 1 answer");
  assert.equal(hint, "incoherence — (no error to split)");
  assert.ok(hover.includes("| 0.000 | 0.000 | 0.000 | — (no error to split) |"), hover);
  assert.doesNotMatch(hover, /more reruns/);
  assert.equal(status.text, "$(pulse) Hot Mess: 1 answer");
  assert.equal(status.warning, false);
});

test("no target: disagreement, said to be without a reference; no incoherence, no projection", () => {
  const { p, lens, hint, hover } = runOf(["4", "5", "4", "6", "4", "4"], null);
  assert.equal(p.brier, null);
  assert.equal(p.reruns, null);
  assert.equal(lens, `▶ Rerun ×8 · disagreement ${f2(p.disagreement)} (no reference) · 3 answers`);
  assert.equal(hint, `disagreement ${f2(p.disagreement)} (no reference)`);
  assert.ok(hover.includes(`No reference answer: disagreement ${f3(p.disagreement)} (1 − Σ p²), no incoherence.`), hover);
  assert.doesNotMatch(hover, /more reruns|Majority vote/);
});

test("the incoherence warning reads the interval of the estimate, and words it with it", () => {
  // every rerun wrong and all different: a hot mess whose interval lies above 0.3
  const { p, view } = runOf(["1", "2", "3", "5", "6", "7", "8", "9"]);
  const b = p.brier!;
  assert.ok(b.ci95 && b.ci95[0] > 0.3, `the test needs an interval above 0.3: ${b.ci95}`);
  const [warned] = diagnostics([view], 0.3, () => 6);
  assert.ok(warned!.message.startsWith(`incoherence ${f2(b.estimate!)} [${f2(b.ci95[0])}–${f2(b.ci95[1])}] is above 0.3`), warned!.message);
});
