// METRICS.md §2 (answer normalisation, extraction) and §3 (answer classes and the target),
// checked to the letter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CORRECT_CLASS_LABEL, classify, extractAnswer, normalizeAnswer, type Sample } from "../src/core";

// ---------------------------------------------------------------- §2 normalisation: numbers

test("normalizeAnswer: a JSON number is the number itself (18 and 18.0 share a key)", () => {
  assert.equal(normalizeAnswer(18), "18");
  assert.equal(normalizeAnswer(18.0), "18");
  assert.equal(normalizeAnswer(-3.5), "-3.5");
  assert.equal(normalizeAnswer(0), "0");
  assert.equal(normalizeAnswer(-0), normalizeAnswer(0));
  assert.equal(normalizeAnswer(1e21), normalizeAnswer("1e21"));
});

test("normalizeAnswer: numeric strings get the same key as the number", () => {
  for (const s of ["18", "18.0", "18.000", " 18 ", "+18", "$18", "18$", "$18$", "18.", "\\boxed{18}", "\\boxed{18.0}", "1,8", "1 8"])
    assert.equal(normalizeAnswer(s), normalizeAnswer(18), JSON.stringify(s));
});

test("normalizeAnswer: `$` and `,` are removed before the number test", () => {
  assert.equal(normalizeAnswer("1,000"), "1000");
  assert.equal(normalizeAnswer("$1,000"), "1000");
  assert.equal(normalizeAnswer("1,000,000.50"), "1000000.5");
  assert.equal(normalizeAnswer("1,8"), "18"); // the comma goes, whatever it meant
  assert.equal(normalizeAnswer("$ 1,000 $"), "1000");
});

test("normalizeAnswer: signed numbers and exponents", () => {
  assert.equal(normalizeAnswer("1e3"), "1000");
  assert.equal(normalizeAnswer("1E3"), "1000"); // lower-cased before the number test
  assert.equal(normalizeAnswer("-1.5e+2"), "-150");
  assert.equal(normalizeAnswer("2.5e-1"), "0.25");
  assert.equal(normalizeAnswer("-5"), "-5");
  assert.equal(normalizeAnswer("+5"), "5");
  assert.equal(normalizeAnswer("-0"), "0");
  assert.equal(normalizeAnswer("-1.50"), "-1.5");
  assert.equal(normalizeAnswer(".5"), "0.5");
  assert.equal(normalizeAnswer("- 7"), "-7"); // whitespace deleted first
  assert.equal(normalizeAnswer("-7"), normalizeAnswer(-7));
});

test("normalizeAnswer: things that are not plain decimal numbers stay strings", () => {
  assert.equal(normalizeAnswer("0x10"), "0x10");
  assert.equal(normalizeAnswer("Infinity"), "infinity");
  assert.equal(normalizeAnswer("1/2"), "1/2");
  assert.equal(normalizeAnswer("3 + 4"), "3+4");
  assert.equal(normalizeAnswer("1.2.3"), "1.2.3");
});

// ---------------------------------------------------------------- §2 normalisation: strings

test("normalizeAnswer: NFKC (full-width digits, ligatures, full-width dollar)", () => {
  assert.equal(normalizeAnswer("１８"), "18");
  assert.equal(normalizeAnswer("＄１８"), "18");
  assert.equal(normalizeAnswer("１，０００"), "1000"); // full-width comma → ","
  assert.equal(normalizeAnswer("ﬁve"), "five");
  assert.equal(normalizeAnswer("Ｙｅｓ"), "yes");
});

test("normalizeAnswer: lower-case, all whitespace deleted, trim", () => {
  assert.equal(normalizeAnswer("ABC"), "abc");
  assert.equal(normalizeAnswer("  New York  "), "newyork");
  assert.equal(normalizeAnswer("a\tb\nc d"), "abcd");
  assert.equal(normalizeAnswer("x\u00a0y"), "xy"); // NBSP is whitespace too
  assert.equal(normalizeAnswer("(6 - 4) * (4 + 8) = 24"), "(6-4)*(4+8)=24");
});

test("normalizeAnswer: one trailing '.' is dropped, only one", () => {
  assert.equal(normalizeAnswer("Yes."), "yes");
  assert.equal(normalizeAnswer("done.."), "done.");
  assert.equal(normalizeAnswer("e.g."), "e.g");
  assert.equal(normalizeAnswer("Paris ."), "paris"); // whitespace goes before the dot rule
});

test("normalizeAnswer: \\boxed{X} only when it is the whole string", () => {
  assert.equal(normalizeAnswer("\\boxed{Paris}"), "paris");
  assert.equal(normalizeAnswer("  \\boxed{18}  "), "18"); // trimmed first
  assert.equal(normalizeAnswer("\\boxed{\\frac{1}{2}}"), "\\frac{1}{2}"); // nested braces
  assert.equal(normalizeAnswer("\\boxed{1} + \\boxed{2}"), "\\boxed{1}+\\boxed{2}"); // not whole
  assert.equal(normalizeAnswer("x = \\boxed{18}"), "x=\\boxed{18}");
  assert.equal(normalizeAnswer("\\boxed{18} units"), "\\boxed{18}units");
  // the order of §2: \boxed is looked at before `$…$` is unwrapped, so a boxed answer inside
  // dollars keeps its \boxed
  assert.equal(normalizeAnswer("$\\boxed{18}$"), "\\boxed{18}");
  assert.equal(normalizeAnswer("\\boxed{$18$}"), "18");
});

test("normalizeAnswer: $…$ wrapping is dropped", () => {
  assert.equal(normalizeAnswer("$x^2$"), "x^2");
  assert.equal(normalizeAnswer("$\\frac{1}{2}$"), "\\frac{1}{2}");
  assert.equal(normalizeAnswer("$-3$"), "-3");
});

test("normalizeAnswer: strings with $ or , that are not numbers keep them", () => {
  assert.equal(normalizeAnswer("a,b"), "a,b");
  assert.equal(normalizeAnswer("x, y"), "x,y");
  assert.equal(normalizeAnswer("a$b"), "a$b");
  assert.equal(normalizeAnswer("$5 per apple"), "$5perapple");
  assert.equal(normalizeAnswer("(1, 2)"), "(1,2)");
});

test("normalizeAnswer: missing, null and empty-after-normalisation are no answer (null)", () => {
  assert.equal(normalizeAnswer(undefined), null);
  assert.equal(normalizeAnswer(null), null);
  assert.equal(normalizeAnswer(""), null);
  assert.equal(normalizeAnswer("   "), null);
  assert.equal(normalizeAnswer("\n\t"), null);
  assert.equal(normalizeAnswer("."), null);
  assert.equal(normalizeAnswer("$$"), null);
  assert.equal(normalizeAnswer("\\boxed{}"), null);
  assert.equal(normalizeAnswer("\\boxed{ }"), null);
});

// ---------------------------------------------------------------- §2 extraction

test("extractAnswer: the last \\boxed{}, with nested braces", () => {
  assert.deepEqual(extractAnswer("so \\boxed{3} ... finally \\boxed{\\frac{1}{2}} done"), { answer: "\\frac{1}{2}", how: "boxed" });
  assert.deepEqual(extractAnswer("x = \\boxed{{a}{b{c}}}"), { answer: "{a}{b{c}}", how: "boxed" });
  // \boxed wins over an Answer: line and over numbers after it
  assert.deepEqual(extractAnswer("\\boxed{7}\nAnswer: 9\nthen 12"), { answer: "7", how: "boxed" });
});

test("extractAnswer: else the last Answer: / answer is line", () => {
  assert.deepEqual(extractAnswer("Step 1: 3 + 4 = 7\nAnswer: 42\nChecked with 5 and 6."), { answer: "42", how: "answer-line" });
  const two = extractAnswer("Answer: 1\nmore work 99\nSo the answer is 3.\nbye 100");
  assert.equal(two.how, "answer-line");
  assert.equal(normalizeAnswer(two.answer), "3");
  assert.equal(extractAnswer("final answer: (6 - 4) * (4 + 8) = 24").answer, "(6 - 4) * (4 + 8) = 24");
  assert.equal(extractAnswer("ANSWER: Paris").answer, "Paris");
});

test("extractAnswer: else the last number", () => {
  assert.deepEqual(extractAnswer("3 apples and 4.5 pears"), { answer: "4.5", how: "last-number" });
  assert.equal(normalizeAnswer(extractAnswer("it costs 1,000 dollars").answer), "1000");
  assert.equal(normalizeAnswer(extractAnswer("the result is x = -7").answer), "-7");
  assert.equal(extractAnswer("one 1\ntwo 2\nthree 3").answer, "3");
});

test("extractAnswer: else none", () => {
  assert.deepEqual(extractAnswer("no digits here at all"), { answer: null, how: "none" });
  assert.deepEqual(extractAnswer(""), { answer: null, how: "none" });
});

test("a sample without an `answer` field has its answer extracted from the text, and says so", () => {
  const c = classify([{ text: "work 3\nAnswer: 18" }, { text: "x", answer: "18" }, { text: "nothing", answer: null }], 18);
  assert.deepEqual(
    c.answers.map((a) => [a.key, a.extracted]),
    [
      ["18", true],
      ["18", false],
      [null, false],
    ],
  );
});

// ---------------------------------------------------------------- §3 classes and the target

function keysAndCounts(samples: Sample[], reference?: unknown, referenceFree = false) {
  const c = classify(samples, reference, referenceFree);
  return { c, view: c.classes.map((k) => [k.key, k.count, k.reference]) };
}

test("classify: flags decide; a wrong sample never joins the reference class, even with the reference's key", () => {
  const { c, view } = keysAndCounts(
    [
      { text: "", answer: "18", correct: true },
      { text: "", answer: "18", correct: false }, // same key as the reference, but flagged wrong
      { text: "", answer: "20", correct: false },
      { text: "", answer: 18.0, correct: true },
      { text: "", answer: "21", correct: true }, // flagged right although its key is not the reference's
    ],
    18,
  );
  assert.equal(c.target, "flags");
  assert.equal(c.refIndex, 0);
  assert.deepEqual(view, [
    ["18", 3, true],
    ["18", 1, false],
    ["20", 1, false],
  ]);
  assert.deepEqual(c.classOf, [0, 1, 2, 0, 0]);
  assert.deepEqual(c.correct, [true, false, false, true, true]);
});

test("classify: with flags on some samples only, an unflagged sample is not correct and is keyed by its answer", () => {
  const { c, view } = keysAndCounts([{ text: "", answer: "18" }, { text: "", answer: "18", correct: true }], 18);
  assert.equal(c.target, "flags");
  assert.deepEqual(view, [
    ["18", 1, true],
    ["18", 1, false],
  ]);
  assert.deepEqual(c.correct, [false, true]);
});

test("classify: flags without a reference still give a target; the correct class reads as its answer when every correct run gave it and no wrong one did", () => {
  const { c, view } = keysAndCounts([
    { text: "", answer: "a", correct: true },
    { text: "", answer: "b", correct: false },
  ]);
  assert.equal(c.target, "flags");
  assert.deepEqual(view, [
    ["a", 1, true],
    ["b", 1, false],
  ]);
  // an imported agent's outcomes
  assert.deepEqual(keysAndCounts([{ steps: [], reward: 1, answer: "reward=1" }, { steps: [], reward: 0, answer: "reward=0" }, { steps: [], reward: 1, answer: "reward=1" }]).view, [
    ["reward=1", 2, true],
    ["reward=0", 1, false],
  ]);
  // correct runs that answered differently, or a wrong run with the same answer: "(correct)"
  for (const samples of [
    [{ text: "", answer: "a", correct: true }, { text: "", answer: "c", correct: true }, { text: "", answer: "b", correct: false }],
    [{ text: "", answer: "a", correct: true }, { text: "", answer: "a", correct: false }],
    [{ text: "", answer: null, correct: true }, { text: "", answer: "b", correct: false }],
  ])
    assert.equal(keysAndCounts(samples).view[0]![0], CORRECT_CLASS_LABEL, JSON.stringify(samples));
});

test("classify: without flags, the reference class is every sample whose key equals the reference's key", () => {
  const { c, view } = keysAndCounts(
    [{ text: "", answer: "18" }, { text: "", answer: "18.0" }, { text: "", answer: "20" }, { text: "", answer: "\\boxed{18}" }, { text: "", answer: null }, { text: "", answer: 20 }],
    "$18",
  );
  assert.equal(c.target, "reference");
  assert.equal(c.referenceKey, "18");
  assert.deepEqual(view, [
    ["18", 3, true],
    ["20", 2, false],
    [null, 1, false],
  ]);
  assert.deepEqual(c.correct, [true, true, false, true, false, false]);
});

test("classify: all no-answer samples form one class of their own", () => {
  const { c, view } = keysAndCounts(
    [{ text: "", answer: null }, { text: "", answer: "" }, { text: "", answer: "  " }, { text: "no number here" }, { text: "", answer: "5" }],
    5,
  );
  assert.deepEqual(view, [
    ["5", 1, true],
    [null, 4, false],
  ]);
  assert.deepEqual(c.classOf, [1, 1, 1, 1, 0]);
});

test("classify: a correct-flagged sample without an answer is in the reference class", () => {
  const { view } = keysAndCounts([{ text: "", answer: null, correct: true }, { text: "", answer: null, correct: false }], 1);
  assert.deepEqual(view, [
    ["1", 1, true],
    [null, 1, false],
  ]);
});

test("classify: no flags and no reference → no target", () => {
  for (const ref of [undefined, null, "", "   "]) {
    const { c, view } = keysAndCounts([{ text: "", answer: "a" }, { text: "", answer: "a" }, { text: "", answer: "b" }], ref);
    assert.equal(c.target, "none");
    assert.equal(c.refIndex, -1);
    assert.deepEqual(view, [
      ["a", 2, false],
      ["b", 1, false],
    ]);
    assert.deepEqual(c.correct, [null, null, null]);
  }
});

test("classify: referenceFree ignores both flags and reference", () => {
  const { c, view } = keysAndCounts(
    [
      { text: "", answer: "18", correct: true },
      { text: "", answer: "18", correct: false },
      { text: "", answer: "20", correct: false },
    ],
    18,
    true,
  );
  assert.equal(c.target, "none");
  assert.equal(c.refIndex, -1);
  assert.deepEqual(view, [
    ["18", 2, false],
    ["20", 1, false],
  ]);
  assert.deepEqual(c.correct, [null, null, null]);
});

test("classify: the reference class is present with count 0 when there is a target and nobody is correct", () => {
  const byRef = keysAndCounts([{ text: "", answer: "20" }, { text: "", answer: "21" }, { text: "", answer: "20" }], 18);
  assert.equal(byRef.c.target, "reference");
  assert.deepEqual(byRef.view, [
    ["18", 0, true],
    ["20", 2, false],
    ["21", 1, false],
  ]);
  const byFlags = keysAndCounts([{ text: "", answer: "18", correct: false }], 18);
  assert.equal(byFlags.c.target, "flags");
  assert.deepEqual(byFlags.view, [
    ["18", 0, true],
    ["18", 1, false],
  ]);
  assert.deepEqual(byFlags.c.classOf, [1]);
});

test("classify: classes after the reference are by count, ties by first appearance", () => {
  const { view } = keysAndCounts(["c", "b", "a", "b", "a", "d"].map((answer) => ({ text: "", answer })));
  assert.deepEqual(view, [
    ["b", 2, false],
    ["a", 2, false],
    ["c", 1, false],
    ["d", 1, false],
  ]);
});
