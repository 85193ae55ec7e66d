// `npm run bench`: how honest the headline incoherence and its 95% interval are at the n people
// run (METRICS.md §7, src/core/interval.ts). Coverage: the share of intervals that hold the
// truth (target ≥ 0.93 at every n, in every case); width: what that honesty costs; MAE: mean
// |figure − truth| of the estimate and of the paper's plug-in.
//
// 1. Simulation, truth known exactly: the 16 answer distributions of bench/honesty.ts (the
//    issue's hard cases: every run agrees, one run differs, no run correct, p_ref near 0 and 1,
//    and ordinary ones), DRAWS seeded draws of n reruns each, n = 5, 8, 10, 30, 100. Draws where
//    every rerun was correct have no estimate but an interval [lower, 1], counted like the rest.
// 2. The real fixture (50 Game-of-24 puzzles × 100 GPT-4 reruns), when present: each puzzle's
//    reruns subsampled without replacement to n, FIXTURE_DRAWS times, compared with the value
//    its full 100 reruns give (the same estimator at n = 100).
// 3. Pooled (Σ variance / Σ error): the 50 puzzles subsampled together, against the full
//    data's pooled value; and 32 simulated prompts (two of each distribution).
// 4. The binary form (its incoherence is the success rate): Clopper–Pearson coverage over rates.
// A missed target prints MISSED and still exits 0; anything that crashes exits 1.
import { hashSeed, mulberry32 } from "../src/core/bootstrap";
import { binaryInterval, brierEstimate, brierInterval, intervalFromDraws, posteriorDraws, type Tally } from "../src/core/interval";
import { findGame24 } from "./fixture";
import { drawTally, loadLabelled, SCENARIOS, subsample, tallyOfLabels, trueIncoherence } from "./honesty";

const TARGET = 0.93;
const NS = [5, 8, 10, 30, 100];
const DRAWS = Number(process.env.HOTMESS_BENCH_DRAWS ?? 1000);
const FIXTURE_DRAWS = 40;
const POOLED_DRAWS = 200;
const B = 1000;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const f3 = (x: number) => x.toFixed(3);
const pad = (s: string, w: number, right = false) => (right ? s.padStart(w) : s.padEnd(w));
const covers = (ci: [number, number], t: number) => ci[0] - 1e-12 <= t && t <= ci[1] + 1e-12;
const key = (t: Tally) => `${t.n}:${t.correct}:${[...t.wrong].sort((a, b) => b - a).join(",")}`;
/** The interval as the analysis computes it, seeded by the counts (the analysis seeds by the prompt). */
const interval = (t: Tally, salt: number) => brierInterval(t, mulberry32(hashSeed(salt, key(t))), B);
/** The plug-in incoherence (1 − Σp²)/(2(1 − p_ref)). */
function plugin(t: Tally): number | null {
  if (t.correct >= t.n) return null;
  let sq = (t.correct / t.n) ** 2;
  for (const k of t.wrong) sq += (k / t.n) ** 2;
  return (1 - sq) / (2 * (1 - t.correct / t.n));
}

const missed: string[] = [];

function simulation(): void {
  console.log(`\nIncoherence: estimate and 95% interval in simulation (truth known; ${DRAWS} seeded draws per cell; coverage / mean width)`);
  console.log(`  ${pad("answer distribution", 52)} ${pad("truth", 6, true)}  ${NS.map((n) => pad(`n = ${n}`, 13, true)).join("")}`);
  const perN = NS.map(() => ({ worst: 1, worstName: "", width: 0, widthN: 0, maeE: 0, maeP: 0, maeN: 0, none: 0, total: 0 }));
  for (const s of SCENARIOS) {
    const truth = trueIncoherence(s)!;
    const cells = NS.map((n, i) => {
      const rng = mulberry32(hashSeed(0x51a, `${s.name}:${n}`));
      let cov = 0;
      let given = 0;
      let width = 0;
      let noEstimate = 0;
      const agg = perN[i]!;
      for (let d = 0; d < DRAWS; d++) {
        const t = drawTally(s, n, rng);
        const e = brierEstimate(t);
        const p = plugin(t);
        agg.total++;
        if (e === null) {
          noEstimate++;
          agg.none++;
        }
        if (e !== null && p !== null) {
          agg.maeE += Math.abs(e - truth);
          agg.maeP += Math.abs(p - truth);
          agg.maeN++;
        }
        const ci = interval(t, d);
        if (!ci) continue;
        given++;
        width += ci[1] - ci[0];
        if (covers(ci, truth)) cov++;
      }
      const c = given > 0 ? cov / given : 1;
      agg.width += width;
      agg.widthN += given;
      if (given > 0 && c < agg.worst) {
        agg.worst = c;
        agg.worstName = s.name;
      }
      return `${pad(pct(c), 6, true)}/${f3(given > 0 ? width / given : 0).slice(1)}${noEstimate > 0 ? "*" : " "}`;
    });
    console.log(`  ${pad(s.name, 52)} ${pad(f3(truth), 6, true)}  ${cells.map((c) => pad(c, 13, true)).join("")}`);
  }
  console.log("  (* some draws had every rerun correct: no estimate, and an interval [lower, 1]; counted like the others)");
  console.log(`\n  ${pad("n", 4, true)}  ${pad("lowest coverage", 16, true)}  ${pad("mean width", 10, true)}  ${pad("MAE estimate", 12, true)}  ${pad("MAE plug-in", 11, true)}  ${pad("no estimate", 11, true)}`);
  NS.forEach((n, i) => {
    const a = perN[i]!;
    const verdict = a.worst >= TARGET ? "" : `  MISSED (≥ ${pct(TARGET)}: ${a.worstName})`;
    if (verdict) missed.push(`simulation n = ${n}`);
    console.log(`  ${pad(String(n), 4, true)}  ${pad(pct(a.worst), 16, true)}  ${pad(f3(a.width / a.widthN), 10, true)}  ${pad(f3(a.maeE / a.maeN), 12, true)}  ${pad(f3(a.maeP / a.maeN), 11, true)}  ${pad(pct(a.none / a.total), 11, true)}${verdict}`);
  });
}

/** The pooled interval of several prompts, as the analysis makes it: each prompt's draws summed, then the ratio's quantiles. */
function pooledInterval(tallies: Tally[], salt: number): { estimate: number | null; ci: [number, number] | null } {
  const sums = { lv: new Float64Array(B), le: new Float64Array(B), hv: new Float64Array(B), he: new Float64Array(B) };
  let vu = 0;
  let err = 0;
  tallies.forEach((t, i) => {
    const d = posteriorDraws(t, B, mulberry32(hashSeed(salt, `${i}:${key(t)}`)));
    for (let b = 0; b < B; b++) {
      sums.lv[b]! += d.loVariance[b]!;
      sums.le[b]! += d.loError[b]!;
      sums.hv[b]! += d.hiVariance[b]!;
      sums.he[b]! += d.hiError[b]!;
    }
    const e = 2 * (1 - t.correct / t.n);
    err += e;
    let pairs = t.correct * (t.correct - 1);
    for (const k of t.wrong) pairs += k * (k - 1);
    vu += 1 - pairs / (t.n * (t.n - 1));
  });
  const estimate = err > 0 ? Math.min(1, vu / err) : null;
  return { estimate, ci: intervalFromDraws(sums.lv, sums.le, sums.hv, sums.he, estimate, true) };
}

function fixture(): void {
  const file = findGame24();
  if (!file) {
    console.log("\nfixture: shared/fixtures/game24-gpt4-cot/traces.jsonl not found (set HOTMESS_FIXTURES): skipped");
    return;
  }
  const puzzles = loadLabelled(file);
  const N = puzzles[0]!.classOf.length;
  console.log(`\nIncoherence on the real fixture: ${puzzles.length} Game-of-24 puzzles × ${N} GPT-4 reruns, subsampled to n without replacement (${FIXTURE_DRAWS} times per puzzle), against the full ${N} reruns' value`);
  console.log(`  ${pad("n", 4, true)}  ${pad("coverage", 9, true)}  ${pad("mean width", 10, true)}  ${pad("MAE estimate", 12, true)}  ${pad("MAE plug-in", 11, true)}  ${pad("pooled coverage", 15, true)}  ${pad("pooled width", 12, true)}`);
  const fullTallies = puzzles.map((p) => tallyOfLabels(p.classOf, p.ref));
  const truths = fullTallies.map((t) => brierEstimate(t));
  const pooledTruth = pooledInterval(fullTallies, 0).estimate!;
  for (const n of [...NS.filter((x) => x < N), N]) {
    const rng = mulberry32(hashSeed(0xf17, String(n)));
    let cov = 0;
    let given = 0;
    let width = 0;
    let maeE = 0;
    let maeP = 0;
    let maeN = 0;
    puzzles.forEach((p, i) => {
      const truth = truths[i];
      if (truth === null || truth === undefined) return;
      for (let d = 0; d < (n === N ? 1 : FIXTURE_DRAWS); d++) {
        const t = tallyOfLabels(subsample(p.classOf, n, rng), p.ref);
        const e = brierEstimate(t);
        const pl = plugin(t);
        if (e !== null && pl !== null) {
          maeE += Math.abs(e - truth);
          maeP += Math.abs(pl - truth);
          maeN++;
        }
        const ci = interval(t, d);
        if (!ci) continue;
        given++;
        width += ci[1] - ci[0];
        if (covers(ci, truth)) cov++;
      }
    });
    let pcov = 0;
    let pwidth = 0;
    const pr = n === N ? 1 : Math.min(POOLED_DRAWS, Number(process.env.HOTMESS_BENCH_POOLED ?? POOLED_DRAWS));
    for (let d = 0; d < pr; d++) {
      const { ci } = pooledInterval(puzzles.map((p) => tallyOfLabels(subsample(p.classOf, n, rng), p.ref)), d + 1);
      if (ci && covers(ci, pooledTruth)) pcov++;
      if (ci) pwidth += ci[1] - ci[0];
    }
    const c = cov / given;
    const verdict = n === N ? "  (the full data itself)" : c >= TARGET && pcov / pr >= TARGET ? "" : "  MISSED";
    if (verdict === "  MISSED") missed.push(`fixture n = ${n}`);
    console.log(`  ${pad(String(n), 4, true)}  ${pad(pct(c), 9, true)}  ${pad(f3(width / given), 10, true)}  ${pad(f3(maeE / maeN), 12, true)}  ${pad(f3(maeP / maeN), 11, true)}  ${pad(pct(pcov / pr), 15, true)}  ${pad(f3(pwidth / pr), 12, true)}${verdict}`);
  }
}

function pooledSimulation(): void {
  const prompts = [...SCENARIOS, ...SCENARIOS];
  const truthV = prompts.reduce((s, p) => s + trueIncoherence(p)! * 2 * (1 - p.a), 0);
  const truthE = prompts.reduce((s, p) => s + 2 * (1 - p.a), 0);
  const truth = truthV / truthE;
  const R = Math.min(POOLED_DRAWS, Number(process.env.HOTMESS_BENCH_POOLED ?? POOLED_DRAWS));
  console.log(`\nPooled incoherence in simulation: ${prompts.length} prompts (two of each distribution), truth ${f3(truth)}, ${R} seeded draws per n`);
  console.log(`  ${pad("n", 4, true)}  ${pad("coverage", 9, true)}  ${pad("mean width", 10, true)}  ${pad("MAE estimate", 12, true)}`);
  for (const n of NS) {
    const rng = mulberry32(hashSeed(0x9001, String(n)));
    let cov = 0;
    let width = 0;
    let mae = 0;
    for (let d = 0; d < R; d++) {
      const { estimate, ci } = pooledInterval(prompts.map((s) => drawTally(s, n, rng)), d);
      if (ci && covers(ci, truth)) cov++;
      if (ci) width += ci[1] - ci[0];
      mae += Math.abs((estimate ?? 0) - truth);
    }
    const verdict = cov / R >= TARGET ? "" : "  MISSED";
    if (verdict) missed.push(`pooled simulation n = ${n}`);
    console.log(`  ${pad(String(n), 4, true)}  ${pad(pct(cov / R), 9, true)}  ${pad(f3(width / R), 10, true)}  ${pad(f3(mae / R), 12, true)}${verdict}`);
  }
}

function binary(): void {
  const rates = [0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.95, 0.99];
  console.log(`\nBinary form (incoherence = the success rate; Clopper–Pearson): lowest coverage over rates ${rates.join(", ")} (4,000 draws each)`);
  for (const n of NS) {
    let worst = 1;
    let width = 0;
    let count = 0;
    for (const p of rates) {
      const rng = mulberry32(hashSeed(0xb1, `${n}:${p}`));
      let cov = 0;
      let given = 0;
      for (let d = 0; d < 4000; d++) {
        let c = 0;
        for (let i = 0; i < n; i++) if (rng() < p) c++;
        const ci = binaryInterval(n, c)!;
        given++;
        width += ci[1] - ci[0];
        count++;
        if (covers(ci, p)) cov++;
      }
      if (given > 0) worst = Math.min(worst, cov / given);
    }
    const verdict = worst >= TARGET ? "" : "  MISSED";
    if (verdict) missed.push(`binary n = ${n}`);
    console.log(`  n = ${pad(String(n), 3, true)}: lowest coverage ${pct(worst)}, mean width ${f3(width / count)}${verdict}`);
  }
}

const t0 = Date.now();
simulation();
fixture();
pooledSimulation();
binary();
console.log(`\nhonesty bench: ${((Date.now() - t0) / 1000).toFixed(0)} s; ${missed.length === 0 ? "every target met" : `MISSED: ${missed.join("; ")}`}`);
