// FORMATS.md "Trace sets (input)": parseTraceLine and analyzeTraceSet on good and malformed lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeTraceSet, parseTraceLine, type ParsedLine } from "../src/core";

const jl = (...lines: unknown[]) => lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n");
const good = (id: string, extra: Record<string, unknown> = {}) => ({ id, reference: 1, samples: [{ text: "1", answer: 1 }, { text: "2", answer: 2 }], ...extra });

function lineError(p: ParsedLine): { line: number; message: string } {
  assert.ok(p && "error" in p, `expected a line error, got ${JSON.stringify(p)}`);
  return p.error;
}

function record(p: ParsedLine) {
  assert.ok(p && "record" in p, `expected a record, got ${JSON.stringify(p)}`);
  return p;
}

test("a malformed JSON line is reported with its line number and skipped; the rest is analysed", () => {
  const e = lineError(parseTraceLine('{"id": "x", "samples": [', 7));
  assert.equal(e.line, 7);
  assert.match(e.message, /JSON/);

  const a = analyzeTraceSet(jl(good("a"), '{"id": "b", samples: []}', good("c"), "not json at all", good("d")), { resamples: 0 });
  assert.deepEqual(
    a.prompts.map((p) => p.id),
    ["a", "c", "d"],
  );
  assert.deepEqual(
    a.skipped.map((s) => s.line),
    [2, 4],
  );
  for (const s of a.skipped) assert.match(s.message, /JSON/);
  assert.equal(a.pooled.prompts, 3);
});

test("a line that is JSON but not an object is skipped", () => {
  for (const text of ["[1, 2]", "42", '"id"', "null"]) {
    const e = lineError(parseTraceLine(text, 3));
    assert.equal(e.line, 3);
  }
});

test("missing or unusable id", () => {
  const e = lineError(parseTraceLine(JSON.stringify({ samples: [{ text: "t" }] }), 2));
  assert.equal(e.line, 2);
  assert.match(e.message, /"id"/);
  assert.match(e.message, /missing/);
  for (const id of ["", null, true, { a: 1 }, [1]]) {
    const f = lineError(parseTraceLine(JSON.stringify({ id, samples: [{ text: "t" }] }), 5));
    assert.equal(f.line, 5);
    assert.match(f.message, /"id"/);
  }
});

test("duplicate id: the later line is skipped and the message names the first line", () => {
  const a = analyzeTraceSet(jl(good("x"), good("y"), good("x", { reference: 2 })), { resamples: 0 });
  assert.deepEqual(
    a.prompts.map((p) => p.id),
    ["x", "y"],
  );
  assert.equal(a.prompts[0]!.reference, "1", "the first occurrence is the one kept");
  assert.equal(a.skipped.length, 1);
  assert.equal(a.skipped[0]!.line, 3);
  assert.match(a.skipped[0]!.message, /duplicate/i);
  assert.match(a.skipped[0]!.message, /"x"/);
  assert.match(a.skipped[0]!.message, /line 1\b/);

  const seen = new Map<string, number>();
  record(parseTraceLine(JSON.stringify(good("q")), 4, seen));
  const e = lineError(parseTraceLine(JSON.stringify(good("q")), 9, seen));
  assert.equal(e.line, 9);
  assert.match(e.message, /line 4\b/);
});

test("samples missing, empty or not an array", () => {
  const missing = lineError(parseTraceLine(JSON.stringify({ id: "m" }), 1));
  assert.match(missing.message, /"samples"/);
  assert.match(missing.message, /missing/);
  const empty = lineError(parseTraceLine(JSON.stringify({ id: "e", samples: [] }), 2));
  assert.match(empty.message, /"samples"/);
  assert.match(empty.message, /empty/);
  for (const samples of ["abc", { text: "t" }, 3, null]) {
    const e = lineError(parseTraceLine(JSON.stringify({ id: "n", samples }), 3));
    assert.equal(e.line, 3);
    assert.match(e.message, /"samples"/);
  }
});

test("a sample without text or thinking is skipped with a warning naming line and sample index; the rest of the prompt is kept", () => {
  const text = jl(good("first"), {
    id: "p",
    reference: 3,
    samples: [{ text: "a 1", answer: 1 }, { answer: 2 }, { text: "c 3", answer: 3 }],
  });
  const p = record(parseTraceLine(text.split("\n")[1]!, 2));
  assert.equal(p.record.samples.length, 2);
  assert.equal(p.warnings.length, 1);
  assert.equal(p.warnings[0]!.line, 2);
  assert.match(p.warnings[0]!.message, /sample 1\b/);
  assert.match(p.warnings[0]!.message, /text/);

  const a = analyzeTraceSet(text, { resamples: 0 });
  assert.equal(a.prompts.length, 2);
  const q = a.prompts[1]!;
  assert.equal(q.id, "p");
  assert.equal(q.n, 2);
  assert.deepEqual(
    q.runs.map((r) => r.answerKey),
    ["1", "3"],
  );
  assert.ok(a.skipped.some((s) => s.line === 2 && /sample 1\b/.test(s.message)), JSON.stringify(a.skipped));
});

test("a line whose every sample is unusable is skipped", () => {
  const e = lineError(parseTraceLine(JSON.stringify({ id: "z", samples: [{ answer: 1 }, 5] }), 4));
  assert.equal(e.line, 4);
  const a = analyzeTraceSet(jl({ id: "z", samples: [{ answer: 1 }] }, good("ok")), { resamples: 0 });
  assert.deepEqual(
    a.prompts.map((p) => p.id),
    ["ok"],
  );
  assert.ok(a.skipped.some((s) => s.line === 1));
});

test("an answer of a wrong type is reported and that sample skipped", () => {
  for (const answer of [true, { value: 1 }, [1, 2]]) {
    const p = record(parseTraceLine(JSON.stringify({ id: "w", samples: [{ text: "t", answer }, { text: "u", answer: "ok" }] }), 6));
    assert.equal(p.record.samples.length, 1);
    assert.equal(p.record.samples[0]!.answer, "ok");
    assert.equal(p.warnings.length, 1);
    assert.equal(p.warnings[0]!.line, 6);
    assert.match(p.warnings[0]!.message, /sample 0\b/);
    assert.match(p.warnings[0]!.message, /"answer"/);
  }
  // strings, numbers and null are all fine
  const ok = record(parseTraceLine(JSON.stringify({ id: "w", samples: [{ text: "t", answer: "x" }, { text: "t", answer: 2.5 }, { text: "t", answer: null }] }), 1));
  assert.equal(ok.record.samples.length, 3);
  assert.equal(ok.warnings.length, 0);
  assert.equal(ok.record.samples[2]!.answer, null);
});

test("probs outside [0, 1] (or not numbers) are reported and that sample skipped", () => {
  for (const probs of [{ A: 1.5 }, { A: -0.1, B: 0.5 }, { A: "0.5" }, [0.5, 0.5]]) {
    const p = record(parseTraceLine(JSON.stringify({ id: "pr", samples: [{ text: "t", probs: { A: 1 } }, { text: "t", probs }] }), 8));
    assert.equal(p.record.samples.length, 1, JSON.stringify(probs));
    assert.equal(p.warnings.length, 1);
    assert.equal(p.warnings[0]!.line, 8);
    assert.match(p.warnings[0]!.message, /sample 1\b/);
    assert.match(p.warnings[0]!.message, /probs/);
  }
  const edge = record(parseTraceLine(JSON.stringify({ id: "pr", samples: [{ text: "t", probs: { A: 0, B: 1 } }] }), 1));
  assert.equal(edge.warnings.length, 0);
});

test("blank lines are ignored (and still counted for line numbers)", () => {
  assert.equal(parseTraceLine("", 1), null);
  assert.equal(parseTraceLine("   \t ", 2), null);
  const a = analyzeTraceSet(["", JSON.stringify(good("a")), "", "   ", "{broken", "", JSON.stringify(good("b")), "", ""].join("\n"), { resamples: 0 });
  assert.deepEqual(
    a.prompts.map((p) => p.id),
    ["a", "b"],
  );
  assert.deepEqual(a.skipped, [{ line: 5, message: a.skipped[0]!.message }]);
  // CRLF line endings
  const crlf = analyzeTraceSet([JSON.stringify(good("a")), "", JSON.stringify(good("b"))].join("\r\n") + "\r\n", { resamples: 0 });
  assert.equal(crlf.prompts.length, 2);
  assert.equal(crlf.skipped.length, 0);
});

test("unknown fields are ignored, never an error", () => {
  const line = JSON.stringify({
    id: "u",
    version: 3,
    meta: { model: "m", tags: ["a"] },
    reference: "7",
    samples: [
      { text: "t 7", answer: "7", tokens: 12, logprobs: [0.1], extra: null },
      { text: "t 8", answer: 8, correct: false, unknown: { nested: true } },
    ],
  });
  const p = record(parseTraceLine(line, 1));
  assert.equal(p.warnings.length, 0);
  assert.equal(p.record.samples.length, 2);
  const a = analyzeTraceSet(line, { resamples: 0 });
  assert.equal(a.skipped.length, 0);
  assert.equal(a.prompts[0]!.n, 2);
});

test("`thinking` is the trace when present; `text` otherwise", () => {
  const thinking = "First, 3 + 4 = 7.\nThen 7 * 2 = 14.";
  const line = JSON.stringify({
    id: "t",
    reference: 14,
    samples: [
      { text: "The answer is 14.", thinking, answer: 14 },
      { text: "Plain reply: 12\nso 12" },
      { thinking: "only thinking, 9" },
    ],
  });
  const a = analyzeTraceSet(line, { resamples: 0 });
  assert.equal(a.skipped.length, 0);
  const runs = a.prompts[0]!.runs;
  assert.deepEqual(
    runs.map((r) => r.fromThinking),
    [true, false, true],
  );
  assert.deepEqual(
    runs.map((r) => r.length),
    [thinking.length, "Plain reply: 12\nso 12".length, "only thinking, 9".length],
  );
  const traces = [thinking, "Plain reply: 12\nso 12", "only thinking, 9"];
  runs.forEach((r, i) => {
    assert.ok(r.steps.length > 0);
    for (const s of r.steps) assert.equal(traces[i]!.slice(s.start, s.end), s.text);
  });
  // steps come from thinking, not from the visible reply
  assert.ok(runs[0]!.steps.some((s) => s.text.includes("3 + 4 = 7")));
  // answers: given; extracted from the text; extracted from thinking when there is no text
  assert.deepEqual(
    runs.map((r) => [r.answerKey, r.answerExtracted]),
    [
      ["14", false],
      ["12", true],
      ["9", true],
    ],
  );
});
