// METRICS.md §4–8 on hand-computed cases. Each case works its numbers out in a comment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { KL_DELTA, analyzeRecords, analyzeTraceSet, complete, type Decomposition, type PromptRecord, type Sample } from "../src/core";

const EPS = 1e-12;

function near(actual: number | null | undefined, expected: number, msg = "", eps = EPS): void {
  assert.ok(typeof actual === "number", `${msg}: expected a number ${expected}, got ${String(actual)}`);
  assert.ok(Math.abs(actual - expected) <= eps, `${msg}: expected ${expected}, got ${actual} (diff ${actual - expected})`);
}

function decomp(d: Decomposition | null | undefined, want: { bias2: number; variance: number; error: number; incoherence: number | null }, msg: string): void {
  assert.ok(d, `${msg}: decomposition missing`);
  near(d.bias2, want.bias2, `${msg} bias2`);
  near(d.variance, want.variance, `${msg} variance`);
  near(d.error, want.error, `${msg} error`);
  if (want.incoherence === null) assert.equal(d.incoherence, null, `${msg} incoherence`);
  else near(d.incoherence, want.incoherence, `${msg} incoherence`);
}

/** Samples with the given answers (and optional trace texts / flags). */
function samples(answers: (string | number | null)[], extra: (i: number) => Partial<Sample> = () => ({})): Sample[] {
  return answers.map((answer, i) => ({ text: `run ${i}`, answer, ...extra(i) }));
}

function one(record: PromptRecord, opts = { resamples: 0 }) {
  const a = analyzeRecords([record], opts);
  return a.prompts[0]!;
}

// ---------------------------------------------------------------- (a) paperclip

test("(a) paperclip: every rerun agrees on one wrong answer → variance 0, incoherence 0", () => {
  // n = 5, all "20", reference 18. Classes: ref (count 0), "20" (count 5).
  // p_ref = 0, p_20 = 1. Brier: bias² = (1−0)² + 1² = 2; variance = 1 − 1² = 0; error = 2(1−0) = 2;
  // incoherence = 0/2 = 0 (not null: there is error, all of it bias).
  // Binary: p̄ = 0: bias² = 1, variance = 0, error = 1, incoherence 0.
  // Unbiased: varianceUnbiased = 5/4·0 = 0, bias2Unbiased = 2 (Brier) / 1 (binary), incoherenceUnbiased = 0.
  const p = one({ id: "clip", reference: 18, samples: samples([20, "20", "20.0", "$20", "\\boxed{20}"]) });
  decomp(p.brier, { bias2: 2, variance: 0, error: 2, incoherence: 0 }, "brier");
  decomp(p.binary, { bias2: 1, variance: 0, error: 1, incoherence: 0 }, "binary");
  near(p.brier!.varianceUnbiased, 0, "brier vu");
  near(p.brier!.bias2Unbiased, 2, "brier b2u");
  near(p.brier!.incoherenceUnbiased, 0, "brier iu");
  near(p.binary!.bias2Unbiased, 1, "binary b2u");
  near(p.binary!.incoherenceUnbiased, 0, "binary iu");
  near(p.disagreement, 0, "disagreement");
  near(p.entropy, 0, "entropy");
  assert.equal(p.classes, 1);
});

// ---------------------------------------------------------------- (b) hot mess

test("(b) hot mess: every rerun a different wrong answer (n = 4)", () => {
  // answers 1, 2, 3, 4; reference 18. p_ref = 0, p_c = 1/4 for four classes; Σ p_c² = 4/16 = 1/4.
  // Brier: bias² = (1−0)² + 1/4 = 1.25; variance = 1 − 1/4 = 0.75; error = 2(1−0) = 2 = 1.25 + 0.75;
  // incoherence = 0.75/2 = 0.375.
  // Unbiased: varianceUnbiased = 4/3·0.75 = 1; bias2Unbiased = max(0, 2 − 1) = 1; incoherenceUnbiased = 1/2.
  // Binary: p̄ = 0: bias² 1, variance 0, error 1, incoherence 0 (binary cannot see the scatter).
  // Disagreement = 0.75, entropy = −4·(1/4)ln(1/4) = ln 4, 4 classes.
  const p = one({ id: "mess", reference: 18, samples: samples(["1", "2", "3", "4"]) });
  decomp(p.brier, { bias2: 1.25, variance: 0.75, error: 2, incoherence: 0.375 }, "brier");
  near(p.brier!.varianceUnbiased, 1, "vu");
  near(p.brier!.bias2Unbiased, 1, "b2u");
  near(p.brier!.incoherenceUnbiased, 0.5, "iu");
  decomp(p.binary, { bias2: 1, variance: 0, error: 1, incoherence: 0 }, "binary");
  near(p.disagreement, 0.75, "disagreement");
  near(p.entropy, Math.log(4), "entropy");
  assert.equal(p.classes, 4);
});

// ---------------------------------------------------------------- (c) all correct

test("(c) all correct → error 0 and incoherence null (never 0)", () => {
  // n = 3, all correct: p_ref = 1. Brier: bias² = 0 + 0, variance = 1 − 1 = 0, error = 0 → ratio null.
  // Binary: p̄ = 1: bias² 0, variance 0, error 0 → null. varianceUnbiased = 3/2·0 = 0,
  // bias2Unbiased = max(0, 0 − 0) = 0, incoherenceUnbiased null (error 0).
  for (const record of [
    { id: "ok-ref", reference: "18", samples: samples([18, "18.0", "$18"]) },
    { id: "ok-flags", samples: samples(["x", "y", "z"], () => ({ correct: true })) },
  ] as PromptRecord[]) {
    const p = one(record, { resamples: 200 });
    for (const d of [p.brier, p.binary]) {
      decomp(d, { bias2: 0, variance: 0, error: 0, incoherence: null }, record.id);
      assert.equal(d!.incoherenceUnbiased, null);
      near(d!.varianceUnbiased, 0, "vu");
      near(d!.bias2Unbiased, 0, "b2u");
      // every resample is all-correct too: no ratio, no interval
      assert.equal(d!.ci95, null);
    }
  }
});

// ---------------------------------------------------------------- (d) mixed

test("(d) mixed: error = bias² + variance for Brier and binary", () => {
  // n = 5: 2 × "18" (reference), 2 × "20", 1 × "21". p_ref = .4, p_20 = .4, p_21 = .2.
  // Σ p² = .16 + .16 + .04 = .36.
  // Brier: bias² = (1−.4)² + .16 + .04 = .36 + .20 = .56; variance = 1 − .36 = .64;
  //        error = 2(1−.4) = 1.2 = .56 + .64; incoherence = .64/1.2 = 8/15.
  //        varianceUnbiased = 5/4·.64 = .8; bias2Unbiased = 1.2 − .8 = .4; incoherenceUnbiased = .8/1.2 = 2/3.
  // Binary: p̄ = .4: bias² = .36, variance = .4·.6 = .24, error = .6 = .36 + .24; incoherence = .4.
  //        varianceUnbiased = 5/4·.24 = .3; bias2Unbiased = .3; incoherenceUnbiased = .5.
  const p = one({ id: "mixed", reference: 18, samples: samples(["20", "18", "21", "20", "18"]) });
  decomp(p.brier, { bias2: 0.56, variance: 0.64, error: 1.2, incoherence: 8 / 15 }, "brier");
  decomp(p.binary, { bias2: 0.36, variance: 0.24, error: 0.6, incoherence: 0.4 }, "binary");
  for (const d of [p.brier!, p.binary!]) near(d.error, d.bias2 + d.variance, "error = bias² + variance");
  near(p.brier!.varianceUnbiased, 0.8, "brier vu");
  near(p.brier!.bias2Unbiased, 0.4, "brier b2u");
  near(p.brier!.incoherenceUnbiased, 2 / 3, "brier iu");
  near(p.binary!.varianceUnbiased, 0.3, "binary vu");
  near(p.binary!.bias2Unbiased, 0.3, "binary b2u");
  near(p.binary!.incoherenceUnbiased, 0.5, "binary iu");
  // the same through flags: the reference class is the two flagged samples
  const f = one({ id: "mixed-flags", samples: samples(["20", "18", "21", "20", "18"], (i) => ({ correct: i === 1 || i === 4 })) });
  decomp(f.brier, { bias2: 0.56, variance: 0.64, error: 1.2, incoherence: 8 / 15 }, "flags brier");
  decomp(f.binary, { bias2: 0.36, variance: 0.24, error: 0.6, incoherence: 0.4 }, "flags binary");
});

test("(d') a wrong sample sharing the reference's key is its own class under flags", () => {
  // n = 4, flags: correct = [T, F, F, T], answers all "18" except sample 2 "20".
  // Classes: ref {0,3} (2), wrong "18" {1} (1), "20" {2} (1): p = .5, .25, .25; Σp² = .375.
  // Brier: bias² = .25 + .0625 + .0625 = .375; variance = .625; error = 1; incoherence .625.
  // (Had sample 1 joined the reference class, variance would be 1 − (.75² + .25²) = .375.)
  const p = one({ id: "f", reference: 18, samples: samples(["18", "18", "20", "18"], (i) => ({ correct: i === 0 || i === 3 })) });
  decomp(p.brier, { bias2: 0.375, variance: 0.625, error: 1, incoherence: 0.625 }, "brier");
});

// ---------------------------------------------------------------- (e) finite-sample correction

test("(e) unbiased variance, bias2Unbiased clipped at 0, incoherenceUnbiased clipped at 1", () => {
  // complete() directly: variance .9, error 1, n = 2 → varianceUnbiased = 2/1·.9 = 1.8;
  // bias2Unbiased = max(0, 1 − 1.8) = 0; incoherenceUnbiased = min(1, 1.8/1) = 1.
  const d = complete({ bias2: 0.1, variance: 0.9, error: 1 }, 2, true);
  near(d.varianceUnbiased, 1.8, "vu");
  assert.equal(d.bias2Unbiased, 0);
  assert.equal(d.incoherenceUnbiased, 1);
  near(d.incoherence, 0.9, "incoherence");
  // n = 3: variance .3, error .6 → vu = 3/2·.3 = .45; b2u = .15; iu = .75.
  const e = complete({ bias2: 0.3, variance: 0.3, error: 0.6 }, 3, true);
  near(e.varianceUnbiased, 0.45, "vu3");
  near(e.bias2Unbiased, 0.15, "b2u3");
  near(e.incoherenceUnbiased, 0.75, "iu3");
});

test("(e) through the analysis: n = 2, one correct and one wrong", () => {
  // p_ref = .5, p_w = .5. Brier: variance = 1 − .5 = .5, error = 1, bias² = .25 + .25 = .5.
  // varianceUnbiased = 2·.5 = 1; bias2Unbiased = max(0, 1 − 1) = 0; incoherenceUnbiased = min(1, 1) = 1.
  // Binary: variance .25, error .5; varianceUnbiased = .5; bias2Unbiased 0; incoherenceUnbiased 1.
  const p = one({ id: "two", reference: "a", samples: samples(["a", "b"]) });
  decomp(p.brier, { bias2: 0.5, variance: 0.5, error: 1, incoherence: 0.5 }, "brier");
  near(p.brier!.varianceUnbiased, 1, "vu");
  near(p.brier!.bias2Unbiased, 0, "b2u");
  near(p.brier!.incoherenceUnbiased, 1, "iu");
  near(p.binary!.varianceUnbiased, 0.5, "bin vu");
  near(p.binary!.bias2Unbiased, 0, "bin b2u");
  near(p.binary!.incoherenceUnbiased, 1, "bin iu");
});

test("(e) n = 1 → the unbiased figures are null", () => {
  // one wrong sample: Brier bias² = 1 + 1 = 2, variance 0, error 2, incoherence 0; n/(n−1) undefined.
  const p = one({ id: "single", reference: 1, samples: samples([2]) });
  decomp(p.brier, { bias2: 2, variance: 0, error: 2, incoherence: 0 }, "brier");
  for (const d of [p.brier!, p.binary!]) {
    assert.equal(d.varianceUnbiased, null);
    assert.equal(d.bias2Unbiased, null);
    assert.equal(d.incoherenceUnbiased, null);
  }
  const d = complete({ bias2: 0, variance: 0, error: 1 }, 1, true);
  assert.equal(d.varianceUnbiased, null);
  assert.equal(d.bias2Unbiased, null);
  assert.equal(d.incoherenceUnbiased, null);
});

// ---------------------------------------------------------------- (f) KL

/** METRICS.md §4's KL, written out independently: plain probabilities, no log-sum-exp. */
function klByHand(probs: Record<string, number>[], ref: string): { bias2: number; variance: number; error: number } {
  const options = new Set<string>();
  for (const p of probs) for (const k of Object.keys(p)) options.add(k);
  options.add(ref);
  const opts = [...options].sort(); // order must not matter
  const C = opts.length;
  const d = 1e-12;
  const ft = probs.map((p) => opts.map((o) => ((p[o] ?? 0) + d) / (1 + C * d)));
  const n = ft.length;
  const geo = opts.map((_, c) => Math.exp(ft.reduce((s, row) => s + Math.log(row[c]!), 0) / n));
  const z = geo.reduce((s, x) => s + x, 0);
  const fbar = geo.map((x) => x / z);
  const r = opts.indexOf(ref);
  const bias2 = -Math.log(fbar[r]!);
  let variance = 0;
  for (const row of ft) {
    let kl = 0;
    for (let c = 0; c < C; c++) kl += fbar[c]! * Math.log(fbar[c]! / row[c]!);
    variance += kl / n;
  }
  const error = ft.reduce((s, row) => s - Math.log(row[r]!), 0) / n;
  return { bias2, variance, error };
}

test("(f) KL: error = bias² + variance, and both match an independent implementation", () => {
  assert.equal(KL_DELTA, 1e-12);
  const cases: { probs: Record<string, number>[]; ref: string }[] = [
    { probs: [{ A: 0.7, B: 0.3 }, { A: 0.2, B: 0.5, C: 0.3 }, { B: 1 }], ref: "A" },
    { probs: [{ A: 0.6, B: 0.4 }, { A: 0.6, B: 0.4 }], ref: "A" }, // identical → variance ≈ 0
    { probs: [{ A: 0.5, B: 0.5 }, { A: 0.9, B: 0.1 }, { A: 0.1, B: 0.9 }, { C: 1 }], ref: "B" },
    { probs: [{ A: 0.5, B: 0.5 }, { A: 1 }], ref: "D" }, // reference label in no sample's probs
  ];
  for (const [i, { probs, ref }] of cases.entries()) {
    const p = one({ id: `kl${i}`, reference: ref, samples: probs.map((pr) => ({ text: "t", answer: Object.entries(pr).sort((a, b) => b[1] - a[1])[0]![0], probs: pr })) });
    const kl = p.kl;
    assert.ok(kl, `case ${i}: kl present`);
    near(kl.error, kl.bias2 + kl.variance, `case ${i}: error = bias² + variance`, 1e-12 * Math.max(1, kl.error));
    const want = klByHand(probs, ref);
    near(kl.bias2, want.bias2, `case ${i}: bias²`, 1e-9);
    near(kl.variance, want.variance, `case ${i}: variance`, 1e-9);
    near(kl.error, want.error, `case ${i}: error`, 1e-9);
    if (kl.error > 0) near(kl.incoherence, kl.variance / kl.error, `case ${i}: incoherence`, 1e-12);
  }
});

test("(f) KL: a closed form on two options", () => {
  // f_1 = (A .8, B .2), f_2 = (A .2, B .8), ref A, δ negligible at 1e-9.
  // geometric mean: A √(.16) = .4, B .4 → f̄ = (.5, .5). bias² = −ln .5 = ln 2.
  // error = −(ln .8 + ln .2)/2 = −ln(.16)/2 = −ln .4. variance = error − bias² = −ln .4 − ln 2 = −ln .8.
  const p = one({ id: "kl2", reference: "A", samples: [{ text: "t", answer: "A", probs: { A: 0.8, B: 0.2 } }, { text: "t", answer: "B", probs: { A: 0.2, B: 0.8 } }] });
  near(p.kl!.bias2, Math.log(2), "bias²", 1e-9);
  near(p.kl!.error, -Math.log(0.4), "error", 1e-9);
  near(p.kl!.variance, -Math.log(0.8), "variance", 1e-9);
});

test("(f) KL is null when any sample lacks probs", () => {
  const p = one({
    id: "kl-missing",
    reference: "A",
    samples: [
      { text: "t", answer: "A", probs: { A: 0.9, B: 0.1 } },
      { text: "t", answer: "B" },
    ],
  });
  assert.equal(p.kl, null);
  assert.ok(p.brier, "Brier still applies");
  const q = one({ id: "kl-none", reference: "A", samples: samples(["A", "B"]) });
  assert.equal(q.kl, null);
});

// ---------------------------------------------------------------- (g) without a target

test("(g) without a target: disagreement and entropy (nats), incoherence null", () => {
  // answers a, a, b, c: p = .5, .25, .25. disagreement = 1 − (.25 + .0625 + .0625) = .625.
  // entropy = −(.5 ln .5 + 2·.25 ln .25) = .5 ln 2 + .5 ln 4 = 1.5 ln 2. 3 classes.
  const a = analyzeRecords([{ id: "free", samples: samples(["a", "A", "b", "c"]) }], { resamples: 50 });
  const p = a.prompts[0]!;
  assert.equal(p.target, "none");
  assert.equal(p.brier, null);
  assert.equal(p.binary, null);
  assert.equal(p.kl, null);
  near(p.disagreement, 0.625, "disagreement");
  near(p.entropy, 1.5 * Math.log(2), "entropy");
  assert.equal(p.classes, 3);
  assert.equal(a.pooled.brier, null);
  assert.equal(a.pooled.binary, null);
  assert.equal(a.pooled.promptsWithTarget, 0);
  near(a.pooled.disagreement, 0.625, "pooled disagreement");
});

test("(g) referenceFree turns a prompt with flags and a reference into one without a target", () => {
  const rec: PromptRecord = { id: "rf", reference: "a", samples: samples(["a", "a", "b", "c"], (i) => ({ correct: i < 2 })) };
  const p = analyzeRecords([rec], { referenceFree: true, resamples: 0 }).prompts[0]!;
  assert.equal(p.target, "none");
  assert.equal(p.brier, null);
  assert.equal(p.binary, null);
  near(p.disagreement, 0.625, "disagreement");
  near(p.entropy, 1.5 * Math.log(2), "entropy");
  // the no-answer class counts as one class in the spread
  const q = one({ id: "na", samples: samples([null, null, "x", "x"]) });
  near(q.disagreement, 0.5, "disagreement with a no-answer class");
  near(q.entropy, Math.log(2), "entropy with a no-answer class");
  assert.equal(q.classes, 2);
});

// ---------------------------------------------------------------- (h) pooling

test("(h) pooling is a ratio of sums, not a mean of ratios", () => {
  // P1: answers 1,2,3,4, ref 18 → Brier variance .75, error 2 (inc .375); binary variance 0, error 1 (inc 0).
  // P2: answers 18,18,18,5, ref 18 → p_ref = .75, p_5 = .25, Σp² = .625:
  //     Brier variance .375, error .5 (inc .75); binary variance .75·.25 = .1875, error .25 (inc .75).
  // P3: no target: not pooled.
  // Pooled Brier incoherence = (.75 + .375)/(2 + .5) = 1.125/2.5 = .45  (mean of ratios would be .5625).
  // Pooled binary incoherence = (0 + .1875)/(1 + .25) = .15            (mean of ratios would be .375).
  // Pooled unbiased (Brier): vu1 = 4/3·.75 = 1, vu2 = 4/3·.375 = .5 → Σvu/Σerror = 1.5/2.5 = .6.
  const lines = [
    { id: "P1", reference: 18, samples: samples([1, 2, 3, 4]) },
    { id: "P2", reference: 18, samples: samples([18, 18, 18, 5]) },
    { id: "P3", samples: samples(["x", "y"]) },
  ];
  const fromText = analyzeTraceSet(lines.map((l) => JSON.stringify(l)).join("\n"), { resamples: 0 });
  const fromRecords = analyzeRecords(lines, { resamples: 0 });
  for (const a of [fromText, fromRecords]) {
    assert.equal(a.pooled.prompts, 3);
    assert.equal(a.pooled.promptsWithTarget, 2);
    const b = a.pooled.brier!;
    const perPrompt = a.prompts.filter((p) => p.brier).map((p) => p.brier!);
    const sumV = perPrompt.reduce((s, d) => s + d.variance, 0);
    const sumE = perPrompt.reduce((s, d) => s + d.error, 0);
    near(b.incoherence, sumV / sumE, "Σvariance/Σerror");
    near(b.incoherence, 0.45, "pooled Brier");
    const meanOfRatios = perPrompt.reduce((s, d) => s + d.incoherence!, 0) / perPrompt.length;
    near(meanOfRatios, 0.5625, "mean of ratios");
    assert.ok(Math.abs(b.incoherence! - meanOfRatios) > 0.1, "pooled differs from the mean of ratios");
    near(a.pooled.binary!.incoherence, 0.15, "pooled binary");
    near(b.incoherenceUnbiased, 0.6, "pooled Brier unbiased");
    assert.equal(b.prompts, 2);
  }
});

// ---------------------------------------------------------------- (i) bootstrap

test("(i) bootstrap: seeded, ordered, within [0, 1]; resamples 0 → no interval", () => {
  const records: PromptRecord[] = [
    { id: "b1", reference: 18, samples: samples([18, 18, 20, 21, 22, 18, 20, 23, 24, 18]) },
    { id: "b2", reference: 5, samples: samples([5, 6, 6, 6, 7, 5, 8, 9]) },
  ];
  const a1 = analyzeRecords(records, { seed: 7, resamples: 500 });
  const a2 = analyzeRecords(records, { seed: 7, resamples: 500 });
  const a3 = analyzeRecords(records, { seed: 8, resamples: 500 });
  assert.deepEqual(a1.pooled.brier!.ci95, a2.pooled.brier!.ci95);
  assert.deepEqual(a1.pooled.lengthSplit, a2.pooled.lengthSplit);
  for (let i = 0; i < records.length; i++) {
    assert.deepEqual(a1.prompts[i]!.brier!.ci95, a2.prompts[i]!.brier!.ci95);
    assert.deepEqual(a1.prompts[i]!.binary!.ci95, a2.prompts[i]!.binary!.ci95);
  }
  const differs = (x: [number, number] | null, y: [number, number] | null) => JSON.stringify(x) !== JSON.stringify(y);
  assert.ok(
    differs(a1.pooled.brier!.ci95, a3.pooled.brier!.ci95) || differs(a1.prompts[0]!.brier!.ci95, a3.prompts[0]!.brier!.ci95),
    "a different seed gives a different interval",
  );
  for (const a of [a1, a3]) {
    const intervals = [a.pooled.brier!.ci95, a.pooled.binary!.ci95, ...a.prompts.flatMap((p) => [p.brier!.ci95, p.binary!.ci95])];
    for (const ci of intervals) {
      assert.ok(ci, "an interval exists");
      assert.ok(ci[0] <= ci[1], `ordered ${ci}`);
      assert.ok(ci[0] >= 0 && ci[1] <= 1, `within [0, 1]: ${ci}`);
    }
  }
  // default: 1000 resamples, seeded (a rerun with no options prints the same)
  const d1 = analyzeRecords(records);
  const d2 = analyzeRecords(records);
  assert.equal(d1.options.resamples, 1000);
  assert.deepEqual(d1.pooled.brier!.ci95, d2.pooled.brier!.ci95);

  const none = analyzeRecords(records, { resamples: 0 });
  assert.equal(none.pooled.brier!.ci95, null);
  assert.equal(none.pooled.binary!.ci95, null);
  for (const p of none.prompts) {
    assert.equal(p.brier!.ci95, null);
    assert.equal(p.binary!.ci95, null);
  }
  assert.equal(none.pooled.lengthSplit!.short.ci95, null);
  assert.equal(none.pooled.lengthSplit!.long.ci95, null);
  // the point estimates do not depend on the bootstrap
  near(none.pooled.brier!.incoherence, a1.pooled.brier!.incoherence!, "point estimate");
});

// ---------------------------------------------------------------- (j) length split

test("(j) length split: long traces scatter, short traces agree", () => {
  // Prompt A (ref 18, n = 4): short runs (10 chars) answer 20, 20; long runs (100 chars) answer 21, 22.
  //   short half: classes ref 0, "20" 2 → variance 1 − 1 = 0, error 2(1 − 0) = 2.
  //   long half:  ref 0, "21" 1, "22" 1 → variance 1 − (.25 + .25) = .5, error 2.
  // Prompt B (ref 18, n = 4): short runs (5 chars) answer 18, 18; long runs (50 chars) answer 18, 30.
  //   short half: p_ref = 1 → variance 0, error 0.
  //   long half:  p_ref = .5, p_30 = .5 → variance .5, error 2(1 − .5) = 1.
  // Pooled short incoherence = (0 + 0)/(2 + 0) = 0; pooled long = (.5 + .5)/(2 + 1) = 1/3.
  // Runs are listed out of length order, so the split must sort by length.
  const A: PromptRecord = {
    id: "A",
    reference: 18,
    samples: [
      { text: "L".repeat(100), answer: 21 },
      { text: "s".repeat(10), answer: 20 },
      { text: "L".repeat(100), answer: 22 },
      { text: "s".repeat(10), answer: 20 },
    ],
  };
  const B: PromptRecord = {
    id: "B",
    reference: 18,
    samples: [
      { text: "s".repeat(5), answer: 18 },
      { text: "L".repeat(50), answer: 30 },
      { text: "L".repeat(50), answer: 18 },
      { text: "s".repeat(5), answer: 18 },
    ],
  };
  const a = analyzeRecords([A, B], { resamples: 200 });
  const split = a.pooled.lengthSplit!;
  assert.ok(split, "length split present");
  near(split.short.incoherence, 0, "short");
  near(split.long.incoherence, 1 / 3, "long");
  assert.ok(split.long.incoherence! > split.short.incoherence!);
  assert.equal(split.short.samples, 4);
  assert.equal(split.long.samples, 4);
  near(split.short.meanLength, (10 + 10 + 5 + 5) / 4, "short mean length");
  near(split.long.meanLength, (100 + 100 + 50 + 50) / 4, "long mean length");
  // the trace length of each run is its character count
  assert.deepEqual(
    a.prompts[0]!.runs.map((r) => r.length),
    [100, 10, 100, 10],
  );
  for (const ci of [split.short.ci95, split.long.ci95]) if (ci) assert.ok(ci[0] <= ci[1] && ci[0] >= 0 && ci[1] <= 1);

  // without a target there is nothing to split into an incoherence
  const free = analyzeRecords([{ id: "f", samples: A.samples }], { resamples: 0 });
  assert.equal(free.pooled.lengthSplit, null);
});
