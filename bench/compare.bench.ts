// `npm run bench`: does `hotmess compare` (src/core/compare.ts) tell rerun noise from a change?
// Issue 17's two claims, measured:
// 1. Rerun noise is not a change: the same reruns of each prompt split into two random halves
//    are flagged `significant` for at most ~5% of prompts. (a) On the real fixture (50
//    Game-of-24 puzzles × 100 GPT-4 reruns, when present): 2n of a puzzle's reruns drawn without
//    replacement, split into halves of n, compared, FIXTURE_REPS times per puzzle; the pooled
//    comparison of the 50 puzzles' halves too (POOLED_REPS times, through analyzeRecords and
//    compareAnalyses, as the CLI runs it). (b) Seeded simulation with known equal truth: two
//    independent tallies of n reruns of each answer distribution of bench/honesty.ts.
// 2. A real change is found: a prompt whose success rate moved from 4% to 60% (power).
// Beside each rate, a plain Wald interval for the accuracy difference, to show what the
// chosen intervals avoid. A missed target prints MISSED and still exits 0.
import { hashSeed, mulberry32, type Rng } from "../src/core/bootstrap";
import { analyzeRecords } from "../src/core/analyze";
import { compareAnalyses, promptDelta, sideDraws } from "../src/core/compare";
import { brierEstimate, type Tally } from "../src/core/interval";
import type { PromptRecord } from "../src/core/types";
import { findGame24 } from "./fixture";
import { drawTally, loadLabelled, SCENARIOS, subsample, tallyOfLabels, type Scenario } from "./honesty";

const NS = [5, 10, 30];
const SIM_DRAWS = Number(process.env.HOTMESS_BENCH_DRAWS ?? 400);
const FIXTURE_REPS = 40;
const POOLED_REPS = 200;
const POWER_DRAWS = 1000;
const B = 1000;
const FPR_TARGET = 0.05;
const FPR_SLACK = 0.01;
const missed: string[] = [];

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const pad = (s: string, w: number, right = false) => (right ? s.padStart(w) : s.padEnd(w));

/** The plain Wald interval for p_B − p_A flags it (the naive method). */
function waldFlags(a: Tally, b: Tally): boolean {
  const pA = a.correct / a.n;
  const pB = b.correct / b.n;
  const se = Math.sqrt((pA * (1 - pA)) / a.n + (pB * (1 - pB)) / b.n);
  const d = pB - pA;
  return d - 1.96 * se > 0 || d + 1.96 * se < 0;
}

/** One comparison of two tallies as compareAnalyses makes it. */
function flags(a: Tally, b: Tally, key: string): { any: boolean; acc: boolean; inc: boolean } {
  const d = promptDelta(a, b, brierEstimate(a), brierEstimate(b), sideDraws(a, B, 1, "a", key), sideDraws(b, B, 1, "b", key));
  const out = (ci: [number, number] | null) => ci !== null && (ci[0] > 0 || ci[1] < 0);
  return { any: d.significant, acc: out(d.accuracyCi95), inc: out(d.estimateCi95) };
}

interface Rates {
  any: number;
  acc: number;
  inc: number;
  wald: number;
  total: number;
}
const zero = (): Rates => ({ any: 0, acc: 0, inc: 0, wald: 0, total: 0 });
function tallyUp(r: Rates, a: Tally, b: Tally, key: string): void {
  const f = flags(a, b, key);
  r.total++;
  if (f.any) r.any++;
  if (f.acc) r.acc++;
  if (f.inc) r.inc++;
  if (waldFlags(a, b)) r.wald++;
}
const row = (r: Rates) => `${pad(pct(r.any / r.total), 8, true)} ${pad(pct(r.acc / r.total), 8, true)} ${pad(pct(r.inc / r.total), 8, true)} ${pad(pct(r.wald / r.total), 8, true)}`;
const HEAD = `${pad("flagged", 8, true)} ${pad("by acc.", 8, true)} ${pad("by inc.", 8, true)} ${pad("Wald acc", 8, true)}`;

function checkFpr(what: string, r: Rates): string {
  const rate = r.any / r.total;
  if (rate > FPR_TARGET + FPR_SLACK) {
    missed.push(`${what}: ${pct(rate)} flagged`);
    return "  MISSED";
  }
  return "";
}

function simulationNull(): void {
  console.log(`\nCompare: rerun noise in simulation (two independent tallies of n reruns of the same answer distribution; ${SIM_DRAWS} seeded pairs per cell; target ≤ ${pct(FPR_TARGET)} flagged)`);
  const all = NS.map(zero);
  for (const s of SCENARIOS) {
    NS.forEach((n, i) => {
      const rng = mulberry32(hashSeed(0xc0de, `${s.name}:${n}`));
      for (let d = 0; d < SIM_DRAWS; d++) tallyUp(all[i]!, drawTally(s, n, rng), drawTally(s, n, rng), `${s.name}:${n}:${d}`);
    });
  }
  console.log(`  ${pad("n per side", 12)} ${HEAD}`);
  NS.forEach((n, i) => console.log(`  ${pad(String(n), 12)} ${row(all[i]!)}${checkFpr(`simulation n = ${n}`, all[i]!)}`));
  // the worst scenario at each n (the rate over all of them hides a bad one)
  const worst = NS.map((n) => {
    let top = { name: "", rate: 0 };
    for (const s of SCENARIOS) {
      const r = zero();
      const rng = mulberry32(hashSeed(0xc0de, `${s.name}:${n}`));
      for (let d = 0; d < SIM_DRAWS; d++) tallyUp(r, drawTally(s, n, rng), drawTally(s, n, rng), `${s.name}:${n}:${d}`);
      if (r.any / r.total > top.rate) top = { name: s.name, rate: r.any / r.total };
    }
    return `n = ${n}: ${pct(top.rate)} (${top.name})`;
  });
  console.log(`  worst distribution: ${worst.join("; ")}`);
}

function fixtureNull(file: string): void {
  const puzzles = loadLabelled(file);
  console.log(`\nCompare: rerun noise on the fixture (${puzzles.length} Game-of-24 puzzles × 100 GPT-4 reruns; 2n reruns drawn, split into halves of n; ${FIXTURE_REPS} splits per puzzle)`);
  console.log(`  ${pad("n per half", 12)} ${HEAD}`);
  for (const n of NS) {
    const r = zero();
    const rng = mulberry32(hashSeed(0xf1, `halves:${n}`));
    for (const p of puzzles)
      for (let k = 0; k < FIXTURE_REPS; k++) {
        const both = subsample(p.classOf, 2 * n, rng);
        tallyUp(r, tallyOfLabels(both.slice(0, n), p.ref), tallyOfLabels(both.slice(n), p.ref), `${p.id}:${n}:${k}`);
      }
    console.log(`  ${pad(String(n), 12)} ${row(r)}${checkFpr(`fixture halves n = ${n}`, r)}`);
  }
}

/** A trace-set record of reruns given by class labels (class ref is correct). */
function record(id: string, labels: number[], ref: number): PromptRecord {
  return { id, samples: labels.map((k) => ({ text: `Answer: ${k === ref ? "ok" : `w${k}`}`, answer: k === ref ? "ok" : `w${k}`, correct: k === ref })) } as PromptRecord;
}

function fixturePooled(file: string): void {
  const puzzles = loadLabelled(file);
  console.log(`\nCompare: pooled over the ${puzzles.length} puzzles, halves of the fixture (compareAnalyses on two analyses; ${POOLED_REPS} splits; share of splits flagged)`);
  for (const n of NS) {
    const rng = mulberry32(hashSeed(0xf2, `pooled:${n}`));
    let flagged = 0;
    let acc = 0;
    let inc = 0;
    for (let k = 0; k < POOLED_REPS; k++) {
      const as: PromptRecord[] = [];
      const bs: PromptRecord[] = [];
      for (const p of puzzles) {
        const both = subsample(p.classOf, 2 * n, rng);
        as.push(record(p.id, both.slice(0, n), p.ref));
        bs.push(record(p.id, both.slice(n), p.ref));
      }
      const c = compareAnalyses(analyzeRecords(as, { resamples: 0 }), analyzeRecords(bs, { resamples: 0 }), { seed: k + 1 });
      const d = c.pooled.delta;
      if (d.significant) flagged++;
      if (d.accuracyCi95 && (d.accuracyCi95[0] > 0 || d.accuracyCi95[1] < 0)) acc++;
      if (d.estimateCi95 && (d.estimateCi95[0] > 0 || d.estimateCi95[1] < 0)) inc++;
    }
    const rate = flagged / POOLED_REPS;
    const bad = rate > FPR_TARGET + FPR_SLACK;
    if (bad) missed.push(`fixture pooled n = ${n}: ${pct(rate)} flagged`);
    console.log(`  n = ${pad(String(n), 3)} flagged ${pct(rate)} (accuracy ${pct(acc / POOLED_REPS)}, incoherence ${pct(inc / POOLED_REPS)})${bad ? "  MISSED" : ""}`);
  }
}

/** The changed prompt: 4% right (wrong answers 50/30 + a tail) → 60% right (25/10 + a tail). */
export const BEFORE: Scenario = { name: "4% right", a: 0.04, wrong: [0.5, 0.3] };
export const AFTER: Scenario = { name: "60% right", a: 0.6, wrong: [0.25, 0.1] };

function power(): void {
  console.log(`\nCompare: power, a success rate moved from 4% to 60% (${POWER_DRAWS} seeded pairs; share flagged)`);
  console.log(`  ${pad("n per side", 12)} ${HEAD}`);
  for (const n of NS) {
    const r = zero();
    const rng: Rng = mulberry32(hashSeed(0x90, `power:${n}`));
    for (let d = 0; d < POWER_DRAWS; d++) tallyUp(r, drawTally(BEFORE, n, rng), drawTally(AFTER, n, rng), `power:${n}:${d}`);
    console.log(`  ${pad(String(n), 12)} ${row(r)}`);
  }
}

const t0 = Date.now();
simulationNull();
const fixture = findGame24();
if (fixture) {
  fixtureNull(fixture);
  fixturePooled(fixture);
} else console.log("\nCompare on the fixture: skipped: no shared fixtures");
power();
console.log(`\n(${((Date.now() - t0) / 1000).toFixed(1)} s)${missed.length ? `\nMISSED: ${missed.join("; ")}` : ""}`);
