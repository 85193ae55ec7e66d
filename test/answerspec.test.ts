// Answer specs (src/core/answerspec.ts, issue 16): the compact forms and their errors, each
// extraction (found and not found), each comparison's class keys, and the analysis using them.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AnswerSpecError,
  canonicalJson,
  classKeys,
  comparisonLabel,
  extractAnswer,
  formatCompare,
  formatExtract,
  parseAnswerSpec,
  parseCompare,
  parseExtract,
  readAnswerSpec,
  mergeAnswerSpecs,
} from "../src/core/answerspec";
import { analyzeRecords, analyzeTraceSet } from "../src/core/analyze";
import type { PromptRecord } from "../src/core/types";

// ---------------------------------------------------------------- parsing the compact forms

test("parseExtract: each kind, and the round trip through formatExtract", () => {
  assert.deepEqual(parseExtract("regex:/Answer:\\s*(.+)/i"), { kind: "regex", pattern: "Answer:\\s*(.+)", flags: "i" });
  assert.deepEqual(parseExtract("regex:/(\\d+) of (\\d+)/:2"), { kind: "regex", pattern: "(\\d+) of (\\d+)", group: 2 });
  assert.deepEqual(parseExtract("regex:/label=(?<l>\\w+)/i:l"), { kind: "regex", pattern: "label=(?<l>\\w+)", flags: "i", group: "l" });
  assert.deepEqual(parseExtract("regex:Final: (\\w+)"), { kind: "regex", pattern: "Final: (\\w+)" });
  // a slash inside the pattern: the last one closes it
  assert.deepEqual(parseExtract("regex:/(\\d+/\\d+)/"), { kind: "regex", pattern: "(\\d+/\\d+)" });
  assert.deepEqual(parseExtract("json:$.label"), { kind: "json", path: "$.label" });
  assert.deepEqual(parseExtract("json:$.items[0][\"a b\"]"), { kind: "json", path: "$.items[0][\"a b\"]" });
  assert.deepEqual(parseExtract("json"), { kind: "json", path: "$" });
  assert.deepEqual(parseExtract(" last-line "), { kind: "last-line" });
  assert.deepEqual(parseExtract("code-block:python"), { kind: "code-block", lang: "python" });
  assert.deepEqual(parseExtract("code-block"), { kind: "code-block" });
  for (const s of ["regex:/Answer:\\s*(.+)/i", "regex:/(\\d+) of (\\d+)/:2", "json:$.label", "json", "last-line", "code-block:python", "code-block"])
    assert.equal(formatExtract(parseExtract(s)), s);
});

test("parseExtract: bad specs are refused with what to write", () => {
  const bad: [string, RegExp][] = [
    ["", /empty/],
    ["xpath:/a", /unknown answer extraction "xpath".*regex.*json.*last-line.*code-block/],
    ["regex:", /needs a pattern/],
    ["regex:/(unclosed/i", /does not compile/],
    ["regex:/a(b)/g", /flags are i, m, s or u/],
    ["regex:/a(b)/i:3", /has 1 group, no group 3/],
    ["regex:/a(b)/i:name", /no group named "name"/],
    ["json:label", /starts with \$/],
    ["json:$.", /no key after/],
    ["json:$[x]", /expected \[N\]/],
    ["last-line:3", /takes nothing/],
    ["code-block:py thon", /language is a word/],
  ];
  for (const [s, re] of bad) assert.throws(() => parseExtract(s), (e: Error) => e instanceof AnswerSpecError && re.test(e.message), s);
});

test("parseCompare: each kind, the round trip, and bad specs", () => {
  assert.deepEqual(parseCompare("exact"), { kind: "exact" });
  assert.deepEqual(parseCompare("json"), { kind: "json" });
  assert.deepEqual(parseCompare("set"), { kind: "set" });
  assert.deepEqual(parseCompare("set:;"), { kind: "set", separator: ";" });
  assert.deepEqual(parseCompare("numeric:0.01"), { kind: "numeric", tolerance: 0.01 });
  assert.deepEqual(parseCompare("numeric:1%"), { kind: "numeric", tolerance: 0.01, relative: true });
  assert.deepEqual(parseCompare("numeric"), { kind: "numeric", tolerance: 0 });
  for (const s of ["exact", "json", "set", "set:;", "numeric:0.01", "numeric:1%", "numeric:0"]) assert.equal(formatCompare(parseCompare(s)), s);
  for (const [s, re] of [
    ["semantic", /unknown comparison "semantic"/],
    ["numeric:-1", /tolerance is a number ≥ 0/],
    ["numeric:abc", /tolerance is a number ≥ 0/],
    ["numeric:150%", /under 100%/],
    ["json:x", /takes nothing/],
    ["", /empty/],
  ] as [string, RegExp][])
    assert.throws(() => parseCompare(s), (e: Error) => e instanceof AnswerSpecError && re.test(e.message), s);
});

test("parseAnswerSpec names the part that is wrong; labels say which comparison", () => {
  assert.deepEqual(parseAnswerSpec({ answer: "json:$.label", compare: "exact" }), { extract: { kind: "json", path: "$.label" }, compare: { kind: "exact" } });
  assert.throws(() => parseAnswerSpec({ compare: "fuzzy" }), /^Error: compare: unknown comparison|compare: unknown comparison/);
  assert.throws(() => parseAnswerSpec({ answer: "json:x" }), /answer: a JSON path starts with \$/);
  assert.equal(comparisonLabel(undefined), "exact");
  assert.equal(comparisonLabel({ compare: parseCompare("numeric:0.01") }), "numeric ±0.01");
  assert.equal(comparisonLabel({ compare: parseCompare("numeric:2.5%") }), "numeric ±2.5%");
  assert.equal(comparisonLabel({ compare: { kind: "json" } }), "json equality");
  assert.equal(comparisonLabel({ compare: { kind: "set" } }), "set equality");
  assert.deepEqual(mergeAnswerSpecs({ extract: { kind: "last-line" }, compare: { kind: "json" } }, { compare: { kind: "set" } }), { extract: { kind: "last-line" }, compare: { kind: "set" } });
  assert.equal(mergeAnswerSpecs(undefined, {}), undefined);
});

test("readAnswerSpec: the object form and the compact strings; a bad one is a problem", () => {
  assert.deepEqual(readAnswerSpec({ extract: { kind: "json", path: "$.label" }, compare: { kind: "numeric", tolerance: 0.5 }, future: 1 }), {
    spec: { extract: { kind: "json", path: "$.label" }, compare: { kind: "numeric", tolerance: 0.5 } },
  });
  assert.deepEqual(readAnswerSpec({ answer: "last-line", compare: "set" }), { spec: { extract: { kind: "last-line" }, compare: { kind: "set" } } });
  for (const bad of [[], "json", { extract: { kind: "xml" } }, { compare: { kind: "numeric", tolerance: -1 } }, { extract: { kind: "regex", pattern: "(" } }])
    assert.ok("problem" in readAnswerSpec(bad), JSON.stringify(bad));
});

// ---------------------------------------------------------------- extraction

test("extractAnswer: regex takes the last match, group 1 by default, or the group named", () => {
  const text = "Answer: draft\nthinking more\nAnswer:  Paris \n";
  assert.deepEqual(extractAnswer(text, parseExtract("regex:/Answer:\\s*(.+)/i")), { answer: "Paris" });
  assert.deepEqual(extractAnswer("3 of 7", parseExtract("regex:/(\\d+) of (\\d+)/:2")), { answer: "7" });
  assert.deepEqual(extractAnswer("x=12", parseExtract("regex:/x=\\d+/")), { answer: "x=12" });
  const none = extractAnswer("no marker here", parseExtract("regex:/Answer:\\s*(.+)/i"));
  assert.equal(none.answer, null);
  assert.match(none.reason!, /no match of \/Answer/);
});

test("extractAnswer: a JSON path in the reply, a fenced block, or JSON in prose; not found says why", () => {
  const spec = parseExtract("json:$.label");
  assert.deepEqual(extractAnswer('{"label": "spam", "why": "links"}', spec), { answer: "spam" });
  assert.deepEqual(extractAnswer('Here you go:\n```json\n{"label": "ham"}\n```\n', spec), { answer: "ham" });
  assert.deepEqual(extractAnswer('Sure. {"label": "spam"} Hope it helps.', spec), { answer: "spam" });
  assert.deepEqual(extractAnswer('{"a": {"b": [1, {"z": 2, "y": 1}]}}', parseExtract("json:$.a.b[1]")), { answer: '{"y":1,"z":2}' });
  assert.deepEqual(extractAnswer('{"n": 3}', parseExtract("json:$.n")), { answer: "3" });
  assert.deepEqual(extractAnswer("I cannot classify this.", spec), { answer: null, reason: "no JSON in the reply" });
  assert.deepEqual(extractAnswer('{"category": "spam"}', spec), { answer: null, reason: '$ has no key "label"' });
  assert.deepEqual(extractAnswer('{"label": null}', spec), { answer: null, reason: "$.label is null" });
  assert.deepEqual(extractAnswer('{"items": [1]}', parseExtract("json:$.items[2]")), { answer: null, reason: "$.items has 1 item, no [2]" });
  assert.deepEqual(extractAnswer('{"items": 3}', parseExtract("json:$.items[0]")), { answer: null, reason: "$.items is a number, not an array" });
});

test("extractAnswer: last-line and code-block", () => {
  assert.deepEqual(extractAnswer("reasoning\n\n  final answer here  \n\n", { kind: "last-line" }), { answer: "final answer here" });
  assert.deepEqual(extractAnswer(" \n\n", { kind: "last-line" }), { answer: null, reason: "the reply is empty" });
  const reply = "First:\n```js\nlet a = 1;\n```\nIn Python:\n```python\ndef f(x):\n    return x + 1\n```\nDone.";
  assert.deepEqual(extractAnswer(reply, parseExtract("code-block:python")), { answer: "def f(x):\n    return x + 1" });
  assert.deepEqual(extractAnswer(reply, parseExtract("code-block:Python")), { answer: "def f(x):\n    return x + 1" });
  assert.deepEqual(extractAnswer(reply, parseExtract("code-block:js")), { answer: "let a = 1;" });
  assert.deepEqual(extractAnswer(reply, parseExtract("code-block")), { answer: "def f(x):\n    return x + 1" });
  assert.deepEqual(extractAnswer(reply, parseExtract("code-block:rust")), { answer: null, reason: "no ```rust block in the reply" });
  assert.deepEqual(extractAnswer("no code", parseExtract("code-block")), { answer: null, reason: "no fenced code block in the reply" });
});

// ---------------------------------------------------------------- class keys

test("classKeys exact: METRICS.md §2's key", () => {
  assert.deepEqual(classKeys(["18", "18.0", "$18", " Paris. ", null], { kind: "exact" }, 18), { keys: ["18", "18", "18", "paris", null], referenceKey: "18" });
});

test("classKeys json: key order does not matter, values do", () => {
  const { keys, referenceKey } = classKeys(['{"a": 1, "b": [1, 2]}', '{"b": [1, 2], "a": 1}', '{"a": 1, "b": [2, 1]}', "plain", ""], { kind: "json" }, '{"b":[1,2],"a":1}');
  assert.equal(keys[0], keys[1]);
  assert.notEqual(keys[0], keys[2]);
  assert.equal(keys[0], '{"a":1,"b":[1,2]}');
  assert.equal(keys[3], '"plain"');
  assert.equal(keys[4], null);
  assert.equal(referenceKey, keys[0]);
  assert.equal(canonicalJson({ z: { b: 1, a: 2 }, a: null }), '{"a":null,"z":{"a":2,"b":1}}');
});

test("classKeys set: order, case, spacing and repeats do not matter; a JSON array is a set too", () => {
  const { keys } = classKeys(["red, green, blue", "Blue,RED,green", '["green","blue","red","red"]', "red, green", "red; green; blue"], { kind: "set" });
  assert.equal(keys[0], '["blue","green","red"]');
  assert.equal(keys[1], keys[0]);
  assert.equal(keys[2], keys[0]);
  assert.notEqual(keys[3], keys[0]);
  assert.notEqual(keys[4], keys[0]); // another separator: one item
  assert.equal(classKeys(["red; green; blue"], { kind: "set", separator: ";" }).keys[0], keys[0]);
});

test("classKeys numeric: the documented clustering (sorted, from each class's smallest value)", () => {
  // 1.00 1.004 1.009 | 1.02 1.025 | 2 ; "n/a" keeps its own key
  const raws = ["1.02", "1.00", "1.009", "2", "1.004", "n/a", "1.025"];
  const { keys } = classKeys(raws, { kind: "numeric", tolerance: 0.01 });
  assert.deepEqual(keys, ["1.02", "1", "1", "2", "1", "n/a", "1.02"]);
  // chaining does not widen a class: 0, 0.6, 1.2 with tolerance 1 → {0, 0.6}, {1.2}
  assert.deepEqual(classKeys([0, 0.6, 1.2], { kind: "numeric", tolerance: 1 }).keys, ["0", "0", "1.2"]);
  // the reference takes every value within the tolerance of it, the rest cluster among themselves
  const r = classKeys(["17.99", "18.01", "18.5", "18.52", "19"], { kind: "numeric", tolerance: 0.05 }, 18);
  assert.deepEqual(r, { keys: ["18", "18", "18.5", "18.5", "19"], referenceKey: "18" });
  // relative: 1% of the larger magnitude
  assert.deepEqual(classKeys([100, 100.9, 102, 1000, 1009], { kind: "numeric", tolerance: 0.01, relative: true }).keys, ["100", "100", "102", "1000", "1000"]);
  // tolerance 0 is §2's key for numbers
  assert.deepEqual(classKeys(["18", "18.0", "18.01"], { kind: "numeric", tolerance: 0 }).keys, ["18", "18", "18.01"]);
});

// ---------------------------------------------------------------- the analysis

const WHY = ["it links to a prize", "the sender is unknown", "urgent tone and a link", "asks for a password", "typical phishing", "generic greeting"];
function classificationRecord(spec?: PromptRecord["answerSpec"]): PromptRecord {
  const labels = ["spam", "spam", "spam", "ham", "spam", "unsure"];
  return {
    id: "spam-1",
    prompt: "Classify this email; reply in JSON {label, why}.",
    reference: "spam",
    ...(spec ? { answerSpec: spec } : {}),
    samples: labels.map((label, i) => ({ text: `Here is my classification:\n${JSON.stringify({ label, why: WHY[i] })}` })),
  };
}

test("analysis: JSON classifications whose explanations differ are 3 classes by json:$.label, not n", () => {
  const without = analyzeRecords([classificationRecord()], { resamples: 0 }).prompts[0]!;
  // §2 finds no \boxed{}, no Answer: line and no number: no run has an answer, none is right
  assert.deepEqual(
    without.answers.map((a) => [a.key, a.count]),
    [
      ["spam", 0],
      [null, 6],
    ],
  );
  // the whole JSON as the answer: every explanation differs, so every run is its own class
  const whole = analyzeRecords([classificationRecord({ extract: { kind: "last-line" } })], { resamples: 0 }).prompts[0]!;
  assert.equal(whole.answers.filter((a) => a.count > 0).length, 6);
  const p = analyzeRecords([classificationRecord({ extract: { kind: "json", path: "$.label" } })], { resamples: 0 }).prompts[0]!;
  assert.deepEqual(
    p.answers.map((a) => [a.key, a.count, a.reference]),
    [
      ["spam", 4, true],
      ["ham", 1, false],
      ["unsure", 1, false],
    ],
  );
  assert.equal(p.comparison, "exact");
  assert.equal(p.extraction, "json:$.label");
  assert.equal(p.target, "reference");
  assert.ok(p.brier && p.brier.error > 0);
  // the CLI's spec wins over none in the file
  const viaOption = analyzeRecords([classificationRecord()], { resamples: 0, answerSpec: { extract: { kind: "json", path: "$.label" } } }).prompts[0]!;
  assert.deepEqual(viaOption.answers, p.answers);
});

test("analysis: a run whose reply has no JSON says why it has no answer", () => {
  const rec = classificationRecord({ extract: { kind: "json", path: "$.label" } });
  rec.samples.push({ text: "I can't help with that." });
  const p = analyzeRecords([rec], { resamples: 0 }).prompts[0]!;
  assert.equal(p.runs[6]!.answerKey, null);
  assert.equal(p.runs[6]!.noAnswer, "no JSON in the reply");
  assert.equal(p.runs[0]!.noAnswer, undefined);
});

test("analysis: a trace-set line's answerSpec (object or compact) is read; a bad one skips the line with why", () => {
  const samples = ['{"x": 1, "y": 2}', '{"y": 2, "x": 1}', '{"x": 1, "y": 3}'].map((t) => ({ text: t }));
  const line = (spec: unknown) => JSON.stringify({ id: "j", samples, answerSpec: spec });
  const a = analyzeTraceSet(line({ compare: "json" }), { resamples: 0 });
  assert.equal(a.prompts[0]!.comparison, "json equality");
  assert.deepEqual(
    a.prompts[0]!.answers.map((c) => c.count),
    [2, 1],
  );
  const b = analyzeTraceSet(line({ compare: { kind: "json" } }), { resamples: 0 });
  assert.deepEqual(b.prompts[0]!.answers, a.prompts[0]!.answers);
  // without the spec: every reply is its own class (the §2 extraction reads the last number)
  assert.equal(analyzeTraceSet(JSON.stringify({ id: "j", samples }), { resamples: 0 }).prompts[0]!.comparison, "exact");
  const bad = analyzeTraceSet(line({ compare: "fuzzy" }), { resamples: 0 });
  assert.equal(bad.prompts.length, 0);
  assert.match(bad.skipped[0]!.message, /"answerSpec".*unknown comparison "fuzzy"/);
});

test("analysis: numeric tolerance and set equality change the class count", () => {
  const numeric: PromptRecord = { id: "pi", reference: 3.14159, samples: ["3.1416", "3.14159", "3.142", "3.2", "3.0"].map((a) => ({ text: `Answer: ${a}` })) };
  const exact = analyzeRecords([numeric], { resamples: 0 }).prompts[0]!;
  assert.equal(exact.answers.length, 5);
  const tol = analyzeRecords([{ ...numeric, answerSpec: { compare: { kind: "numeric", tolerance: 0.001 } } }], { resamples: 0 }).prompts[0]!;
  assert.deepEqual(
    tol.answers.map((c) => [c.key, c.count]),
    [
      ["3.14159", 3],
      ["3.2", 1],
      ["3", 1],
    ],
  );
  assert.equal(tol.comparison, "numeric ±0.001");
  const set: PromptRecord = { id: "set", samples: ["Answer: a, b, c", "Answer: c, b, a", "Answer: b, a, c, a", "Answer: a, b"].map((text) => ({ text })) };
  const s = analyzeRecords([{ ...set, answerSpec: { compare: { kind: "set" } } }], { resamples: 0 }).prompts[0]!;
  assert.deepEqual(
    s.answers.map((c) => c.count),
    [3, 1],
  );
  assert.equal(s.comparison, "set equality");
});
