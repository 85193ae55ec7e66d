// Step segmentation (METRICS.md §9): lines, numbered and bulleted items with their indented
// continuation lines, blank lines and decoration dropped, long one-line paragraphs cut at
// sentence ends, and every step's character offsets into the original trace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { segment, type Step } from "../src/core";

/** Every step is exactly the slice of the trace its offsets point at, in order, non-overlapping. */
function assertOffsets(trace: string, steps: Step[]): void {
  let last = 0;
  for (const s of steps) {
    assert.equal(s.text, trace.slice(s.start, s.end), `offsets of ${JSON.stringify(s.text)}`);
    assert.ok(s.start >= last, "steps are in order and do not overlap");
    assert.ok(s.end > s.start, "no empty step");
    assert.equal(s.text, s.text.trim(), "a step has no surrounding whitespace");
    last = s.end;
  }
}

function texts(trace: string): string[] {
  const steps = segment(trace);
  assertOffsets(trace, steps);
  return steps.map((s) => s.text);
}

test("each plain line is one step", () => {
  const trace = "Janet's ducks lay 16 eggs per day.\nShe eats 3 for breakfast, so 16 - 3 = 13.\nShe bakes with 4, so 13 - 4 = 9.";
  assert.deepEqual(texts(trace), [
    "Janet's ducks lay 16 eggs per day.",
    "She eats 3 for breakfast, so 16 - 3 = 13.",
    "She bakes with 4, so 13 - 4 = 9.",
  ]);
});

test("empty and whitespace-only traces have no steps", () => {
  assert.deepEqual(segment(""), []);
  assert.deepEqual(segment("   \n\n\t\n  "), []);
});

test("numbered items with '1.' and '2)' markers are steps, marker included in the text", () => {
  const trace = "1. The ducks lay 16 eggs.\n2. She eats 3: 16 - 3 = 13.\n3) She bakes with 4: 13 - 4 = 9.\n(4) She sells 9 at $2: 9 * 2 = 18.";
  assert.deepEqual(texts(trace), [
    "1. The ducks lay 16 eggs.",
    "2. She eats 3: 16 - 3 = 13.",
    "3) She bakes with 4: 13 - 4 = 9.",
    "(4) She sells 9 at $2: 9 * 2 = 18.",
  ]);
});

test("bullets ('-', '*', '+', '•') and 'Step n:' headings are steps", () => {
  const trace = "- 16 - 3 = 13\n* 13 - 4 = 9\n+ 9 * 2 = 18\n• The answer is 18.\nStep 5: Done.";
  assert.deepEqual(texts(trace), ["- 16 - 3 = 13", "* 13 - 4 = 9", "+ 9 * 2 = 18", "• The answer is 18.", "Step 5: Done."]);
});

test("indented continuation lines join their list item; the step spans both lines", () => {
  const trace = [
    "1. Janet's ducks lay 16 eggs per day.",
    "   She eats 3 of them for breakfast.",
    "2. She bakes muffins with 4 eggs.",
    "- The rest are sold",
    "  at $2 each.",
    "- 9 * 2 = 18",
  ].join("\n");
  const steps = segment(trace);
  assertOffsets(trace, steps);
  assert.deepEqual(
    steps.map((s) => s.text),
    [
      "1. Janet's ducks lay 16 eggs per day.\n   She eats 3 of them for breakfast.",
      "2. She bakes muffins with 4 eggs.",
      "- The rest are sold\n  at $2 each.",
      "- 9 * 2 = 18",
    ],
  );
  assert.equal(steps[0]!.start, 0);
  assert.equal(steps[0]!.end, trace.indexOf("breakfast.") + "breakfast.".length);
});

test("an indented sub-item is its own step, not a continuation", () => {
  const trace = "1. Eggs used:\n   - 3 for breakfast\n   - 4 for muffins\n2. 3 + 4 = 7";
  assert.deepEqual(texts(trace), ["1. Eggs used:", "- 3 for breakfast", "- 4 for muffins", "2. 3 + 4 = 7"]);
});

test("an indented line after a plain (non-list) line is not joined to it", () => {
  const trace = "She eats 3 eggs.\n    She bakes with 4 eggs.";
  assert.deepEqual(texts(trace), ["She eats 3 eggs.", "She bakes with 4 eggs."]);
});

test("a continuation line at the same indent as its item starts a new step", () => {
  const trace = "- She eats 3 eggs.\nShe bakes with 4 eggs.";
  assert.deepEqual(texts(trace), ["- She eats 3 eggs.", "She bakes with 4 eggs."]);
});

test("blank lines separate steps and are dropped; a blank line ends a list item", () => {
  const trace = "\n\n1. 16 - 3 = 13\n\n   \n   13 - 4 = 9\n\n\n9 * 2 = 18\n\n";
  assert.deepEqual(texts(trace), ["1. 16 - 3 = 13", "13 - 4 = 9", "9 * 2 = 18"]);
});

test("decoration is dropped: rules, fences without a language, lone punctuation", () => {
  const trace = ["16 - 3 = 13", "---", "***", "```", "13 - 4 = 9", "```", "===", "...", "  ~~~  ", "9 * 2 = 18", "___", "* * *"].join("\n");
  assert.deepEqual(texts(trace), ["16 - 3 = 13", "13 - 4 = 9", "9 * 2 = 18"]);
});

test("decoration ends a list item (a rule line is not joined as a continuation)", () => {
  const trace = "1. 16 - 3 = 13\n   ---\n   13 - 4 = 9";
  // the rule flushes item 1; the indented line after it is then a plain line of its own
  assert.deepEqual(texts(trace), ["1. 16 - 3 = 13", "13 - 4 = 9"]);
});

test("a long one-line paragraph is cut at sentence ends, with offsets into the original", () => {
  const trace =
    "Janet's ducks lay 16 eggs per day and she eats three of them for breakfast every morning. " +
    "She bakes muffins for her friends every day with four of the eggs, which uses up some more. " +
    "The rest are sold at the farmers' market for $2 per fresh duck egg, so she sells 16 - 3 - 4 = 9 eggs. " +
    "That gives her 9 * 2 = 18 dollars every single day at the market. The answer is 18.";
  assert.ok(trace.length > 320, "the paragraph is long enough to be cut");
  const steps = segment(trace);
  assertOffsets(trace, steps);
  assert.deepEqual(
    steps.map((s) => s.text),
    [
      "Janet's ducks lay 16 eggs per day and she eats three of them for breakfast every morning.",
      "She bakes muffins for her friends every day with four of the eggs, which uses up some more.",
      "The rest are sold at the farmers' market for $2 per fresh duck egg, so she sells 16 - 3 - 4 = 9 eggs.",
      // the last sentence is short, but it ends the paragraph: it is kept as its own step
      "That gives her 9 * 2 = 18 dollars every single day at the market.",
      "The answer is 18.",
    ],
  );
});

test("a long paragraph keeps short sentences with the next one, and does not cut inside numbers", () => {
  const trace =
    "Wait. So. The price is $2.50 per egg and she sells 9 eggs every day at the farmers' market downtown. " +
    "Then 9 * 2.5 = 22.5 dollars, which is the amount she makes in one day from the eggs she sells. " +
    "Hmm, let me re-read the problem to be sure that the price is really $2.50 and not $2 as I first thought. " +
    "Yes it is, the price is $2.50 per egg, so the total is right.";
  assert.ok(trace.length > 320);
  const steps = segment(trace);
  assertOffsets(trace, steps);
  assert.equal(steps[0]!.text.startsWith("Wait. So. The price is $2.50 per egg"), true, "short sentences join the next one");
  assert.ok(steps.some((s) => s.text.includes("9 * 2.5 = 22.5 dollars")), "decimals are not sentence ends");
  assert.deepEqual(
    steps.map((s) => s.text),
    [
      "Wait. So. The price is $2.50 per egg and she sells 9 eggs every day at the farmers' market downtown.",
      "Then 9 * 2.5 = 22.5 dollars, which is the amount she makes in one day from the eggs she sells.",
      "Hmm, let me re-read the problem to be sure that the price is really $2.50 and not $2 as I first thought.",
      "Yes it is, the price is $2.50 per egg, so the total is right.",
    ],
  );
});

test("a short one-line paragraph is not cut", () => {
  const trace = "She eats 3. She bakes with 4. She sells the rest at $2 each, so 9 * 2 = 18.";
  assert.deepEqual(texts(trace), [trace]);
});

test("CRLF text: steps exclude the \\r, offsets point into the CRLF original", () => {
  const trace = "1. 16 - 3 = 13\r\n   so 13 remain\r\n\r\n2. 13 - 4 = 9\r\n---\r\n9 * 2 = 18\r\n";
  const steps = segment(trace);
  assertOffsets(trace, steps);
  assert.deepEqual(
    steps.map((s) => s.text),
    ["1. 16 - 3 = 13\r\n   so 13 remain", "2. 13 - 4 = 9", "9 * 2 = 18"],
  );
  for (const s of steps) assert.ok(!s.text.endsWith("\r") && !s.text.startsWith("\r"));
});

test("tabs, non-ASCII text and leading whitespace keep exact offsets", () => {
  const trace = "\t  Les canards pondent 16 œufs.  \n\t• Elle en mange 3 : 16 − 3 = 13\n  → reste 13 ✓\n日本語のステップ 9 × 2 = 18";
  const steps = segment(trace);
  assertOffsets(trace, steps);
  assert.deepEqual(
    steps.map((s) => s.text),
    ["Les canards pondent 16 œufs.", "• Elle en mange 3 : 16 − 3 = 13\n  → reste 13 ✓", "日本語のステップ 9 × 2 = 18"],
  );
});

test("offsets hold on a realistic mixed trace", () => {
  const trace = [
    "Let me think step by step.",
    "",
    "**Step 1:** The ducks lay 16 eggs per day.",
    "**Step 2:** She eats 3, so 16 - 3 = 13 eggs remain.",
    "",
    "1. Then she bakes muffins with 4:",
    "   13 - 4 = 9 eggs.",
    "2) She sells them at $2 each:",
    "   9 × $2 = $18.",
    "",
    "---",
    "",
    "```",
    "answer = 18",
    "```",
    "**Answer: $18**",
  ].join("\n");
  const steps = segment(trace);
  assertOffsets(trace, steps);
  assert.deepEqual(
    steps.map((s) => s.text),
    [
      "Let me think step by step.",
      "**Step 1:** The ducks lay 16 eggs per day.",
      "**Step 2:** She eats 3, so 16 - 3 = 13 eggs remain.",
      "1. Then she bakes muffins with 4:\n   13 - 4 = 9 eggs.",
      "2) She sells them at $2 each:\n   9 × $2 = $18.",
      "answer = 18",
      "**Answer: $18**",
    ],
  );
});
