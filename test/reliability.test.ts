// METRICS.md §7b: pass^k and pass@k per prompt and pooled, and their 95% intervals
// (src/core/reliability.ts). Hand-worked cases first, each with its arithmetic in a comment; then
// the analysis carrying them; then seeded coverage simulations with known success rates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mulberry32 } from "../src/core/bootstrap";
import { analyzeRecords, type PromptRecord } from "../src/core";
import { renderTable } from "../src/cli/table";
import { clopperPearson, passAtK, passHatK, promptReliability, ReliabilityPool } from "../src/core/reliability";

function near(actual: number | undefined, expected: number, msg = "", eps = 1e-12): void {
  assert.ok(typeof actual === "number" && Math.abs(actual - expected) <= eps, `${msg}: expected ${expected}, got ${actual}`);
}
function nearAll(actual: readonly number[], expected: readonly number[], msg: string, eps = 1e-12): void {
  assert.equal(actual.length, expected.length, `${msg}: length`);
  expected.forEach((e, i) => near(actual[i], e, `${msg}[${i}]`, eps));
}

// ---------------------------------------------------------------------------------------------
// Point estimates

test("n = 4, c = 2: pass^2 is C(2,2)/C(4,2) = 1/6, not (2/4)^2 = 1/4; pass@2 is 1 − C(2,2)/C(4,2) = 5/6", () => {
  // pass^k = C(2,k)/C(4,k): k=1 2/4, k=2 1/6, k=3 0/4, k=4 0/1
  nearAll(passHatK(2, 4), [1 / 2, 1 / 6, 0, 0], "pass^k");
  // pass@k = 1 − C(2,k)/C(4,k): k=1 1 − 2/4, k=2 1 − 1/6, k=3 1 − 0, k=4 1 − 0
  nearAll(passAtK(2, 4), [1 / 2, 5 / 6, 1, 1], "pass@k");
  assert.notEqual(passHatK(2, 4)[1], (2 / 4) ** 2, "never (c/n)^k");
});

test("c = 0 and c = n: pass^k and pass@k are all 0, or all 1, at every k", () => {
  nearAll(passHatK(0, 5), [0, 0, 0, 0, 0], "c=0 pass^k");
  nearAll(passAtK(0, 5), [0, 0, 0, 0, 0], "c=0 pass@k");
  nearAll(passHatK(5, 5), [1, 1, 1, 1, 1], "c=n pass^k");
  nearAll(passAtK(5, 5), [1, 1, 1, 1, 1], "c=n pass@k");
});

test("c = 1: pass^1 = 1/n and 0 after; pass@k = k/n (the chance the one good run is among k drawn)", () => {
  nearAll(passHatK(1, 8), [1 / 8, 0, 0, 0, 0, 0, 0, 0], "pass^k");
  nearAll(passAtK(1, 8), [1, 2, 3, 4, 5, 6, 7, 8].map((k) => k / 8), "pass@k");
});

test("n = 1: one value each, the run's correctness", () => {
  assert.deepEqual(promptReliability(1, 1).passHatK, [1]);
  assert.deepEqual(promptReliability(1, 1).passAtK, [1]);
  assert.deepEqual(promptReliability(0, 1).passHatK, [0]);
  assert.deepEqual(promptReliability(0, 1).passAtK, [0]);
});

test("n = 10,000 is computed as products of ratios: finite, exact where it can be checked, 0 past c", () => {
  const hat = passHatK(5000, 10000);
  assert.equal(hat.length, 10000);
  assert.ok(hat.every((x) => Number.isFinite(x) && x >= 0 && x <= 1));
  near(hat[0], 0.5, "k=1");
  near(hat[1], (5000 * 4999) / (10000 * 9999), "k=2: C(5000,2)/C(10000,2)");
  near(hat[2], (5000 * 4999 * 4998) / (10000 * 9999 * 9998), "k=3");
  // k = 900: Π_{j<900} (5000−j)/(10000−j) ≈ 1e-292, summed in logs as a check
  let log = 0;
  for (let j = 0; j < 900; j++) log += Math.log((5000 - j) / (10000 - j));
  near(Math.log(hat[899]!), log, "k=900 (in logs)", 1e-9);
  assert.equal(hat[5000], 0, "k = c+1: no k-subset of the runs is all correct");
  const at = passAtK(9999, 10000);
  near(at[0], 0.9999, "pass@1");
  assert.equal(at[1], 1, "pass@2 with one failed run: any two runs hold a correct one");
  assert.ok(promptReliability(10000, 10000).passHatK.every((x) => x === 1));
});

// ---------------------------------------------------------------------------------------------
// Per-prompt intervals

test("Clopper–Pearson: the textbook values (n = 10, c = 5: [0.1871, 0.8129]) and the closed forms at c = 0 and c = n", () => {
  const [lo, hi] = clopperPearson(5, 10);
  near(lo, 0.187086, "lower", 1e-6);
  near(hi, 0.812914, "upper", 1e-6);
  // c = 0: the upper bound solves (1 − U)^n = 0.025; c = n: the lower solves L^n = 0.025
  assert.deepEqual(clopperPearson(0, 8)[0], 0);
  near(clopperPearson(0, 8)[1], 1 - 0.025 ** (1 / 8), "c=0 upper", 1e-12);
  near(clopperPearson(8, 8)[0], 0.025 ** (1 / 8), "c=n lower", 1e-12);
  assert.deepEqual(clopperPearson(8, 8)[1], 1);
  // c = 1 of 10: the lower bound solves 1 − (1 − L)^10 = 0.025
  near(clopperPearson(1, 10)[0], 1 - 0.975 ** (1 / 10), "c=1 lower", 1e-12);
});

test("per-prompt intervals are the Clopper–Pearson bounds raised to the k: [L^k, U^k] and [1 − (1−L)^k, 1 − (1−U)^k]", () => {
  const [L, U] = clopperPearson(5, 10);
  const r = promptReliability(5, 10);
  for (const k of [1, 2, 3]) {
    near(r.passHatKCi95[k - 1]![0], L ** k, `pass^${k} lower`);
    near(r.passHatKCi95[k - 1]![1], U ** k, `pass^${k} upper`);
    near(r.passAtKCi95[k - 1]![0], 1 - (1 - L) ** k, `pass@${k} lower`);
    near(r.passAtKCi95[k - 1]![1], 1 - (1 - U) ** k, `pass@${k} upper`);
  }
  // c = 0: pass^k's interval is [0, U^k]; c = n: pass^k's is [L^k, 1]
  const none = promptReliability(0, 8);
  const U0 = clopperPearson(0, 8)[1];
  assert.deepEqual(none.passHatKCi95[0], [0, U0]);
  near(none.passHatKCi95[2]![1], U0 ** 3, "c=0 pass^3 upper");
  const all = promptReliability(8, 8);
  near(all.passHatKCi95[7]![0], 0.025, "c=n pass^n lower: L^n = 0.025");
  assert.equal(all.passHatKCi95[7]![1], 1);
});

test("a figure is never outside its own interval: pass^n = 0 with one failed run widens the interval down to 0", () => {
  // n = 8, c = 7: pass^8 = C(7,8)/C(8,8) = 0, while L^8 = 0.473^8 ≈ 0.0025 > 0
  const r = promptReliability(7, 8);
  assert.equal(r.passHatK[7], 0);
  assert.ok(clopperPearson(7, 8)[0] ** 8 > 0);
  assert.equal(r.passHatKCi95[7]![0], 0);
  for (let c = 0; c <= 12; c++) {
    const x = promptReliability(c, 12);
    for (let k = 0; k < 12; k++) {
      assert.ok(x.passHatKCi95[k]![0] <= x.passHatK[k]! && x.passHatK[k]! <= x.passHatKCi95[k]![1], `c=${c} pass^${k + 1}`);
      assert.ok(x.passAtKCi95[k]![0] <= x.passAtK[k]! && x.passAtK[k]! <= x.passAtKCi95[k]![1], `c=${c} pass@${k + 1}`);
    }
  }
});

test("bad counts are refused with the counts in the message", () => {
  assert.throws(() => promptReliability(3, 2), /0 ≤ c ≤ n.*c = 3, n = 2/);
  assert.throws(() => promptReliability(0, 0), /n = 0/);
  assert.throws(() => new ReliabilityPool().add(1.5, 4), /c = 1.5/);
});

// ---------------------------------------------------------------------------------------------
// Pooled

test("pooled: for each k the mean over the prompts with n ≥ k (n = 4, c = 2 with n = 3, c = 3)", () => {
  const pool = new ReliabilityPool();
  pool.add(2, 4);
  pool.add(3, 3);
  const r = pool.result()!;
  // pass^k: prompt A [1/2, 1/6, 0, 0], prompt B [1, 1, 1]; k = 4 has prompt A alone
  nearAll(r.passHatK, [(1 / 2 + 1) / 2, (1 / 6 + 1) / 2, (0 + 1) / 2, 0], "pass^k");
  // pass@k: A [1/2, 5/6, 1, 1], B [1, 1, 1]
  nearAll(r.passAtK, [(1 / 2 + 1) / 2, (5 / 6 + 1) / 2, 1, 1], "pass@k");
  assert.deepEqual(r.passKPrompts, [2, 2, 2, 1]);
  // at k = 4 only A is left: its own exact interval
  const a = promptReliability(2, 4);
  assert.deepEqual(r.passHatKCi95[3], a.passHatKCi95[3]);
  assert.deepEqual(r.passAtKCi95[3], a.passAtKCi95[3]);
  for (let k = 0; k < 4; k++) assert.ok(r.passHatKCi95[k]![0] <= r.passHatK[k]! && r.passHatK[k]! <= r.passHatKCi95[k]![1], `pass^${k + 1} inside`);
});

test("pooled over one prompt is that prompt's figures and intervals", () => {
  const pool = new ReliabilityPool();
  pool.add(6, 10);
  const { passKPrompts, ...r } = pool.result()!;
  assert.deepEqual(r, promptReliability(6, 10));
  assert.deepEqual(passKPrompts, new Array(10).fill(1));
  assert.equal(new ReliabilityPool().result(), null, "no prompt: null");
});

test("pooled: the same counts give the same figures, to the last bit, whatever their order", () => {
  const counts: [number, number][] = [
    [3, 8],
    [0, 8],
    [8, 8],
    [5, 10],
    [1, 5],
    [3, 8],
    [29, 30],
  ];
  const a = new ReliabilityPool();
  for (const [c, n] of counts) a.add(c, n);
  const b = new ReliabilityPool();
  for (const [c, n] of [...counts].reverse()) b.add(c, n);
  assert.deepEqual(a.result(), b.result());
});

test("pooled: an interval stays open when every run of every prompt succeeded (it does not collapse to [1, 1])", () => {
  const pool = new ReliabilityPool();
  for (let i = 0; i < 30; i++) pool.add(10, 10);
  const r = pool.result()!;
  assert.deepEqual(r.passHatK, new Array(10).fill(1));
  assert.ok(r.passHatKCi95[0]![0] < 0.99, `pass^1 lower ${r.passHatKCi95[0]![0]}`);
  assert.ok(r.passHatKCi95[9]![0] < 0.95, `pass^10 lower ${r.passHatKCi95[9]![0]}`);
  assert.equal(r.passHatKCi95[9]![1], 1);
});

test("pooled over 1,000 prompts of 30 runs and over two prompts of 10,000 runs is quick", () => {
  let t = performance.now();
  const many = new ReliabilityPool();
  for (let i = 0; i < 1000; i++) many.add(i % 31, 30);
  assert.equal(many.result()!.passHatK.length, 30);
  const tMany = performance.now() - t;
  t = performance.now();
  const big = new ReliabilityPool();
  big.add(6000, 10000);
  big.add(5000, 10000);
  const r = big.result()!;
  const tBig = performance.now() - t;
  near(r.passHatK[0], 0.55, "pass^1");
  assert.ok(r.passHatKCi95.every(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi));
  assert.ok(tMany < 500 && tBig < 2000, `1,000 × 30: ${tMany.toFixed(0)} ms; 2 × 10,000: ${tBig.toFixed(0)} ms`);
});

// ---------------------------------------------------------------------------------------------
// In the analysis

const runs = (correct: boolean[]) => correct.map((ok, i) => ({ text: `run ${i}`, answer: ok ? "24" : `${i}`, correct: ok }));

test("the analysis carries passHatK, passAtK and their intervals per prompt and pooled; null without a target", () => {
  const records: PromptRecord[] = [
    { id: "a", samples: runs([true, false, true, false]) },
    { id: "b", reference: "24", samples: [{ text: "x", answer: "24" }, { text: "y", answer: "24" }, { text: "z", answer: "24" }] },
    { id: "none", samples: [{ text: "x", answer: "1" }, { text: "y", answer: "2" }] },
  ];
  const an = analyzeRecords(records, { resamples: 0 });
  const [a, b, none] = an.prompts;
  assert.deepEqual(
    { passHatK: a!.passHatK, passAtK: a!.passAtK, passHatKCi95: a!.passHatKCi95, passAtKCi95: a!.passAtKCi95 },
    promptReliability(2, 4),
    "flags: c = 2 of n = 4",
  );
  assert.deepEqual(b!.passHatK, [1, 1, 1], "reference: 3 of 3");
  for (const f of ["passHatK", "passAtK", "passHatKCi95", "passAtKCi95"] as const) assert.equal(none![f], null, `no target: ${f} is null`);
  const pool = new ReliabilityPool();
  pool.add(2, 4);
  pool.add(3, 3);
  const want = pool.result()!;
  const P = an.pooled;
  assert.deepEqual(
    { passHatK: P.passHatK, passAtK: P.passAtK, passHatKCi95: P.passHatKCi95, passAtKCi95: P.passAtKCi95, passKPrompts: P.passKPrompts },
    want,
    "pooled over the two prompts with a target",
  );
  const free = analyzeRecords(records, { resamples: 0, referenceFree: true });
  assert.equal(free.prompts[0]!.passHatK, null, "reference-free: no target");
  for (const f of ["passHatK", "passAtK", "passHatKCi95", "passAtKCi95", "passKPrompts"] as const) assert.equal(free.pooled[f], null, `reference-free pooled ${f}`);
});

test("the figures depend on the counts only: not on the prompt's id, the seed or the order of its runs", () => {
  const one = (id: string, flags: boolean[], seed: number) => analyzeRecords([{ id, samples: runs(flags) }], { resamples: 50, seed }).prompts[0]!;
  const x = one("x", [true, true, false, true, false, false, true, true], 1);
  const y = one("another id", [false, true, true, true, true, false, false, true], 7);
  assert.deepEqual([x.passHatK, x.passAtK, x.passHatKCi95, x.passAtKCi95], [y.passHatK, y.passAtK, y.passHatKCi95, y.passAtKCi95]);
});

test("the table: pass^1, pass^3, pass^n and pass@3 with their intervals for each prompt with a target, and pooled", () => {
  const records: PromptRecord[] = [
    { id: "five-of-eight", samples: runs([true, false, true, true, false, true, false, true]) },
    { id: "all-three", reference: "24", samples: [0, 1, 2].map((i) => ({ text: `run ${i}`, answer: "24" })) },
    { id: "no-target", samples: [{ text: "x", answer: "1" }, { text: "y", answer: "2" }] },
  ];
  const an = analyzeRecords(records, { resamples: 0 });
  const lines = renderTable(an);
  const start = lines.findIndex((l) => l.startsWith("Reliability"));
  assert.ok(start >= 0, "a Reliability section");
  assert.match(lines[start]!, /pass\^k: k fresh reruns all right/);
  const section = lines.slice(start + 1, lines.findIndex((l, i) => i > start && l.trim() === ""));
  const cols = (l: string) => l.trim().split(/\s{2,}/);
  assert.deepEqual(cols(section[0]!), ["prompt", "n", "pass^1", "pass^3", "pass^n", "pass@3"]);
  const cell = (x: number, c: [number, number]) => `${x.toFixed(2)} [${c[0].toFixed(2)}–${c[1].toFixed(2)}]`;
  const row = (id: string) => section.find((l) => l.trim().startsWith(id + " "));
  const p = an.prompts[0]!;
  assert.deepEqual(cols(row("five-of-eight")!), ["five-of-eight", "8", cell(p.passHatK![0]!, p.passHatKCi95![0]!), cell(p.passHatK![2]!, p.passHatKCi95![2]!), cell(p.passHatK![7]!, p.passHatKCi95![7]!), cell(p.passAtK![2]!, p.passAtKCi95![2]!)]);
  assert.equal(row("no-target"), undefined, "no target: no row");
  // pooled: k = 3, the smallest n of the prompts with a target, is the column every prompt is in
  const P = an.pooled;
  assert.deepEqual(cols(row("pooled")!), ["pooled", "3", cell(P.passHatK![0]!, P.passHatKCi95![0]!), cell(P.passHatK![2]!, P.passHatKCi95![2]!), cell(P.passHatK![2]!, P.passHatKCi95![2]!), cell(P.passAtK![2]!, P.passAtKCi95![2]!)]);
  const none = renderTable(analyzeRecords([records[2]!], { resamples: 0 })).join("\n");
  assert.doesNotMatch(none, /Reliability/, "no section without a target");
});

// ---------------------------------------------------------------------------------------------
// Coverage, by seeded simulation with known success rates

const DRAWS = 2000;
const PROMPTS = 30;

function binomial(rng: () => number, n: number, p: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (rng() < p) c++;
  return c;
}

/** Success rates of the prompts: spread over (0, 1), near 0, near 1, half near each end, all ½. */
const PROFILES: Record<string, (i: number) => number> = {
  spread: (i) => (i + 0.5) / PROMPTS,
  "near 0": (i) => 0.005 + (0.045 * i) / (PROMPTS - 1),
  "near 1": (i) => 0.95 + (0.045 * i) / (PROMPTS - 1),
  "0.02 / 0.98": (i) => (i % 2 ? 0.02 : 0.98),
  "all ½": () => 0.5,
};

interface Tally {
  hit: number;
  total: number;
}
const tally = (): Tally => ({ hit: 0, total: 0 });
const count = (t: Tally, ci: readonly [number, number], truth: number) => {
  t.total++;
  if (ci[0] <= truth && truth <= ci[1]) t.hit++;
};

for (const n of [5, 8, 10, 30, 100]) {
  test(`coverage at n = ${n}: per-prompt and pooled intervals hold the true pass^k and pass@k (k = 1, 2, n) ≥ 93% of ${DRAWS} seeded draws`, () => {
    const ks = [1, 2, n];
    const failures: string[] = [];
    for (const [name, profile] of Object.entries(PROFILES)) {
      const rng = mulberry32(0x5eed + n * 101 + name.length);
      const pis = Array.from({ length: PROMPTS }, (_, i) => profile(i));
      const perPrompt = new Map<string, Tally>();
      const pooled = new Map<string, Tally>();
      for (const k of ks)
        for (const f of ["^", "@"]) {
          perPrompt.set(f + k, tally());
          pooled.set(f + k, tally());
        }
      for (let d = 0; d < DRAWS; d++) {
        const pool = new ReliabilityPool();
        const cs = pis.map((p) => binomial(rng, n, p));
        cs.forEach((c) => pool.add(c, n));
        const P = pool.result()!;
        for (const k of ks) {
          const hatTruth = pis.reduce((s, p) => s + p ** k, 0) / PROMPTS;
          const atTruth = pis.reduce((s, p) => s + 1 - (1 - p) ** k, 0) / PROMPTS;
          count(pooled.get("^" + k)!, P.passHatKCi95[k - 1]!, hatTruth);
          count(pooled.get("@" + k)!, P.passAtKCi95[k - 1]!, atTruth);
          // per prompt: the first draws are enough (30 prompts each)
          if (d < DRAWS / PROMPTS + 1) {
            cs.forEach((c, i) => {
              const r = promptReliability(c, n);
              count(perPrompt.get("^" + k)!, r.passHatKCi95[k - 1]!, pis[i]! ** k);
              count(perPrompt.get("@" + k)!, r.passAtKCi95[k - 1]!, 1 - (1 - pis[i]!) ** k);
            });
          }
        }
      }
      for (const [what, m] of [
        ["per prompt", perPrompt],
        ["pooled", pooled],
      ] as const)
        for (const [key, t] of m) {
          assert.ok(t.total >= DRAWS, `${what} ${key}: ${t.total} draws`);
          const coverage = t.hit / t.total;
          if (coverage < 0.93) failures.push(`${name} ${what} pass${key}: ${coverage.toFixed(3)}`);
        }
    }
    assert.deepEqual(failures, [], "coverage below 0.93");
  });
}
