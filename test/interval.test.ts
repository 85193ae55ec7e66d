// The headline estimate and its interval (src/core/interval.ts, METRICS.md §7): hand-worked
// cases, the boundary rules, the binary form's exact interval, and coverage in seeded
// simulation with enough draws that ≥ 93% cannot pass by luck (1,500 draws: a method whose true
// coverage were 91% would show ≥ 93% less than 1% of the time).
import assert from "node:assert/strict";
import { test } from "node:test";
import { analyzeRecords } from "../src/core/analyze";
import { hashSeed, mulberry32 } from "../src/core/bootstrap";
import { binaryInterval, brierEstimate, brierInterval, tooFewCaveat, type Tally } from "../src/core/interval";
import { betaQuantile, clopperPearson } from "../src/core/reliability";
import { drawTally, SCENARIOS, trueIncoherence } from "../bench/honesty";

const close = (a: number | null | undefined, b: number, eps = 1e-9) => assert.ok(a !== null && a !== undefined && Math.abs(a - b) < eps, `${a} ≉ ${b}`);
const ci = (t: Tally) => brierInterval(t, mulberry32(7), 1000)!;

test("estimate: hand-worked cases (all agree, one differs, none correct, all correct)", () => {
  // paperclip: 8 runs, one wrong answer: variance 0, incoherence 0
  close(brierEstimate({ n: 8, correct: 0, wrong: [8] }), 0);
  // one run differs: pairs that agree 7·6 = 42 of 56 → varianceU = 1 − 42/56 = 0.25; error 2 → 0.125
  close(brierEstimate({ n: 8, correct: 0, wrong: [7, 1] }), 0.125);
  // the plug-in would say (1 − (49 + 1)/64)/2 = 0.109375: low by about (n − 1)/n
  // none correct, every answer different: varianceU = 1, error 2 → ½ (the plug-in says (1 − 1/8)/2)
  close(brierEstimate({ n: 8, correct: 0, wrong: [1, 1, 1, 1, 1, 1, 1, 1] }), 0.5);
  // 4 correct of 8, the rest 3 + 1: pairs 12 + 6 + 0 = 18 of 56; varianceU = 38/56; error 1 → 0.678…
  close(brierEstimate({ n: 8, correct: 4, wrong: [3, 1] }), 38 / 56);
  // every run correct: no error to split
  assert.equal(brierEstimate({ n: 8, correct: 8, wrong: [] }), null);
  // capped at 1: one wrong of five, the rest correct → varianceU 0.4 / error 0.4 = 1
  close(brierEstimate({ n: 5, correct: 4, wrong: [1] }), 1);
});

test("interval: reaches the values the data cannot rule out, and holds the estimate", () => {
  // every run the same wrong answer: the lower end is 0 (a paperclip is possible)
  assert.equal(ci({ n: 8, correct: 0, wrong: [8] })[0], 0);
  // every wrong answer different and none correct: the upper end reaches ½ (q = 0 possible)
  assert.ok(ci({ n: 8, correct: 0, wrong: [1, 1, 1, 1, 1, 1, 1, 1] })[1] >= 0.5);
  // every run correct: no estimate, but an interval up to 1
  const all = ci({ n: 8, correct: 8, wrong: [] });
  assert.equal(all[1], 1);
  assert.ok(all[0] > 0.4 && all[0] < 0.9, String(all));
  // it holds its estimate, and narrows as n grows
  for (const t of [{ n: 8, correct: 2, wrong: [3, 2, 1] }, { n: 30, correct: 3, wrong: [10, 5, 4, 3, 2, 1, 1, 1] }]) {
    const c = ci(t);
    const e = brierEstimate(t)!;
    assert.ok(c[0] <= e && e <= c[1], `${e} in ${c}`);
  }
  const w = (n: number) => {
    const c = ci({ n, correct: n / 5, wrong: [(2 * n) / 5, n / 5, n / 5] });
    return c[1] - c[0];
  };
  assert.ok(w(10) > w(40) && w(40) > w(160));
  // deterministic: the same counts and stream give the same interval
  assert.deepEqual(ci({ n: 8, correct: 2, wrong: [3, 2, 1] }), ci({ n: 8, correct: 2, wrong: [3, 2, 1] }));
});

test("too few reruns: no interval below 5, and the caveat says so", () => {
  assert.equal(brierInterval({ n: 3, correct: 1, wrong: [2] }, mulberry32(1)), null);
  assert.equal(binaryInterval(4, 1), null);
  assert.equal(tooFewCaveat(3), "n = 3: too few reruns for an interval; 8+ recommended");
  assert.equal(tooFewCaveat(5), null);
  const a = analyzeRecords([{ id: "p", reference: "1", samples: [{ answer: "1" }, { answer: "2" }, { answer: "3" }] }]);
  const p = a.prompts[0]!;
  assert.equal(p.caveat, "n = 3: too few reruns for an interval; 8+ recommended");
  assert.equal(p.brier!.ci95, null);
  close(p.brier!.estimate, brierEstimate({ n: 3, correct: 1, wrong: [1, 1] })!);
});

test("binary: Clopper–Pearson's textbook values; its estimate is the success rate", () => {
  const [lo0, hi0] = clopperPearson(0, 10);
  close(lo0, 0);
  close(hi0, 1 - 0.025 ** (1 / 10), 1e-8); // 0.3085
  const [lo5, hi5] = clopperPearson(5, 10);
  close(lo5, 0.18709, 1e-5);
  close(hi5, 0.81291, 1e-5);
  close(betaQuantile(0.5, 2, 2), 0.5, 1e-9);
  const a = analyzeRecords([{ id: "p", reference: "1", samples: ["1", "1", "2", "3", "2", "1", "4", "5"].map((answer) => ({ answer })) }]);
  close(a.prompts[0]!.binary!.estimate, 3 / 8);
  assert.deepEqual(a.prompts[0]!.binary!.ci95, clopperPearson(3, 8));
});

test("the analysis's estimate and interval are these functions' (per prompt), and the pooled interval holds the pooled estimate", () => {
  const samples = ["1", "1", "2", "3", "2", "1", "4", "5", "2", "1"].map((answer) => ({ answer }));
  const a = analyzeRecords([
    { id: "p", reference: "1", samples },
    { id: "q", reference: "9", samples },
  ]);
  const t: Tally = { n: 10, correct: 4, wrong: [3, 1, 1, 1] };
  close(a.prompts[0]!.brier!.estimate, brierEstimate(t)!);
  const pooled = a.pooled.brier!;
  assert.ok(pooled.ci95![0] <= pooled.estimate! && pooled.estimate! <= pooled.ci95![1]);
  close(pooled.estimate, pooled.incoherenceUnbiased!);
});

test("coverage in simulation: ≥ 93% at n = 5, 8, 30 in the hard cases (1,500 seeded draws each)", () => {
  const hard = ["one run in ten differs (90/10 wrong)", "paperclip with 30% right", "p_ref 0.95, one wrong answer", "p_ref 0.1, no-answer 0.2 + tail", "never right, every answer different"];
  for (const name of hard) {
    const s = SCENARIOS.find((x) => x.name === name)!;
    const truth = trueIncoherence(s)!;
    for (const n of [5, 8, 30]) {
      const rng = mulberry32(hashSeed(99, `${name}:${n}`));
      let covered = 0;
      const draws = 1500;
      for (let d = 0; d < draws; d++) {
        const t = drawTally(s, n, rng);
        const c = brierInterval(t, mulberry32(hashSeed(d, name)), 600)!;
        if (c[0] - 1e-12 <= truth && truth <= c[1] + 1e-12) covered++;
      }
      assert.ok(covered / draws >= 0.93, `${name}, n = ${n}: ${((100 * covered) / draws).toFixed(1)}%`);
    }
  }
});
