// Divergence against the reference class's path (issue 16, src/core/refpath.ts). The majority is
// wrong and the minority right: with a reference the right runs are the ones at 0 where the two
// part, and the majority's cells are the divergent ones; without one, the majority's consensus
// stays the yardstick (the alignment's own divergences, unchanged) and the analysis says so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FeatureSpace, align, analyzeRecords, divergenceCaption, groupRole, mulberry32, segment, type PromptAnalysis, type PromptRecord, type Sample } from "../src/core";

const pick = <T>(rng: () => number, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;

/**
 * Janet's ducks (16 eggs, 3 eaten, 4 baked, $2 each: 18): `wrong` runs forget the muffins (26),
 * check their sum on the way and add a word of confidence at the end; the rest are right. Wording and the order of the runs come from
 * the seed.
 */
function ducks(seed: number, right: number, wrong: number): { samples: Sample[]; isRight: boolean[] } {
  const rng = mulberry32(seed);
  const lay = ["Janet's ducks lay 16 eggs per day.", "Janet's ducks lay 16 eggs every day."];
  const eat = ["She eats 3 for breakfast: 16 - 3 = 13.", "After breakfast she has 16 - 3 = 13 eggs."];
  const bake = ["She bakes muffins with 4: 13 - 4 = 9.", "Muffins use 4 more: 13 - 4 = 9 eggs left."];
  const check = ["Let me double-check: 13 + 3 = 16.", "Check: 13 + 3 = 16, right."];
  const sure = ["I am confident in this result.", "I am quite sure about this result."];
  const runs: { text: string; right: boolean }[] = [];
  for (let i = 0; i < right; i++)
    runs.push({ right: true, text: [pick(rng, lay), pick(rng, eat), pick(rng, bake), "She sells 9 eggs at $2 each: 9 * 2 = 18.", "Answer: 18"].join("\n") });
  for (let i = 0; i < wrong; i++)
    runs.push({ right: false, text: [pick(rng, lay), pick(rng, eat), pick(rng, check), "She sells 13 eggs at $2 each: 13 * 2 = 26.", "Answer: 26", pick(rng, sure)].join("\n") });
  for (let i = runs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [runs[i], runs[j]] = [runs[j]!, runs[i]!];
  }
  return { samples: runs.map((r) => ({ text: r.text, answer: r.right ? 18 : 26 })), isRight: runs.map((r) => r.right) };
}

/** Each run's state in a column: its group, or −1 for a gap. */
const stateOf = (p: PromptAnalysis, c: number, k: number) => p.columns[c]!.cells[k]!.group ?? -1;

/** Columns where every right run is in one state, every wrong run in one other (the two paths part there). */
function partingColumns(p: PromptAnalysis, isRight: boolean[]): number[] {
  const out: number[] = [];
  p.columns.forEach((_, c) => {
    const right = new Set(isRight.flatMap((r, k) => (r ? [stateOf(p, c, k)] : [])));
    const wrong = new Set(isRight.flatMap((r, k) => (r ? [] : [stateOf(p, c, k)])));
    if (right.size === 1 && wrong.size === 1 && [...right][0] !== [...wrong][0]) out.push(c);
  });
  return out;
}

/** The alignment's own divergences of the runs' texts (the majority's yardstick), column by column. */
function majorityDivergences(samples: Sample[]): number[][] {
  const space = new FeatureSpace();
  const { columns } = align(samples.map((s) => segment(s.text!).map((st) => space.features(st.text))));
  return columns.map((col) => col.cells.map((cell) => cell.divergence));
}

const divergences = (p: PromptAnalysis) => p.columns.map((col) => col.cells.map((cell) => cell.divergence));

for (const seed of [1, 2, 3, 4, 5]) {
  test(`seed ${seed}: the majority is wrong; with a reference the right runs are 0 where the paths part, the majority's cells above 0`, () => {
    const { samples, isRight } = ducks(seed, 2, 5);
    const p = analyzeRecords([{ id: "ducks", reference: 18, samples }], { resamples: 0 }).prompts[0]!;
    assert.deepEqual(p.divergenceBasis, { kind: "reference", runs: 2 });
    const parting = partingColumns(p, isRight);
    // the muffins (or the wrong runs' check in their place), the sale, the answer, the confidence
    assert.ok(parting.length >= 3, `the paths part in ${parting.length} columns`);
    for (const c of parting) {
      const cells = p.columns[c]!.cells;
      isRight.forEach((right, k) => {
        const cell = cells[k]!;
        // words only ("I am confident in this result.") in text that computes is filler: 0 wherever it stands
        const filler = cell.step !== null && /confident|sure/.test(p.runs[k]!.steps[cell.step]!.text);
        if (right || filler) assert.equal(cell.divergence, 0, `column ${c}: run ${k} is on the reference path or says nothing`);
        else assert.ok(cell.divergence > 0, `column ${c}: wrong run ${k} diverges from the reference path`);
      });
      const refRun = isRight.indexOf(true);
      assert.equal(p.columns[c]!.referenceGroup, p.columns[c]!.cells[refRun]!.group, `column ${c}: the reference group is the right runs'`);
    }
    // a step only the wrong runs take (the confidence): the reference path has none there, so
    // their gap is 0; the step is words only in text that computes, filler, so it is 0 too
    // (it does nothing the path does not); a step of content there would be 1
    const own = p.columns.flatMap((_, c) => (isRight.every((r, k) => (stateOf(p, c, k) === -1) === r) ? [c] : []));
    assert.ok(own.length >= 1, "a column only the wrong runs fill");
    for (const c of own) {
      assert.equal(p.columns[c]!.referenceGroup, null);
      isRight.forEach((right, k) => {
        const cell = p.columns[c]!.cells[k]!;
        const text = cell.step === null ? "" : p.runs[k]!.steps[cell.step]!.text;
        assert.equal(cell.divergence, right || /confident|sure/.test(text) ? 0 : 1, `column ${c}, run ${k}: ${text}`);
      });
    }
    // the majority's consensus would have painted the right runs: the old yardstick differs here
    const old = majorityDivergences(samples);
    assert.ok(
      parting.some((c) => isRight.some((r, k) => r && old[c]![k]! > 0)),
      "against the majority the right runs were the divergent ones",
    );
  });

  test(`seed ${seed}: without a reference the majority's consensus stays the yardstick, and the analysis says why`, () => {
    const { samples, isRight } = ducks(seed, 2, 5);
    const old = majorityDivergences(samples);
    const none = analyzeRecords([{ id: "ducks", samples }], { resamples: 0 }).prompts[0]!;
    assert.deepEqual(none.divergenceBasis, { kind: "majority", reason: "no target" });
    assert.deepEqual(divergences(none), old);
    assert.ok(none.columns.every((col) => !("referenceGroup" in col)));
    // where both paths have a step and part, the majority is at 0 and the right runs above
    const both = partingColumns(none, isRight).filter((c) => isRight.every((_, k) => stateOf(none, c, k) !== -1));
    assert.ok(both.length >= 1);
    for (const c of both) isRight.forEach((right, k) => assert.equal(none.columns[c]!.cells[k]!.divergence > 0, right));
    // a reference given but ignored (--reference-free): the same
    const free = analyzeRecords([{ id: "ducks", reference: 18, samples }], { resamples: 0, referenceFree: true }).prompts[0]!;
    assert.deepEqual(free.divergenceBasis, { kind: "majority", reason: "no target" });
    assert.deepEqual(divergences(free), old);
  });
}

test("no run in the reference class: the majority's divergences, and the basis says there was no run to follow", () => {
  const { samples } = ducks(7, 2, 5);
  const p = analyzeRecords([{ id: "ducks", reference: 99, samples }], { resamples: 0 }).prompts[0]!;
  assert.deepEqual(p.divergenceBasis, { kind: "majority", reason: "no run in the reference class" });
  assert.deepEqual(divergences(p), majorityDivergences(samples));
});

test("the majority right: the reference path is the consensus, and every divergence is the alignment's", () => {
  const { samples } = ducks(8, 5, 2);
  const p = analyzeRecords([{ id: "ducks", reference: 18, samples }], { resamples: 0 }).prompts[0]!;
  assert.deepEqual(p.divergenceBasis, { kind: "reference", runs: 5 });
  const old = majorityDivergences(samples);
  // the wrong runs' own check column has no step on the reference path: their gap there is 0 too
  p.columns.forEach((col, c) => {
    if (col.referenceGroup === 0) assert.deepEqual(divergences(p)[c], old[c], `column ${c}`);
  });
  assert.ok(p.columns.filter((col) => col.referenceGroup === 0).length >= 3);
});

test("flags: the reference class is the runs marked correct, numbered by their recorded index", () => {
  const { samples, isRight } = ducks(9, 2, 5);
  const flagged = samples.map((s, i) => ({ text: s.text, correct: isRight[i]!, index: 10 + 2 * i }));
  const p = analyzeRecords([{ id: "ducks", samples: flagged }], { resamples: 0 }).prompts[0]!;
  assert.deepEqual(p.divergenceBasis, { kind: "reference", runs: 2 });
  for (const c of partingColumns(p, isRight))
    p.columns[c]!.cells.forEach((cell, k) => {
      assert.equal(cell.run, 10 + 2 * k);
      assert.equal(cell.divergence === 0, isRight[k]);
    });
});

test("agent trajectories: the runs with reward 1 are the reference; the majority's other call is the divergent one", () => {
  const run = (call: string, reward: number): Sample => ({
    steps: [
      { kind: "user", text: "I want my money back for order 7." },
      { kind: "tool_call", name: "get_order", arguments: { id: 7 } },
      { kind: "tool_result", text: '{"id": 7, "status": "delivered"}' },
      { kind: "tool_call", name: call, arguments: { id: 7 } },
      { kind: "tool_result", text: '{"ok": true}' },
      { kind: "text", text: call === "refund" ? "Your refund is on its way." : "Your order is cancelled." },
    ],
    reward,
  });
  const rewards = [0, 1, 0, 0, 1, 0, 0];
  const samples = rewards.map((r) => run(r === 1 ? "refund" : "cancel_order", r));
  const record: PromptRecord = { id: "refund", samples };
  const p = analyzeRecords([record], { resamples: 0 }).prompts[0]!;
  assert.deepEqual(p.divergenceBasis, { kind: "reference", runs: 2 });
  const isRight = rewards.map((r) => r === 1);
  const parting = partingColumns(p, isRight);
  assert.ok(parting.length >= 1, "the refund and the cancellation part somewhere");
  for (const c of parting)
    isRight.forEach((right, k) => {
      const d = p.columns[c]!.cells[k]!.divergence;
      if (right) assert.equal(d, 0, `column ${c}, run ${k}`);
      else assert.ok(d > 0, `column ${c}, run ${k}`);
    });
  const none = analyzeRecords([record], { resamples: 0, referenceFree: true }).prompts[0]!;
  assert.deepEqual(none.divergenceBasis, { kind: "majority", reason: "no target" });
  assert.ok(partingColumns(none, isRight).some((c) => isRight.some((r, k) => r && none.columns[c]!.cells[k]!.divergence > 0)));
});

test("the views' words: what divergence is from, and what a group is in its column", () => {
  assert.equal(divergenceCaption({ kind: "reference", runs: 7 }), "divergence from the reference path (7 runs)");
  assert.equal(divergenceCaption({ kind: "reference", runs: 1 }), "divergence from the reference path (1 run)");
  assert.equal(divergenceCaption({ kind: "majority", reason: "no target" }), "divergence from the majority's path — no reference: set one to compare with the right answer");
  assert.equal(divergenceCaption({ kind: "majority", reason: "no run in the reference class" }), "divergence from the majority's path — no run reached the reference answer");
  assert.equal(divergenceCaption(undefined), "divergence from the majority's path");
  const ref = { kind: "reference", runs: 2 } as const;
  assert.equal(groupRole({ referenceGroup: 1 }, 1, ref), "reference path");
  assert.equal(groupRole({ referenceGroup: 1 }, 0, ref), "most runs");
  assert.equal(groupRole({ referenceGroup: null }, 0, ref), "most runs");
  assert.equal(groupRole({ referenceGroup: 1 }, 2, ref), "");
  assert.equal(groupRole({}, 0, { kind: "majority", reason: "no target" }), "consensus");
  assert.equal(groupRole({}, 0, undefined), "consensus");
  assert.equal(groupRole({}, null, undefined), "");
});
