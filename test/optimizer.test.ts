// The optimizer-emulation benchmark: seeded problems, the exact trajectory, the tolerant reader
// of iterates, METRICS.md §10 per step, and the calibration of its intervals against closed-form
// truths on the simulated reasoner.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  analyzeOptimizer,
  analyzeRecords,
  DIFFICULTIES,
  formatVector,
  generateProblem,
  hashSeed,
  mulberry32,
  parseIterates,
  symmetricEigenvalues,
  trajectory,
  type OptimizerSpec,
} from "../src/core";
import { benchmarkPrompts, parsePrompt, renderPrompt } from "../src/sampling/benchmark";
import { DEFAULT_KNOBS, simulateRun, type SimulatorKnobs } from "../src/sampling/simulated";

test("problems are seeded: the same seed gives the same problem and prompt, another seed another", () => {
  const a = generateProblem({ ...DIFFICULTIES.medium!, seed: 3 });
  const b = generateProblem({ ...DIFFICULTIES.medium!, seed: 3 });
  const c = generateProblem({ ...DIFFICULTIES.medium!, seed: 4 });
  assert.deepEqual(a, b);
  assert.equal(renderPrompt(a), renderPrompt(b));
  assert.notDeepEqual(a.A, c.A);
});

test("A is symmetric positive definite with about the asked condition number; GD's rate converges", () => {
  for (const [name, preset] of Object.entries(DIFFICULTIES)) {
    for (let seed = 0; seed < 20; seed++) {
      const s = generateProblem({ ...preset, seed });
      for (let i = 0; i < s.d; i++) for (let j = 0; j < s.d; j++) assert.equal(s.A[i]![j], s.A[j]![i]);
      const eig = symmetricEigenvalues(s.A);
      assert.ok(eig[0]! > 0, `${name} seed ${seed}: positive definite`);
      const kappa = eig[s.d - 1]! / eig[0]!;
      assert.ok(Math.abs(kappa - preset.kappa) / preset.kappa < 0.25, `${name} seed ${seed}: κ ${kappa} ≈ ${preset.kappa}`);
      assert.ok(Math.abs(kappa - s.conditionNumber!) < 1e-9);
      if (s.rule === "gd") assert.ok(s.eta! * eig[s.d - 1]! < 2, "the rate converges");
    }
  }
});

test("the trajectory: GD and fixed-norm steepest descent computed by hand on a 2-d problem", () => {
  const spec: OptimizerSpec = { kind: "optimizer", d: 2, kappa: 2, A: [[2, 0], [0, 1]], b: [1, 1], x0: [0, 0], rule: "gd", eta: 0.25, K: 2, decimals: 4, seed: 0 };
  // g = A(x − b) = [−2, −1]; x1 = [0.5, 0.25]; g = [−1, −0.75]; x2 = [0.75, 0.4375]
  assert.deepEqual(trajectory(spec), [
    [0, 0],
    [0.5, 0.25],
    [0.75, 0.4375],
  ]);
  const sd: OptimizerSpec = { ...spec, rule: "steepest", eta: undefined, stepNorm: 0.5 };
  // g = [−2, −1], ‖g‖ = √5; x1 = 0.5·[2, 1]/√5
  const t = trajectory(sd);
  assert.ok(Math.abs(t[1]![0]! - 1 / Math.sqrt(5)) < 1e-15 && Math.abs(t[1]![1]! - 0.5 / Math.sqrt(5)) < 1e-15);
});

test("prompts state everything and read back to the same problem", () => {
  for (const bp of benchmarkPrompts(["easy", "medium", "hard"], 9)) {
    const back = parsePrompt(bp.prompt);
    assert.ok(back, bp.difficulty);
    assert.deepEqual(back.A, bp.spec.A);
    assert.deepEqual(back.b, bp.spec.b);
    assert.deepEqual(back.x0, bp.spec.x0);
    assert.equal(back.K, bp.spec.K);
    assert.equal(back.rule, bp.spec.rule);
    assert.equal(back.eta, bp.spec.eta);
    assert.equal(back.stepNorm, bp.spec.stepNorm);
    assert.equal(bp.reference, formatVector(trajectory(bp.spec)[bp.spec.K]!, 4));
    assert.match(bp.prompt, /Answer: \[v1, v2/);
  }
  assert.equal(parsePrompt("What is 2 + 2?"), null);
  assert.equal(parsePrompt("A = [[1, 2], [3, 4]]\nno steps here"), null);
});

test("the reader takes iterates in the ways models write them; formulas and gradients are not iterates", () => {
  const spec = generateProblem({ d: 3, kappa: 5, K: 8, rule: "gd", seed: 2 });
  const t = trajectory(spec);
  const v = (k: number) => t[k]!.map((x) => x.toFixed(4));
  const trace = [
    `Step 1: g_1 = A (x_0 - b) = [9, 9, 9]`,
    `x_1 = [${v(1).join(", ")}]`,
    `g_2 = A(x_1 - b) = [8, 8, 8]`,
    `So x_{2} = (${v(2).join(", ")})`,
    `x^(3) ≈ [${v(3).join(" ")}]`,
    `Iteration 4: x = [${v(4).join(", ")}]`,
    `x4 = [1, 1]`, // wrong dimension: ignored
    `**x_5** = [${v(5).join(", ")}]`,
    `x_6 = \\begin{pmatrix} ${v(6).join(" \\\\ ")} \\end{pmatrix}`,
    `x_7: ${v(7).join(", ")}`,
    `x_7 = [0, 0, 0]`, // a correction: the last one counts
    `Answer: [${v(8).join(", ")}]`,
  ].join("\n");
  const got = parseIterates(trace, spec);
  for (const k of [1, 2, 3, 4, 5, 6, 8]) assert.deepEqual(got[k - 1], v(k).map(Number), `x_${k}`);
  assert.deepEqual(got[6], [0, 0, 0]);
  const none = parseIterates("I could not do it.", spec);
  assert.ok(none.every((x) => x === null));
});

test("§10 per step, by hand: bias², variance, error, incoherence; missing runs are counted", () => {
  const spec: OptimizerSpec = { kind: "optimizer", d: 2, kappa: 1, A: [[1, 0], [0, 1]], b: [0, 0], x0: [1, 1], rule: "gd", eta: 0.5, K: 1, decimals: 4, seed: 0 };
  // truth x1 = [0.5, 0.5]. Runs: [0.5, 0.5], [0.7, 0.5], [0.9, 0.5], and one without an iterate.
  const traces = ["x_1 = [0.5, 0.5]", "x_1 = [0.7, 0.5]", "x_1 = [0.9, 0.5]", "I lost track."];
  const a = analyzeOptimizer(spec, traces, 200, mulberry32(1));
  const s = a.steps[0]!;
  assert.equal(s.reached, 3);
  assert.deepEqual(s.missing, [3]);
  // mean [0.7, 0.5]: bias² = 0.04; variance = (0.04 + 0 + 0.04)/3; error = (0 + 0.04 + 0.16)/3
  assert.ok(Math.abs(s.bias2! - 0.04) < 1e-12);
  assert.ok(Math.abs(s.variance! - 0.08 / 3) < 1e-12);
  assert.ok(Math.abs(s.error! - 0.2 / 3) < 1e-12);
  assert.ok(Math.abs(s.error! - s.bias2! - s.variance!) < 1e-12, "error = bias² + variance");
  assert.ok(Math.abs(s.incoherence! - 0.4) < 1e-12);
  assert.ok(Math.abs(s.varianceUnbiased! - 0.04) < 1e-12);
  assert.ok(Math.abs(s.bias2Unbiased! - (0.2 / 3 - 0.04)) < 1e-12);
  assert.ok(s.ci95 && s.ci95[0] <= s.ci95[1] && s.ci95[1] <= 1);
});

test("trace sets and run files carry the problem: the analysis scores every step", () => {
  const [bp] = benchmarkPrompts(["easy"], 1);
  const samples = Array.from({ length: 6 }, (_, r) => {
    const o = simulateRun(bp!.spec, DEFAULT_KNOBS, mulberry32(hashSeed(1, `s${r}`)));
    return { thinking: o.thinking, text: o.text };
  });
  const a = analyzeRecords([{ id: bp!.id, prompt: bp!.prompt, reference: bp!.reference, benchmark: bp!.spec, samples }]);
  const o = a.prompts[0]!.optimizer!;
  assert.equal(o.steps.length, bp!.spec.K);
  assert.equal(o.iterates.length, 6);
  assert.deepEqual(o.trajectory[0], bp!.spec.x0);
  assert.ok(o.steps.every((s) => s.reached <= 6));
  assert.ok(a.prompts[0]!.brier !== null, "the final answer is scored against the reference too");
});

test("the simulated reasoner's imperfections show where they should", () => {
  const spec = generateProblem({ d: 3, kappa: 10, K: 15, rule: "gd", seed: 11 });
  const run = (knobs: SimulatorKnobs, n = 40) =>
    analyzeOptimizer(
      spec,
      Array.from({ length: n }, (_, r) => {
        const o = simulateRun(spec, knobs, mulberry32(hashSeed(knobs.seed, `r${r}`)));
        return `${o.thinking}\n${o.text}`;
      }),
      0,
      mulberry32(1),
    );
  const off = { slip: { probability: 0, kind: "rate" as const, size: 0 }, noise: { probability: 0, sigma: 0 }, distraction: { base: 0, growth: 1 }, spread: 0, tokensPerSecond: 0, seed: 1 };
  // perfect: every run on the true trajectory (to the rounding of 4 decimals)
  const perfect = run(off);
  assert.ok(perfect.steps.every((s) => s.error! < 1e-7 && s.reached === 40));
  // a shared slip: bias, no variance
  const slip = run({ ...off, slip: { probability: 1, kind: "rate", size: 0.2 } });
  assert.ok(slip.steps.every((s) => s.variance! < 1e-7 && s.bias2! > 1e-6));
  // noise: variance, growing with the steps
  const noise = run({ ...off, noise: { probability: 1, sigma: 0.02 } });
  assert.ok(noise.steps[14]!.variance! > noise.steps[0]!.variance!);
  // distraction: more likely the longer it runs: runs go missing, more so late
  const distracted = run({ ...off, distraction: { base: 0.02, growth: 1.3 } }, 200);
  assert.ok(distracted.steps[0]!.reached > distracted.steps[13]!.reached, `${distracted.steps[0]!.reached} > ${distracted.steps[13]!.reached}`);
});

test("calibration: noise-only runs, closed-form truths inside the 95% intervals ≥ 90% of the time", () => {
  // Noise only: x_k = M x_{k−1} + ηAb + ε_k with M = I − ηA and ε_k ~ N(0, σ² I), so
  // E[x_k] = x*_k (bias² = 0) and Cov(x_k) = Σ_k = M Σ_{k−1} Mᵀ + σ² I: variance_k = tr Σ_k.
  const sigma = 0.02;
  const spec = generateProblem({ d: 3, kappa: 10, K: 10, rule: "gd", seed: 5 });
  const knobs: SimulatorKnobs = { slip: { probability: 0, kind: "rate", size: 0 }, noise: { probability: 1, sigma }, distraction: { base: 0, growth: 1 }, spread: 0, tokensPerSecond: 0, seed: 1 };
  const d = spec.d;
  const M = spec.A.map((row, i) => row.map((a, j) => (i === j ? 1 : 0) - spec.eta! * a));
  let S = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const truth: number[] = [];
  for (let k = 1; k <= spec.K; k++) {
    const MS = M.map((r) => S[0]!.map((_, j) => r.reduce((s, m, l) => s + m * S[l]![j]!, 0)));
    S = MS.map((r) => M.map((mr) => r.reduce((s, v, l) => s + v * mr[l]!, 0)));
    for (let i = 0; i < d; i++) S[i]![i]! += sigma * sigma;
    truth.push(S.reduce((s, r, i) => s + r[i]!, 0));
  }
  const N = 16; // the demo's and the default number of reruns
  const REPS = 100;
  let varianceIn = 0;
  let biasIn = 0;
  let total = 0;
  for (let rep = 0; rep < REPS; rep++) {
    const traces = Array.from({ length: N }, (_, r) => {
      const o = simulateRun(spec, knobs, mulberry32(hashSeed(rep * 1000 + r, "calibration")));
      return `${o.thinking}\n${o.text}`;
    });
    const a = analyzeOptimizer(spec, traces, 1000, mulberry32(rep + 1));
    for (const s of a.steps) {
      total++;
      const t = truth[s.k - 1]!;
      if (s.varianceCi95![0] <= t && t <= s.varianceCi95![1]) varianceIn++;
      if (s.bias2Ci95![0] <= 0) biasIn++;
    }
  }
  console.log(`calibration over ${REPS} seeded runs × ${spec.K} steps (N = ${N}): variance ${((100 * varianceIn) / total).toFixed(1)}%, bias² ${((100 * biasIn) / total).toFixed(1)}% inside`);
  assert.ok(varianceIn / total >= 0.9, `variance inside ${varianceIn}/${total}`);
  assert.ok(biasIn / total >= 0.9, `bias² inside ${biasIn}/${total}`);
});
