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
