// The promptfoo importer (src/import/promptfoo.ts) on a result file written from promptfoo's
// output-file and EvaluateResult types as `promptfoo eval --repeat 3 -o out.json` writes it
// (test/data/import/promptfoo/repeat-out.json: 2 tests × 2 providers × 3 repeats, a provider
// error and a result without a provider).
import { test } from "node:test";
import assert from "node:assert/strict";
import { promptfooImporter } from "../src/import/promptfoo";
import { file, formatFiles, othersFiles, textFile } from "./support/import-files";

const path = `${__dirname}/data/import/promptfoo/repeat-out.json`;

test("repeats are grouped by prompt, vars and provider; each repeat a sample", () => {
  const r = promptfooImporter.read([file(path)]);
  assert.equal(r.format, "promptfoo");
  assert.deepEqual(
    r.prompts.map((p) => [p.id, p.model, p.samples.length]),
    [
      ["apples@openai:gpt-4.1-mini", "openai:gpt-4.1-mini", 3],
      ["apples@sonnet", "anthropic:messages:claude-sonnet-4-5-20250929", 3],
      ["test-2@openai:gpt-4.1-mini", "openai:gpt-4.1-mini", 3],
      ["test-2@sonnet", "anthropic:messages:claude-sonnet-4-5-20250929", 3],
    ],
  );
  assert.equal(r.prompts[0]!.prompt, "Answer with a single number. Tom has 3 apples and buys 5 more. How many apples does he have?");
  assert.equal(r.summary, "4 prompts × 3 runs; format promptfoo; 2 problems (skipped parts named)");
});

test("text = output, correct = success, reward = score, outcomes from named component results", () => {
  const [apples, , train] = promptfooImporter.read([file(path)]).prompts;
  assert.deepEqual(
    apples!.samples.map((s) => [s.text, s.correct, s.reward, s.outcomes]),
    [
      ["8", true, 1, { correct: 1, concise: 1 }],
      ["8", true, 1, { correct: 1, concise: 1 }],
      ["8 apples", false, 0.5, { correct: 1, concise: 0 }],
    ],
  );
  // Assertions without a metric are named by their type.
  assert.deepEqual(
    train!.samples.map((s) => [s.text, s.correct, s.reward, s.outcomes]),
    [
      ["90", true, 1, { equals: 1, "llm-rubric": 1 }],
      ["90 km/h", false, 0, { equals: 0, "llm-rubric": 0 }],
      ["1.5", false, 0.5, { equals: 0, "llm-rubric": 1 }],
    ],
  );
});

test("a provider error and a malformed result are named file#path and skipped", () => {
  const r = promptfooImporter.read([file(path)]);
  assert.deepEqual(r.problems, [
    { where: `${path}#results.results[12]`, message: "a provider error, not a rerun (API error: 429 Too Many Requests); skipped" },
    { where: `${path}#results.results[13]`, message: "a result without prompt.raw or provider.id; skipped" },
  ]);
});

test("one provider and one prompt: ids are the tests'; a score outside [0, 1] is no reward; repeated assertion names are numbered", () => {
  const result = (testIdx: number, output: string, score: number) => ({
    testIdx,
    promptIdx: 0,
    promptId: "p",
    prompt: { raw: "Say hi", label: "Say hi" },
    provider: { id: "echo" },
    vars: {},
    testCase: { vars: {} },
    response: { output },
    success: score > 0,
    score,
    gradingResult: {
      pass: true,
      score,
      reason: "",
      componentResults: [
        { pass: true, score: 1, reason: "", assertion: { type: "icontains", value: "hi" } },
        { pass: false, score: 0, reason: "", assertion: { type: "icontains", value: "there" } },
      ],
    },
    failureReason: 0,
  });
  const doc = { evalId: "e1", results: { version: 3, timestamp: "t", prompts: [], results: [result(0, "hi", 1), result(1, "hi!", 3)] }, config: {} };
  const r = promptfooImporter.read([textFile("o.json", JSON.stringify(doc))]);
  assert.deepEqual(
    r.prompts.map((p) => [p.id, p.samples.map((s) => s.reward)]),
    [["test-1", [1, undefined]]],
  );
  assert.deepEqual(r.prompts[0]!.samples[0]!.outcomes, { icontains: 1, "icontains#2": 0 });
});

test("detect: its own files yes; other formats and τ-bench no", () => {
  for (const f of formatFiles("promptfoo")) assert.equal(promptfooImporter.detect([f]), true, f.path);
  const others = othersFiles("promptfoo");
  assert.ok(others.length >= 4);
  for (const f of others) assert.equal(promptfooImporter.detect([f]), false, f.path);
  // The older output file, without evalId, is still one.
  assert.equal(promptfooImporter.detect([textFile("old.json", '{\n  "results": {\n    "version": 2,\n    "timestamp": "2024-01-01T00:00:00Z",\n    "results": []')]), true);
});
