// The label of an answer class (src/core/label.ts): the raw answer without the sentence it ended
// or the markdown around it, the key for a number written noisily; the view, the hover and the
// Markdown export call a class the same.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeTraceSet } from "../src/core";
import { classLabel, cleanAnswer } from "../src/core/label";
import { exportMarkdown } from "../src/report/export";
import { answerLabel } from "../webview/format";

test("a class label is the raw answer without trailing sentence punctuation or markdown around it", () => {
  const cases: [string, string[], string][] = [
    ["19.75", ["19.75."], "19.75"],
    ["18", ["**18**"], "18"],
    ["18", ["`18`."], "18"],
    ["18", ["$18"], "$18"],
    ["1200", ["$1,200"], "$1,200"],
    ["1200", ["$1,200."], "$1,200"],
    ["-3", ["-3"], "-3"],
    ["b)paris", ["B) Paris"], "B) Paris"],
    ["b)paris", ["B) Paris."], "B) Paris"],
    ["jg7fmm", ["JG7FMM"], "JG7FMM"],
  ];
  for (const [key, examples, label] of cases) assert.equal(classLabel({ key, examples }), label, JSON.stringify(examples));
  assert.equal(cleanAnswer("  **Paris**!  "), "Paris");
});

test("a noisy number, or runs that wrote it differently, is labelled by its key; no answer is said so", () => {
  assert.equal(classLabel({ key: "18", examples: ["\\boxed{18}"] }), "18");
  assert.equal(classLabel({ key: "18", examples: ["18", "18.0"] }), "18");
  assert.equal(classLabel({ key: "18", examples: ["18.", "18"] }), "18");
  assert.equal(classLabel({ key: "paris", examples: ["Paris", "paris"] }), "paris");
  assert.equal(classLabel({ key: "18" }), "18");
  assert.equal(classLabel({ key: null, examples: [] }), "(no answer)");
  assert.equal(answerLabel(null), "—");
});

test("runs that end 'Therefore, the final answer is 19.75.': the view and the Markdown export call the class 19.75", () => {
  const sample = (x: string) => ({ text: `Let's compute.\n79 / 4 = ${x}\nTherefore, the final answer is ${x}.` });
  const rec = { id: "avg", reference: "19.75", samples: [sample("19.75"), sample("19.75"), sample("19.75"), sample("20.25"), sample("20.25")] };
  const a = analyzeTraceSet(JSON.stringify(rec) + "\n");
  const p = a.prompts[0]!;
  assert.deepEqual(p.answers.map((c) => c.examples[0]), ["19.75.", "20.25."], "the raw answers keep the full stop");
  assert.deepEqual(p.answers.map((c) => answerLabel(c)), ["19.75", "20.25"]);
  const md = exportMarkdown(a);
  assert.match(md, /\| `19\.75` ✓ \|/);
  assert.match(md, /- `20\.25` \(2 runs;/);
  assert.doesNotMatch(md, /19\.75\.`|20\.25\.`/);
});

test("the prompt file's hover calls the class as the view does", async () => {
  const { parsePromptFile, parseRunFile } = await import("../src/core");
  const { hoverMarkdown } = await import("../src/server/render");
  const { summarizeRun } = await import("../src/server/summary");
  const header = { type: "header", schema: "hotmess.run/1", id: "avg-1", createdAt: "2026-12-04T10:00:00.000Z", tool: { name: "hotmess", version: "0.1.0" }, provider: "simulated", model: "m", prompt: "avg", reference: "19.75", parameters: { n: 4, maxTokens: 100, thinking: { type: "none" }, concurrency: 4 } };
  const sample = (index: number, x: string) => ({ type: "sample", index, text: `79 / 4 = ${x}\nTherefore, the final answer is ${x}.`, thinking: "", redactedThinking: 0, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: null, latencyMs: 1, truncated: false, stopReason: "end_turn" });
  const lines = [header, sample(0, "19.75"), sample(1, "19.75"), sample(2, "20.25"), sample(3, "20.25")];
  const run = parseRunFile(lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  const summary = summarizeRun(run, 200)!;
  assert.deepEqual(summary.answers.map((x) => x.label), ["19.75", "20.25"]);
  const entry = { file: "/w/.hotmess/runs/r1.jsonl", header: run.header, summary, summarizedAt: { size: 1, mtimeMs: 1 } };
  const md = hoverMarkdown({ prompt: parsePromptFile("avg\n", () => "h")[0]!, n: 4, run: entry as never, stale: false })!;
  assert.match(md, /`19\.75` ✓ ×2 · `20\.25` ×2/);
});
