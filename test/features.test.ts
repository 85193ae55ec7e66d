// Step equivalence and similarity (METRICS.md §9): equivalence notices numbers and operators;
// the same computation in other words or another operand order is the same step, a different
// computation (other numbers, other operator, other stated result) is not, however similar
// the words.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FeatureSpace, MAX_NONEQUIVALENT_SIMILARITY, equivalent, normalizeStepText, similarity } from "../src/core";

const space = new FeatureSpace();
const f = (text: string) => space.features(text);

function assertSame(a: string, b: string): void {
  const fa = f(a);
  const fb = f(b);
  assert.ok(equivalent(fa, fb), `expected ${JSON.stringify(a)} ≡ ${JSON.stringify(b)} (keys ${fa.key} / ${fb.key})`);
  assert.ok(equivalent(fb, fa), "equivalence is symmetric");
  assert.equal(similarity(fa, fb), 1, `similarity of ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
}

function assertDifferent(a: string, b: string): void {
  const fa = f(a);
  const fb = f(b);
  assert.ok(!equivalent(fa, fb), `expected ${JSON.stringify(a)} ≢ ${JSON.stringify(b)} (keys ${fa.key} / ${fb.key})`);
  assert.ok(!equivalent(fb, fa), "equivalence is symmetric");
  const s = similarity(fa, fb);
  assert.ok(s >= 0 && s <= MAX_NONEQUIVALENT_SIMILARITY, `similarity ${s} of non-equivalent steps must be in [0, 0.95]`);
  assert.equal(s, similarity(fb, fa), "similarity is symmetric");
}

test("MAX_NONEQUIVALENT_SIMILARITY is 0.95", () => {
  assert.equal(MAX_NONEQUIVALENT_SIMILARITY, 0.95);
});

test("commuted operands are the same step: 4 + 8 = 12 ≡ 8 + 4 = 12", () => {
  assertSame("4 + 8 = 12", "8 + 4 = 12");
  assertSame("3 * 12 = 36", "12 * 3 = 36");
  assertSame("2 + 3 + 4 = 9", "4 + 2 + 3 = 9");
  assertSame("2 * 3 * 4 = 24", "4 * (3 * 2) = 24");
});

test("a different operator on similar numbers is a different step: 4 + 8 = 12 ≢ 4 * 6 = 24", () => {
  assertDifferent("4 + 8 = 12", "4 * 6 = 24");
  assertDifferent("4 + 8 = 12", "4 * 8 = 32");
  assertDifferent("4 + 8 = 12", "8 - 4 = 4");
  assertDifferent("8 / 4 = 2", "8 - 4 = 4");
});

test("identical words do not make different computations equivalent", () => {
  assertDifferent("We add them up: 4 + 8 = 12, which is the total we need.", "We add them up: 4 * 6 = 24, which is the total we need.");
  assertDifferent("So she has 16 - 3 = 13 eggs left for the rest of the day.", "So she has 16 - 4 = 12 eggs left for the rest of the day.");
  // and the similarity of such a pair stays below 1
  const s = similarity(f("We add them up: 4 + 8 = 12, which is the total we need."), f("We add them up: 4 * 6 = 24, which is the total we need."));
  assert.ok(s < 1 && s > 0, `similarity ${s}`);
});

test("subtraction is not commutative: 16 - 3 = 13 ≢ 3 - 16 = -13", () => {
  assertDifferent("16 - 3 = 13", "3 - 16 = -13");
  assertDifferent("12 / 4 = 3", "4 / 12 = 0.33");
});

test("16 - 3 = 13 in different words is the same step", () => {
  const forms = [
    "16 - 3 = 13",
    "She has 13 left after 16 - 3",
    "16 minus 3 is 13",
    "She eats 3 of the 16 eggs: 16 - 3 = 13 remain.",
    "After breakfast she is left with 16 − 3 = 13 eggs.",
    "That leaves 13 eggs (16 - 3).",
    "13 = 16 - 3",
    "16 minus 3 equals 13",
    "16-3=13",
    "$16 - $3 = $13",
    "Eggs left after breakfast = 16 – 3 = 13.",
  ];
  for (const a of forms) for (const b of forms) assertSame(a, b);
});

test("a different computation or a wrong result is a different step", () => {
  const ref = "16 - 3 = 13";
  assertDifferent(ref, "13 - 3 = 10"); // other numbers
  assertDifferent(ref, "16 - 3 = 12"); // wrong result: a different step
  assertDifferent(ref, "16 - 4 = 12");
  assertDifferent(ref, "16 + 3 = 19");
  assertDifferent(ref, "16 - 3 - 4 = 9");
  assertDifferent("She has 13 left after 16 - 3", "She has 12 left after 16 - 3");
  assertDifferent("She eats 3 of the 16 eggs: 16 - 3 = 13 remain.", "She eats 3 of the 16 eggs: 16 - 3 = 12 remain.");
});

test("nested expressions: (6 - 4) * (4 + 8) = 24 ≡ (4 + 8) * (6 - 4) = 24", () => {
  assertSame("(6 - 4) * (4 + 8) = 24", "(4 + 8) * (6 - 4) = 24");
  assertSame("(6 - 4) * (4 + 8) = 24", "(8 + 4) * (6 - 4) = 24");
  assertSame("Answer: (6 - 4) * (4 + 8) = 24", "(4 + 8) × (6 − 4) = 24");
  assertDifferent("(6 - 4) * (4 + 8) = 24", "(4 - 6) * (4 + 8) = -24");
  assertDifferent("(6 - 4) * (4 + 8) = 24", "6 - 4 * 4 + 8 = -2");
  assertDifferent("(6 - 4) * (4 + 8) = 24", "(6 + 4) * (4 - 8) = -40");
});

test("operator symbols and words are unified", () => {
  assertSame("9 * 2 = 18", "9 × 2 = 18");
  assertSame("9 * 2 = 18", "9 times 2 is 18");
  assertSame("9 * 2 = 18", "9 multiplied by 2 equals 18");
  assertSame("9 * 2 = 18", "9 x 2 = 18");
  assertSame("9 * 2 = 18", "9 * $2 = $18");
  assertSame("9 * 2 = 18", "$2 × 9 = $18");
  assertSame("9 * 2 = 18", "She earns 18 dollars from 9 * 2.");
  assertSame("48 / 2 = 24", "48 ÷ 2 = 24");
  assertSame("48 / 2 = 24", "48 divided by 2 is 24");
  assertSame("4 + 8 = 12", "4 plus 8 makes 12");
  assertSame("1,200 + 300 = 1,500", "1200 + 300 = 1500");
});

test("list markers, 'Step n:' prefixes and emphasis do not matter", () => {
  const ref = "16 - 3 = 13";
  for (const v of ["1. 16 - 3 = 13", "2) 16 - 3 = 13", "- 16 - 3 = 13", "* 16 - 3 = 13", "• 16 - 3 = 13", "Step 2: 16 - 3 = 13", "step 2. 16 - 3 = 13", "**Step 2:** 16 - 3 = 13", "## Step 2: 16 - 3 = 13", "`16 - 3 = 13`"]) {
    assertSame(ref, v);
  }
  // also for steps without a computation
  assertSame("Step 1: Janet's ducks lay 16 eggs per day.", "1. Janet's ducks lay 16 eggs per day.");
  assertSame("- Janet's ducks lay 16 eggs per day.", "Janet's ducks lay 16 eggs per day.");
  // a list number is not mistaken for an operand
  assertDifferent("Step 2: 16 - 3 = 13", "Step 2: 16 - 4 = 12");
});

test("normalizeStepText strips markers and unifies operators", () => {
  assert.equal(normalizeStepText("Step 2: 16 − 3 = 13"), "16 - 3 = 13");
  assert.equal(normalizeStepText("1. 9 × 2 = 18"), "9 * 2 = 18");
  assert.equal(normalizeStepText("  - 48 ÷ 2 = 24  "), "48 / 2 = 24");
  assert.equal(normalizeStepText("16 minus 3 is 13"), "16 - 3 is 13");
  assert.equal(normalizeStepText("Revenue: 1,200 plus 300"), "revenue: 1200 + 300");
});

test("computations are canonical: commutative operands sorted, stated result kept", () => {
  assert.deepEqual(f("8 + 4 = 12").comps, ["(+ 4 8)=12"]);
  assert.deepEqual(f("She has 13 left after 16 - 3").comps, ["(- 16 3)=13"]);
  assert.deepEqual(f("16 - 3 = 12").comps, ["(- 16 3)=12"]);
  assert.deepEqual(f("She ate 16 - 3 eggs").comps, ["(- 16 3)=?"]);
  assert.deepEqual(f("Janet's ducks lay 16 eggs per day.").comps, []);
  assert.deepEqual(f("4 + 8 = 12 (left: 4 6 12)").comps, ["(+ 4 8)=12"]);
});

test("steps without computations: same numbers and mostly the same words", () => {
  assertSame("Janet eats 3 eggs for breakfast.", "Step 2: She eats three eggs for breakfast");
  assertSame("The answer is $18.", "The final answer is 18");
  assertSame("So she sells 9 eggs.", "She has 9 eggs left to sell.");
  // other numbers: different steps, even with the same words
  assertDifferent("She eats 3 eggs for breakfast.", "She eats 4 eggs for breakfast.");
  assertDifferent("The answer is $18.", "The answer is $16.");
  // nothing in common but the number: different steps
  assertDifferent("She eats 3 eggs for breakfast.", "Each muffin needs 3 cups of flour.");
  // a step with a computation is never equivalent to one without
  assertDifferent("16 - 3 = 13", "She has 13 eggs.");
});

test("steps without computations: the same number in a different statement is a different step", () => {
  // a wrong turn that misreads "bakes muffins with 4" as 3 states a different fact from "eats 3"
  assertDifferent("She eats 3 eggs for breakfast.", "She bakes muffins with 3 eggs.");
  assertDifferent("She sells each egg for $2.", "She eats 2 eggs every morning.");
});

test("similarity is in [0, 1]; 1 exactly for equivalent steps, ≤ 0.95 otherwise", () => {
  const steps = [
    "16 - 3 = 13",
    "She has 13 left after 16 - 3",
    "16 - 3 = 12",
    "13 - 3 = 10",
    "13 - 4 = 9",
    "9 * 2 = 18",
    "9 × $2 = $18",
    "4 + 8 = 12",
    "8 + 4 = 12",
    "4 * 6 = 24",
    "Janet's ducks lay 16 eggs per day.",
    "The ducks lay 16 eggs per day.",
    "The answer is 18.",
    "The answer is 16.",
    "Let me double-check this.",
    "Let me double-check: 9 + 4 + 3 = 16.",
    "",
    "---",
  ];
  for (const a of steps) {
    for (const b of steps) {
      const fa = f(a);
      const fb = f(b);
      const s = similarity(fa, fb);
      assert.ok(Number.isFinite(s) && s >= 0 && s <= 1, `similarity(${a}, ${b}) = ${s}`);
      if (equivalent(fa, fb)) assert.equal(s, 1, `${a} ≡ ${b}`);
      else assert.ok(s <= MAX_NONEQUIVALENT_SIMILARITY, `similarity(${a}, ${b}) = ${s} > 0.95 for non-equivalent steps`);
    }
    assert.equal(similarity(f(a), f(a)), 1, "a step is fully similar to itself");
  }
});

test("similarity ranks a near miss above an unrelated step", () => {
  const ref = f("She eats 3, so 16 - 3 = 13 eggs remain.");
  const nearMiss = similarity(ref, f("She eats 3, so 16 - 3 = 12 eggs remain."));
  const unrelated = similarity(ref, f("At $2 each, 9 * 2 = 18."));
  assert.ok(nearMiss > unrelated, `${nearMiss} > ${unrelated}`);
});

test("FeatureSpace caches by normalised text", () => {
  const s = new FeatureSpace();
  const a = s.features("1. 16 - 3 = 13");
  const b = s.features("Step 1: 16 − 3 = 13");
  assert.equal(a, b, "the same normalised text shares one features object");
  assert.equal(s.size, 1);
  s.features("13 - 4 = 9");
  assert.equal(s.size, 2);
});

// ---- realistic phrasings of the same computation, as models write them in word problems ----

test("units written next to the numbers: 16 eggs - 3 eggs = 13 eggs ≡ 16 - 3 = 13", () => {
  assertSame("16 eggs - 3 eggs = 13 eggs", "16 - 3 = 13");
  assertSame("13 eggs - 4 eggs = 9 eggs", "13 - 4 = 9");
  assertSame("9 eggs × $2 = $18", "9 * 2 = 18");
  assertDifferent("16 eggs - 3 eggs = 13 eggs", "16 eggs - 4 eggs = 12 eggs");
});

test("'x' as the multiplication sign before a currency amount: 9 x $2 = $18 ≡ 9 * 2 = 18", () => {
  assertSame("9 x $2 = $18", "9 * 2 = 18");
  assertDifferent("9 x $2 = $18", "9 + 2 = 11");
});

test("'3 subtracted from 16 is 13' is 16 - 3, not 3 - 16", () => {
  assertSame("3 subtracted from 16 is 13", "16 - 3 = 13");
  assertDifferent("3 subtracted from 16 is 13", "3 - 16 = 13");
});

test("a word that names a property of every object is a word, not a number: 'constructor'", () => {
  const space = new FeatureSpace();
  const f = space.features("The constructor calls the base class");
  assert.equal(f.numbersKey, "", "no number stated");
  assert.equal(f.substance, null);
  assert.equal(f.numberIds.length, 0);
  assert.ok(f.wordIds.length >= 3, "constructor, calls, base, class are words");
  // and a real number word still counts
  assert.equal(space.features("there are four ducks").numbersKey, "4");
});
