// The Inspect AI importer (src/import/inspect.ts) on a `.json` log and a `.eval` zip written from
// Inspect's log schema (test/data/import/inspect/: arith-tools.json by hand, fix-tests.eval by
// make-eval.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { strToU8, zipSync } from "fflate";
import { inspectImporter, scoreValue } from "../src/import/inspect";
import { file, formatFiles, othersFiles, textFile } from "./support/import-files";

const dir = `${__dirname}/data/import/inspect`;
const json = () => file(`${dir}/arith-tools.json`);
const evalZip = () => file(`${dir}/fix-tests.eval`);

test("a .json log: epochs of a sample id are one prompt's samples, steps from its messages", () => {
  const r = inspectImporter.read([json()]);
  assert.equal(r.format, "inspect");
  assert.deepEqual(
    r.prompts.map((p) => [p.id, p.samples.length]),
    [
      ["1", 2],
      ["2", 2],
    ],
  );
  const [p1, p2] = r.prompts;
  assert.equal(p1!.prompt, "What is 17 * 23? Use the calculator.");
  assert.equal(p1!.reference, "391");
  assert.equal(p1!.model, "anthropic/claude-sonnet-4-5");
  const s = p1!.samples[0]!;
  assert.deepEqual(
    s.steps!.map((x) => x.kind),
    ["user", "reasoning", "text", "tool_call", "tool_result", "text"],
  );
  assert.deepEqual(s.steps![3], { kind: "tool_call", name: "calculator", arguments: { expression: "17 * 23" }, id: "toolu_01A" });
  assert.deepEqual(s.steps![4], { kind: "tool_result", text: "391", name: "calculator", id: "toolu_01A" });
  assert.equal(s.steps![1]!.text, "The user wants 17*23 via the calculator tool.");
  assert.equal(s.text, "17 × 23 = 391");
  assert.equal(s.answer, "391");
  // "C" → 1 and "I" → 0; one scorer: no outcomes.
  assert.deepEqual(
    p1!.samples.map((x) => [x.index, x.reward, x.correct, x.outcomes]),
    [
      [0, 1, true, undefined],
      [1, 0, false, undefined],
    ],
  );
  // The tool message with an error is an error result, its text the error's message.
  const failed = p2!.samples[0]!.steps!.find((x) => x.kind === "tool_result")!;
  assert.deepEqual(failed, { kind: "tool_result", text: "Unknown function: factor", name: "calculator", id: "toolu_02B", isError: true });
  // The input as a list of messages: the prompt is its user text.
  assert.equal(p2!.prompt, "Is 97 prime? Check with the calculator.");
});

test("a malformed sample is named by file#path and skipped; the rest is imported", () => {
  const r = inspectImporter.read([json()]);
  assert.deepEqual(r.problems, [{ where: `${dir}/arith-tools.json#samples[4]`, message: 'no "epoch" (a whole number from 1); sample skipped' }]);
  assert.equal(r.summary, "2 tasks × 2 runs, 3 tool calls; format Inspect AI; 1 problem (skipped parts named)");
});

test("a .eval zip: samples/<id>_epoch_<n>.json, attachments resolved, several scorers → outcomes", () => {
  const r = inspectImporter.read([evalZip()]);
  assert.deepEqual(
    r.prompts.map((p) => [p.id, p.samples.length, p.model]),
    [
      ["bug-101", 3, "openai/gpt-5"],
      ["bug-102", 1, "openai/gpt-5"],
    ],
  );
  const runs = r.prompts[0]!.samples;
  assert.deepEqual(
    runs.map((s) => [s.reward, s.correct, s.outcomes]),
    [
      [1, true, { tests_pass: 1, no_skips: 1 }],
      [1, true, { tests_pass: 1, no_skips: 0 }],
      [0, false, { tests_pass: 0, no_skips: 1 }],
    ],
  );
  // Epoch 2 did not read the file first: one tool call fewer.
  assert.deepEqual(
    runs.map((s) => s.steps!.filter((x) => x.kind === "tool_call").map((x) => (x.arguments as { cmd: string }).cmd.split(" ")[0])),
    [["pytest", "cat", "sed"], ["pytest", "sed"], ["pytest", "cat", "sed"]],
  );
  // A redacted reasoning part gives its summary; the attachment:// result is resolved.
  const steps = runs[0]!.steps!;
  assert.deepEqual(steps[1], { kind: "reasoning", text: "Run the failing test first to see the assertion." });
  assert.match(steps.find((x) => x.kind === "tool_result")!.text!, /^FAILED tests\/test_dates.py::test_leap_year/);
  // Arguments given as a JSON string are parsed.
  assert.deepEqual(r.prompts[1]!.samples[0]!.steps![1]!.arguments, { cmd: "grep -rl 'def parse(' ." });
  // The truncated sample entry is named and skipped.
  assert.deepEqual(
    r.problems.map((p) => p.where),
    [`${dir}/fix-tests.eval#samples/bug-103_epoch_1.json`],
  );
  assert.match(r.problems[0]!.message, /^not JSON/);
});

test("logs of two tasks: ids carry the task", () => {
  const r = inspectImporter.read([json(), evalZip()]);
  assert.deepEqual(
    r.prompts.map((p) => p.id),
    ["arith_tools/1", "arith_tools/2", "fix_tests/bug-101", "fix_tests/bug-102"],
  );
  assert.equal(r.summary, "4 tasks × 1–3 runs, 12 tool calls; format Inspect AI; 2 problems (skipped parts named)");
});

test("score values are read as Inspect's value_to_float reads them", () => {
  assert.deepEqual(
    ["C", "I", "P", "N", true, false, 0.25, "yes", "False", "0.5", "maybe", [1], { a: 1 }].map(scoreValue),
    [1, 0, 0.5, 0, 1, 0, 0.25, 1, 0, 0.5, null, null, null],
  );
});

test("a score outside [0, 1] is not a reward, and that is said", () => {
  const log = JSON.parse(new TextDecoder().decode(json().bytes));
  log.samples = [log.samples[0]];
  log.samples[0].scores = { rating: { value: 7.5 } };
  const r = inspectImporter.read([textFile("rated.json", JSON.stringify(log))]);
  assert.equal(r.prompts[0]!.samples[0]!.reward, undefined);
  assert.deepEqual(r.problems, [{ where: "rated.json", message: "scores outside [0, 1] (rating = 7.5) are not used as rewards" }]);
});

test("a duplicated epoch is skipped and said", () => {
  const log = JSON.parse(new TextDecoder().decode(json().bytes));
  log.samples = [log.samples[0], log.samples[0]];
  const r = inspectImporter.read([textFile("dup.json", JSON.stringify(log))]);
  assert.equal(r.prompts[0]!.samples.length, 1);
  assert.deepEqual(r.problems, [{ where: "1", message: "epoch 1 appears twice; the second is skipped" }]);
});

test("detect: its own files yes; other formats, τ-bench and zips that are not Inspect logs no", () => {
  for (const f of formatFiles("inspect")) assert.equal(inspectImporter.detect([f]), true, f.path);
  const others = othersFiles("inspect");
  assert.ok(others.length >= 4);
  for (const f of others) assert.equal(inspectImporter.detect([f]), false, f.path);
  const otherZip = zipSync({ "word/document.xml": strToU8("<w:document/>") });
  assert.equal(inspectImporter.detect([{ path: "report.docx", bytes: otherZip }]), false);
  assert.equal(inspectImporter.detect([textFile("x.json", '{"version": 2, "samples": []}')]), false);
});
