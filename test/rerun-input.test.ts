// Rerun Selection's one input: the number of reruns, then optionally the right answer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRerunInput } from "../src/extension/rerunInput";

test("the number of reruns, then the reference if given, in the ways people type them", () => {
  assert.deepEqual(parseRerunInput("", 8), { n: 8 });
  assert.deepEqual(parseRerunInput("  12 ", 8), { n: 12 });
  assert.deepEqual(parseRerunInput("8 18", 8), { n: 8, reference: "18" });
  assert.deepEqual(parseRerunInput("10, Paris", 8), { n: 10, reference: "Paris" });
  assert.deepEqual(parseRerunInput("n=5 reference=42", 8), { n: 5, reference: "42" });
  assert.deepEqual(parseRerunInput("5 ref: the capital is Paris", 8), { n: 5, reference: "the capital is Paris" });
  assert.deepEqual(parseRerunInput("6 answer 3/4", 8), { n: 6, reference: "3/4" });
});

test("what is not a number of reruns says what to type", () => {
  assert.match((parseRerunInput("Paris", 8) as { error: string }).error, /start with the number of reruns/);
  assert.match((parseRerunInput("0", 8) as { error: string }).error, /1 to 1000/);
  assert.match((parseRerunInput("5000 4", 8) as { error: string }).error, /1 to 1000/);
  assert.match((parseRerunInput("2.5", 8) as { error: string }).error, /start with the number|whole number/);
});
