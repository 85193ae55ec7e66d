// Every figure says which comparison produced its classes: the CLI table and the Markdown export
// name it when it is not METRICS.md §2's exact key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeRecords } from "../src/core";
import { parseAnswerSpec } from "../src/core/answerspec";
import { renderTable } from "../src/cli/table";
import { exportMarkdown } from "../src/report/export";

const record = {
  id: "labels",
  prompt: "Classify.",
  reference: '{"label": "spam", "score": 1}',
  samples: [{ text: '{"label": "spam", "score": 1}' }, { text: '{"score": 1, "label": "spam"}' }, { text: '{"label": "ham", "score": 0}' }, { text: '{"score": 1,   "label":"spam"}' }],
};

test("a json comparison is named in the table and the export", () => {
  const a = analyzeRecords([record], { resamples: 50, answerSpec: parseAnswerSpec({ compare: "json" }) });
  assert.equal(a.prompts[0]!.comparison, "json equality");
  assert.equal(a.prompts[0]!.classes, 2);
  assert.match(renderTable(a).join("\n"), /2 \(75% ✓\) by json equality/);
  assert.match(exportMarkdown(a), /Answer classes by `json equality`/);
});

test("the default comparison adds nothing", () => {
  const a = analyzeRecords([record], { resamples: 50 });
  assert.doesNotMatch(renderTable(a).join("\n"), / by /);
  assert.doesNotMatch(exportMarkdown(a), /Answer classes by/);
});

test("the prompt file's hover says what made the classes: a run classed by meaning, and by hand", async () => {
  const { parseRunFile, parsePromptFile } = await import("../src/core");
  const { summarizeRun } = await import("../src/server/summary");
  const { hoverMarkdown } = await import("../src/server/render");
  const header = { type: "header", schema: "hotmess.run/1", id: "email", createdAt: "2026-12-05T10:00:00.000Z", tool: { name: "hotmess", version: "0.1.0" }, provider: "simulated", model: "m", prompt: "Spam?", parameters: { n: 3, maxTokens: 100, thinking: { type: "none" }, concurrency: 1 } };
  const sample = (index: number, text: string) => ({ type: "sample", index, text, thinking: "", redactedThinking: 0, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: null, latencyMs: 1, truncated: false, stopReason: "end_turn" });
  const texts = ["Spam: it asks for a password.", "Spam, since it asks for a password.", "Legitimate: a receipt."];
  const verdicts = { type: "verdicts", judge: "simulated-judge", verdicts: [["Spam: it asks for a password.", "Spam, since it asks for a password.", true], ["Legitimate: a receipt.", "Spam: it asks for a password.", false]], overrides: {}, at: "2026-12-05T10:00:02.000Z" };
  const hoverOf = (lines: object[]) => {
    const run = parseRunFile(lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
    const entry = { file: "/w/.hotmess/runs/r1.jsonl", header: run.header, summary: summarizeRun(run, 50), summarizedAt: { size: 1, mtimeMs: 1 } };
    return hoverMarkdown({ prompt: parsePromptFile("Spam?\n", () => "h")[0]!, n: 3, run: entry as never, stale: false })!;
  };
  const base = [header, ...texts.map((t, i) => sample(i, t))];
  assert.match(hoverOf(base), /\*\*Answers\*\* \(1 class\):/);
  assert.match(hoverOf([...base, verdicts]), /\*\*Answers\*\* \(2 classes by semantic \(judge simulated-judge\)\):/);
  const manual = { type: "verdicts", judge: "manual", verdicts: [], overrides: { "Legitimate: a receipt.": "Spam: it asks for a password." }, at: "2026-12-05T10:00:03.000Z" };
  assert.match(hoverOf([...base, verdicts, manual]), /\*\*Answers\*\* \(1 class by semantic \(judge simulated-judge \+ 1 manual choice\)\):/);
});
