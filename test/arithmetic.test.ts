// What the simulated reasoner reads as arithmetic (src/sampling/arithmetic.ts): an expression
// written out, in symbols or operator words, worked in a person's order; and what it leaves
// alone because the digits in it are not a sum to work out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fmtNumber, operations, parseArithmetic, value } from "../src/sampling/arithmetic";

/** The operations of a prompt's expression as "a op b", in the order they are done. */
function plan(prompt: string): { expression: string; ops: string[]; answer: number | null } | null {
  const p = parseArithmetic(prompt);
  if (!p) return null;
  const ops = operations(p.tree).map((e) => (e.kind === "op" ? `${fmtNumber(value(e.left)!)} ${e.op} ${fmtNumber(value(e.right)!)}` : ""));
  return { expression: p.expression, ops, answer: value(p.tree) };
}

test("expressions in symbols: precedence, parentheses, powers, decimals, negatives, thousands", () => {
  assert.deepEqual(plan("What is 17 * 24 + 3?"), { expression: "17 × 24 + 3", ops: ["17 * 24", "408 + 3"], answer: 411 });
  assert.deepEqual(plan("Compute (12 + 7) * 3 - 5"), { expression: "(12 + 7) × 3 - 5", ops: ["12 + 7", "19 * 3", "57 - 5"], answer: 52 });
  assert.deepEqual(plan("2 + 3 * 4 = ?")?.ops, ["3 * 4", "2 + 12"]);
  assert.deepEqual(plan("Evaluate 10 - (4 - 2) please.")?.expression, "10 - (4 - 2)");
  assert.deepEqual(plan("what's 2^3^2")?.answer, 512);
  assert.equal(plan("What is 1.5 × 4 ÷ 3?")?.answer, 2);
  assert.equal(plan("What is -3 + 5 * 2?")?.answer, 7);
  assert.equal(plan("What is 1,250 + 3,750?")?.answer, 5000);
  assert.equal(plan("What is 10 / 4?")?.answer, 2.5);
  assert.equal(plan("What is 2 ** 10?")?.answer, 1024);
});

test("operator words, and the sum / product / difference of two numbers", () => {
  assert.deepEqual(plan("What is 12 times 7 plus 5?")?.ops, ["12 * 7", "84 + 5"]);
  assert.equal(plan("How much is 100 divided by 4 minus 3?")?.answer, 22);
  assert.equal(plan("What is 6 multiplied by 7?")?.answer, 42);
  assert.equal(plan("What is the sum of 4 and 5 times 3?")?.answer, 27);
  assert.equal(plan("What is the product of 6 and 7?")?.answer, 42);
  assert.equal(plan("What is the difference between 20 and 8?")?.answer, 12);
  assert.equal(plan("What is 9 squared plus 3 x 4?")?.answer, 93);
  assert.equal(plan("What is 2 to the power of 8?")?.answer, 256);
});

test("a bare minus or slash counts only where the prompt asks for a value", () => {
  assert.equal(plan("What is 10-4?")?.answer, 6);
  assert.equal(plan("Compute 3/4")?.answer, 0.75);
  assert.equal(plan("Summarise what happened in 2020-2021."), null);
  assert.equal(plan("Read pages 10 - 20 and list the characters."), null);
  assert.equal(plan("Add 1/2 cup of sugar, then stir."), null);
});

test("what is not read as arithmetic: no expression, algebra, worked examples, dates, times, versions, units, two questions", () => {
  for (const prompt of [
    "What is the capital of France?",
    "Janet's ducks lay 16 eggs a day. She eats 3 for breakfast and bakes with 4. How many are left?",
    "Solve 3x + 4 = 10 for x.",
    "Expand x^2 + 2 * x + 1.",
    "Check this: 4 + 8 = 12.",
    "The meeting on 2024-05-01 at 9:40 was moved to 12/05/2024.",
    "Upgrade from 1.2.3 to 1.10.0.",
    "A 1920x1080 screen.",
    "What is 5 kg + 3 kg?",
    "What is 3 + 4? And what is 5 * 6?",
    "Write a haiku about autumn.",
    "",
  ])
    assert.equal(plan(prompt), null, prompt);
  // the same expression asked twice is one question
  assert.equal(plan("What is 2 + 2? Explain why 2 + 2 is what it is.")?.answer, 4);
});

test("a prompt made of worked examples (the Game of 24 fixtures' few-shot prompt) is not a sum to do", () => {
  const fixture = join(__dirname, "..", "..", "shared", "fixtures", "game24-gpt4-cot", "traces.jsonl");
  let prompt: string;
  try {
    prompt = (JSON.parse(readFileSync(fixture, "utf8").split("\n")[0]!) as { prompt: string }).prompt;
  } catch {
    prompt = "Input: 4 4 6 8\nSteps:\n4 + 8 = 12 (left: 4 6 12)\n6 - 4 = 2 (left: 2 12)\n2 * 12 = 24 (left: 24)\nAnswer: (6 - 4) * (4 + 8) = 24\nInput: 4 5 6 10\n";
  }
  assert.equal(plan(prompt), null);
});

test("a division by zero parses (the reasoner says it has no value); numbers out of reach do not", () => {
  const z = parseArithmetic("What is 5 + 7 / 0?");
  assert.ok(z);
  assert.equal(value(z.tree), null);
  assert.equal(parseArithmetic("What is 10 ^ 400?"), null);
  assert.equal(parseArithmetic(`What is ${Array.from({ length: 60 }, (_, i) => i + 1).join(" + ")}?`), null, "past 40 operations it is not done by hand");
});

test("numbers are written as a person writes them", () => {
  assert.equal(fmtNumber(408), "408");
  assert.equal(fmtNumber(10 / 3), "3.3333");
  assert.equal(fmtNumber(2.5), "2.5");
  assert.equal(fmtNumber(-0.00001), "0");
});
