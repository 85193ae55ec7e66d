// `npm run bench`: how honest the pass^k and pass@k intervals are (METRICS.md §7b,
// src/core/reliability.ts). Coverage is the share of 95% intervals that hold the truth; the
// target is ≥ 0.93 at every n. Mean width says what that honesty costs.
//
// 1. Simulation, where the truth is known: 30 prompts with success rates π_i from seven profiles
//    (spread over (0, 1), all ½, near 0, near 1, 0.1, 0.9, half near 0 and half near 1), c_i ~
//    Binomial(n, π_i), 1,000 seeded draws per profile at n = 5, 8, 10, 30, 100. Per prompt the
//    truth is π_i^k (pass^k) and 1 − (1 − π_i)^k (pass@k); pooled, their mean over the prompts.
//    Printed: the lowest coverage over the profiles and the mean width, at k = 1, 2 and n; and,
//    for comparison, the pooled coverage of the method not chosen, a Jeffreys posterior simulation
//    (Beta(c+½, n−c+½) per prompt, percentile interval of the mean of π^k) on three profiles.
// 2. The real fixture (50 Game-of-24 puzzles × 100 GPT-4 reruns), when present: each puzzle's
//    reruns subsampled without replacement to n = 5, 8, 10, 30, 1,000 times, and each interval
//    compared with the full 100 reruns' value (C(c,k)/C(100,k) for pass^k), per puzzle and pooled
//    over the 50. Also the mean absolute error of the estimate against that value.
// A missed target prints MISSED and still exits 0; anything that crashes exits 1.
import { readFileSync } from "node:fs";
import { mulberry32, type Rng } from "../src/core/bootstrap";
import { findGame24 } from "./fixture";
import { passAtK, passHatK, promptReliability, ReliabilityPool } from "../src/core/reliability";
import type { Interval } from "../src/core/types";

const TARGET = 0.93;
const PROMPTS = 30;
const DRAWS = 1000;
const NS = [5, 8, 10, 30, 100];
const FIXTURE_NS = [5, 8, 10, 30];
const FIXTURE_DRAWS = 1000;
const JEFFREYS_DRAWS = 200;
const JEFFREYS_SAMPLES = 200;

const PROFILES: Record<string, (i: number) => number> = {
  spread: (i) => (i + 0.5) / PROMPTS,
  "all ½": () => 0.5,
  "near 0": (i) => 0.005 + (0.045 * i) / (PROMPTS - 1),
  "near 1": (i) => 0.95 + (0.045 * i) / (PROMPTS - 1),
  "0.1": () => 0.1,
  "0.9": () => 0.9,
  "0.02/0.98": (i) => (i % 2 ? 0.02 : 0.98),
};
const JEFFREYS_PROFILES = ["spread", "all ½", "near 1"];

// ---------- tallies ----------

class Tally {
  hit = 0;
  total = 0;
  width = 0;
  add(ci: Interval, truth: number): void {
    this.total++;
    this.width += ci[1] - ci[0];
    if (ci[0] <= truth && truth <= ci[1]) this.hit++;
  }
  get coverage(): number {
    return this.hit / this.total;
  }
  get meanWidth(): number {
    return this.width / this.total;
  }
}

/** Figure keys: "pass^1", "pass^2", "pass^n", "pass@2", "pass@n" (pass@1 is pass^1). */
const figures = (n: number) => [
  { key: "pass^1", k: 1, at: false },
  { key: "pass^2", k: 2, at: false },
  { key: "pass^n", k: n, at: false },
  { key: "pass@2", k: 2, at: true },
  { key: "pass@n", k: n, at: true },
];

const truthOf = (pis: number[], k: number, at: boolean) => pis.reduce((s, p) => s + (at ? 1 - (1 - p) ** k : p ** k), 0) / pis.length;

function binomial(rng: Rng, n: number, p: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (rng() < p) c++;
  return c;
}

/** Correct runs among n drawn without replacement from `total` runs of which `correct` are. */
function hypergeometric(rng: Rng, total: number, correct: number, n: number): number {
  let c = 0;
  let good = correct;
  let left = total;
  for (let i = 0; i < n; i++, left--) {
    if (rng() * left < good) {
      c++;
      good--;
    }
  }
  return c;
}

// ---------- the Jeffreys posterior, for comparison ----------

function gamma(rng: Rng, a: number): number {
  // Marsaglia–Tsang; a < 1 by the boost U^(1/a)
  if (a < 1) return gamma(rng, a + 1) * Math.pow(rng(), 1 / a);
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = Math.sqrt(-2 * Math.log(rng() || 1e-300)) * Math.cos(2 * Math.PI * rng());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    if (Math.log(rng()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

function jeffreysInterval(rng: Rng, counts: number[], n: number, k: number, at: boolean): Interval {
  const means: number[] = [];
  for (let b = 0; b < JEFFREYS_SAMPLES; b++) {
    let s = 0;
    for (const c of counts) {
      const x = gamma(rng, c + 0.5);
      const pi = x / (x + gamma(rng, n - c + 0.5));
      s += at ? 1 - (1 - pi) ** k : pi ** k;
    }
    means.push(s / counts.length);
  }
  means.sort((a, b) => a - b);
  return [means[Math.floor(0.025 * JEFFREYS_SAMPLES)]!, means[Math.ceil(0.975 * JEFFREYS_SAMPLES) - 1]!];
}

// ---------- printing ----------

const pad = (s: string, w: number, right = false) => (right ? s.padStart(w) : s.padEnd(w));
const f3 = (x: number) => x.toFixed(3);
let missed = 0;
function verdict(cov: number): string {
  if (cov >= TARGET) return "";
  missed++;
  return "  MISSED";
}

// ---------- 1. simulation ----------

function simulation(): void {
  console.log(`pass^k / pass@k intervals in simulation: ${PROMPTS} prompts, ${DRAWS} seeded draws per profile, ${Object.keys(PROFILES).length} profiles of π`);
  console.log("(coverage: the lowest over the profiles; width: the mean over them; target coverage ≥ 0.93)");
  console.log(`  ${pad("n", 4, true)}  ${pad("figure", 7)}  ${pad("per prompt", 10, true)}  ${pad("width", 6, true)}  ${pad("pooled", 7, true)}  ${pad("width", 6, true)}  ${pad("Jeffreys pooled", 15, true)}`);
  for (const n of NS) {
    const per = new Map<string, Tally[]>();
    const pooled = new Map<string, Tally[]>();
    const jeffreys = new Map<string, number[]>();
    for (const [name, profile] of Object.entries(PROFILES)) {
      const rng = mulberry32(0xbe7c + n * 7919 + name.charCodeAt(0) * 31 + name.length);
      const pis = Array.from({ length: PROMPTS }, (_, i) => profile(i));
      const tallies = figures(n).map(() => ({ per: new Tally(), pooled: new Tally(), jeffreys: new Tally() }));
      for (let d = 0; d < DRAWS; d++) {
        const counts = pis.map((p) => binomial(rng, n, p));
        const pool = new ReliabilityPool();
        counts.forEach((c) => pool.add(c, n));
        const P = pool.result()!;
        const each = counts.map((c) => promptReliability(c, n));
        figures(n).forEach(({ k, at }, f) => {
          const t = tallies[f]!;
          t.pooled.add((at ? P.passAtKCi95 : P.passHatKCi95)[k - 1]!, truthOf(pis, k, at));
          each.forEach((r, i) => t.per.add((at ? r.passAtKCi95 : r.passHatKCi95)[k - 1]!, at ? 1 - (1 - pis[i]!) ** k : pis[i]! ** k));
          if (JEFFREYS_PROFILES.includes(name) && d < JEFFREYS_DRAWS) t.jeffreys.add(jeffreysInterval(rng, counts, n, k, at), truthOf(pis, k, at));
        });
      }
      figures(n).forEach(({ key }, f) => {
        const t = tallies[f]!;
        per.set(key, [...(per.get(key) ?? []), t.per]);
        pooled.set(key, [...(pooled.get(key) ?? []), t.pooled]);
        if (t.jeffreys.total > 0) jeffreys.set(key, [...(jeffreys.get(key) ?? []), t.jeffreys.coverage]);
      });
    }
    for (const { key } of figures(n)) {
      const p = per.get(key)!;
      const q = pooled.get(key)!;
      const minPer = Math.min(...p.map((t) => t.coverage));
      const minPooled = Math.min(...q.map((t) => t.coverage));
      const width = (ts: Tally[]) => ts.reduce((s, t) => s + t.meanWidth, 0) / ts.length;
      console.log(
        `  ${pad(String(n), 4, true)}  ${pad(key, 7)}  ${pad(f3(minPer), 10, true)}  ${pad(f3(width(p)), 6, true)}  ${pad(f3(minPooled), 7, true)}  ${pad(f3(width(q)), 6, true)}  ${pad(f3(Math.min(...jeffreys.get(key)!)), 15, true)}${verdict(Math.min(minPer, minPooled))}`,
      );
    }
  }
}

// ---------- 2. the fixture ----------

/** The shared fixture: HOTMESS_FIXTURES, or shared/fixtures/… in a folder above the repository (as analysis.bench.ts finds it). */
function fixture(): void {
  const file = findGame24();
  if (!file) {
    console.log("\nfixture: shared/fixtures/game24-gpt4-cot/traces.jsonl not found (set HOTMESS_FIXTURES): skipped");
    return;
  }
  // each puzzle's correct count of its (100) reruns: the flags are the experiment's own check
  const puzzles = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as { samples: { correct?: boolean }[] })
    .map((r) => ({ total: r.samples.length, correct: r.samples.filter((s) => s.correct === true).length }));
  const N = puzzles[0]!.total;
  console.log(`\npass^k / pass@k on the real fixture: ${puzzles.length} puzzles × ${N} GPT-4 reruns, subsampled without replacement, ${FIXTURE_DRAWS} times per n`);
  console.log(`(the truth: the full ${N} reruns' value, C(c,k)/C(${N},k) for pass^k; MAE: mean |estimate − that value|)`);
  console.log(`  ${pad("n", 4, true)}  ${pad("figure", 7)}  ${pad("per puzzle", 10, true)}  ${pad("width", 6, true)}  ${pad("MAE", 6, true)}  ${pad("pooled", 7, true)}  ${pad("width", 6, true)}  ${pad("MAE", 6, true)}`);
  const full = puzzles.map((p) => ({ hat: passHatK(p.correct, p.total), at: passAtK(p.correct, p.total) }));
  for (const n of FIXTURE_NS) {
    const rng = mulberry32(0xf1c5 + n);
    const figs = figures(n);
    const t = figs.map(() => ({ per: new Tally(), pooled: new Tally(), perErr: 0, pooledErr: 0 }));
    for (let d = 0; d < FIXTURE_DRAWS; d++) {
      const counts = puzzles.map((p) => hypergeometric(rng, p.total, p.correct, n));
      const pool = new ReliabilityPool();
      counts.forEach((c) => pool.add(c, n));
      const P = pool.result()!;
      const each = counts.map((c) => promptReliability(c, n));
      figs.forEach(({ k, at }, f) => {
        const x = t[f]!;
        const truths = full.map((v) => (at ? v.at : v.hat)[k - 1]!);
        each.forEach((r, i) => {
          x.per.add((at ? r.passAtKCi95 : r.passHatKCi95)[k - 1]!, truths[i]!);
          x.perErr += Math.abs((at ? r.passAtK : r.passHatK)[k - 1]! - truths[i]!);
        });
        const pooledTruth = truths.reduce((s, v) => s + v, 0) / truths.length;
        x.pooled.add((at ? P.passAtKCi95 : P.passHatKCi95)[k - 1]!, pooledTruth);
        x.pooledErr += Math.abs((at ? P.passAtK : P.passHatK)[k - 1]! - pooledTruth);
      });
    }
    figs.forEach(({ key }, f) => {
      const x = t[f]!;
      console.log(
        `  ${pad(String(n), 4, true)}  ${pad(key, 7)}  ${pad(f3(x.per.coverage), 10, true)}  ${pad(f3(x.per.meanWidth), 6, true)}  ${pad(f3(x.perErr / x.per.total), 6, true)}  ${pad(f3(x.pooled.coverage), 7, true)}  ${pad(f3(x.pooled.meanWidth), 6, true)}  ${pad(f3(x.pooledErr / FIXTURE_DRAWS), 6, true)}${verdict(Math.min(x.per.coverage, x.pooled.coverage))}`,
      );
    });
  }
}

try {
  const started = performance.now();
  simulation();
  fixture();
  console.log(`\n${missed === 0 ? "pass^k / pass@k: all coverage targets met" : `pass^k / pass@k: ${missed} coverage target(s) MISSED`} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
} catch (e) {
  console.error(e);
  process.exit(1);
}
