// Real data: the Game-of-24 GPT-4 chain-of-thought fixture (shared/fixtures/game24-gpt4-cot).
// The pooled Brier and binary figures, the finite-sample correction and the length split are
// recomputed here straight from METRICS.md, independently of the engine (only normalizeAnswer is
// reused, for class keys), and must agree with analyzeTraceSet to 1e-9. Then the shape
// invariants of FORMATS.md are checked over every prompt.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FeatureSpace, analyzeTraceSet, normalizeAnswer, type Analysis } from "../src/core";
import { sharedFixture, skipWithout } from "./support/fixtures";

const FIXTURE = sharedFixture("game24-gpt4-cot", "traces.jsonl");
const SKIP = skipWithout(FIXTURE);
const TOL = 1e-9;

interface RawSample {
  text?: string;
  thinking?: string;
  answer?: string | number | null;
  correct?: boolean;
}
interface RawPrompt {
  id: string;
  reference?: string | number;
  samples: RawSample[];
}

function near(actual: number | null | undefined, expected: number, msg: string): void {
  assert.ok(typeof actual === "number", `${msg}: expected ${expected}, got ${String(actual)}`);
  assert.ok(Math.abs(actual - expected) <= TOL, `${msg}: expected ${expected}, got ${actual} (diff ${actual - expected})`);
}

// --- An independent reading of METRICS.md ------------------------------------------------------

/** §2's extraction, written out here: last \boxed{…}, else the last Answer:/answer is line, else the last number. */
function extract(text: string): string | null {
  const at = text.lastIndexOf("\\boxed{");
  if (at >= 0) {
    let depth = 0;
    for (let i = at + 6; i < text.length; i++) {
      if (text[i] === "{") depth++;
      else if (text[i] === "}" && --depth === 0) {
        const inner = text.slice(at + 7, i);
        if (inner.trim()) return inner;
        break;
      }
    }
  }
  const lines = text.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /answer\s*(?::|is\b:?)\s*(.*)$/i.exec(lines[i]!);
    if (m && m[1]!.trim()) return m[1]!.trim();
  }
  const nums = text.match(/[-+]?\d+(?:\.\d+)?/g);
  return nums ? nums[nums.length - 1]! : null;
}

/**
 * §3 with flags on every sample: the reference class is the correct samples; every other sample
 * is keyed by its normalised answer (no-answer samples together). Returns class labels per sample.
 */
function labels(p: RawPrompt): string[] {
  assert.ok(p.samples.every((s) => typeof s.correct === "boolean"), `${p.id}: every sample has a flag`);
  return p.samples.map((s) => {
    if (s.correct === true) return "REF";
    const raw = "answer" in s ? s.answer : extract(s.text ?? s.thinking ?? "");
    const key = normalizeAnswer(raw);
    return key === null ? "NONE" : `k:${key}`;
  });
}

interface Fig {
  brierV: number;
  brierE: number;
  brierB: number;
  binV: number;
  binE: number;
  binB: number;
}

/** §4 from the class counts of a set of sample labels. */
function figures(ls: string[]): Fig {
  const n = ls.length;
  const counts = new Map<string, number>();
  for (const l of ls) counts.set(l, (counts.get(l) ?? 0) + 1);
  const pRef = (counts.get("REF") ?? 0) / n;
  let sumSqOthers = 0;
  for (const [l, c] of counts) if (l !== "REF") sumSqOthers += (c / n) ** 2;
  return {
    brierB: (1 - pRef) ** 2 + sumSqOthers,
    brierV: 1 - pRef * pRef - sumSqOthers,
    brierE: 2 * (1 - pRef),
    binB: (1 - pRef) ** 2,
    binV: pRef * (1 - pRef),
    binE: 1 - pRef,
  };
}

// -----------------------------------------------------------------------------------------------

let cache: { raw: RawPrompt[]; text: string; analysis: Analysis } | null = null;
function load() {
  if (!cache) {
    const text = readFileSync(FIXTURE!, "utf8");
    const raw = text
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as RawPrompt);
    cache = { raw, text, analysis: analyzeTraceSet(text) };
  }
  return cache;
}

test("fixture: pooled Brier and binary figures agree with an independent computation", { skip: SKIP }, () => {
  const { raw, analysis } = load();
  assert.equal(raw.length, 50);
  assert.equal(analysis.prompts.length, 50);
  assert.equal(analysis.skipped.length, 0);
  assert.equal(analysis.pooled.promptsWithTarget, 50);

  let bV = 0, bE = 0, bB = 0, nV = 0, nE = 0, nB = 0, bVu = 0, nVu = 0;
  raw.forEach((p, i) => {
    const n = p.samples.length;
    const f = figures(labels(p));
    const got = analysis.prompts[i]!;
    assert.equal(got.id, p.id);
    assert.equal(got.n, n);
    assert.equal(got.target, "flags");
    // per prompt, too
    near(got.brier!.bias2, f.brierB, `${p.id} brier bias2`);
    near(got.brier!.variance, f.brierV, `${p.id} brier variance`);
    near(got.brier!.error, f.brierE, `${p.id} brier error`);
    near(got.binary!.variance, f.binV, `${p.id} binary variance`);
    near(got.binary!.error, f.binE, `${p.id} binary error`);
    near(got.brier!.error, got.brier!.bias2 + got.brier!.variance, `${p.id} error = bias² + variance`);
    if (f.brierE > 0) near(got.brier!.incoherence, f.brierV / f.brierE, `${p.id} incoherence`);
    else assert.equal(got.brier!.incoherence, null);
    const vu = (n / (n - 1)) * f.brierV;
    near(got.brier!.varianceUnbiased, vu, `${p.id} varianceUnbiased`);
    near(got.brier!.bias2Unbiased, Math.max(0, f.brierE - vu), `${p.id} bias2Unbiased`);
    if (f.brierE > 0) near(got.brier!.incoherenceUnbiased, Math.min(1, vu / f.brierE), `${p.id} incoherenceUnbiased`);
    bV += f.brierV;
    bE += f.brierE;
    bB += f.brierB;
    nV += f.binV;
    nE += f.binE;
    nB += f.binB;
    bVu += vu;
    nVu += (n / (n - 1)) * f.binV;
  });
  const k = raw.length;
  const pb = analysis.pooled.brier!;
  near(pb.bias2, bB / k, "pooled brier bias2");
  near(pb.variance, bV / k, "pooled brier variance");
  near(pb.error, bE / k, "pooled brier error");
  near(pb.incoherence, bV / bE, "pooled brier incoherence (Σvariance/Σerror)");
  near(pb.varianceUnbiased, bVu / k, "pooled brier varianceUnbiased");
  near(pb.bias2Unbiased, Math.max(0, bE / k - bVu / k), "pooled brier bias2Unbiased");
  near(pb.incoherenceUnbiased, Math.min(1, bVu / bE), "pooled brier incoherenceUnbiased");
  const pn = analysis.pooled.binary!;
  near(pn.bias2, nB / k, "pooled binary bias2");
  near(pn.variance, nV / k, "pooled binary variance");
  near(pn.error, nE / k, "pooled binary error");
  near(pn.incoherence, nV / nE, "pooled binary incoherence");
  near(pn.varianceUnbiased, nVu / k, "pooled binary varianceUnbiased");
  near(pn.bias2Unbiased, Math.max(0, nE / k - nVu / k), "pooled binary bias2Unbiased");
  near(pn.incoherenceUnbiased, Math.min(1, nVu / nE), "pooled binary incoherenceUnbiased");
  // the fixture is a hot mess: far from a paperclip, and an interval around the point estimate
  assert.ok(pb.incoherence! > 0.3);
  const ci = pb.ci95!;
  assert.ok(ci[0] <= ci[1] && ci[0] >= 0 && ci[1] <= 1);
  assert.equal(analysis.pooled.kl, null, "no probs in this fixture");
});

test("fixture: the length split agrees with an independent computation", { skip: SKIP }, () => {
  const { raw, analysis } = load();
  // §8: per prompt, order samples by trace length (ties by sample index), shorter half vs longer half
  // (n = 100 here, so 50 and 50); pool each half's Brier variance and error over prompts.
  let sV = 0, sE = 0, lV = 0, lE = 0, sLen = 0, lLen = 0, sN = 0, lN = 0;
  for (const p of raw) {
    const ls = labels(p);
    const len = p.samples.map((s) => (typeof s.thinking === "string" ? s.thinking : (s.text ?? "")).length);
    const order = len.map((_, i) => i).sort((a, b) => len[a]! - len[b]! || a - b);
    const h = Math.floor(order.length / 2);
    const short = order.slice(0, h);
    const long = order.slice(order.length - h);
    const fs = figures(short.map((i) => ls[i]!));
    const fl = figures(long.map((i) => ls[i]!));
    sV += fs.brierV;
    sE += fs.brierE;
    lV += fl.brierV;
    lE += fl.brierE;
    for (const i of short) sLen += len[i]!;
    for (const i of long) lLen += len[i]!;
    sN += short.length;
    lN += long.length;
  }
  const split = analysis.pooled.lengthSplit!;
  near(split.short.incoherence, sV / sE, "short incoherence");
  near(split.long.incoherence, lV / lE, "long incoherence");
  assert.equal(split.short.samples, sN);
  assert.equal(split.long.samples, lN);
  near(split.short.meanLength, sLen / sN, "short mean length");
  near(split.long.meanLength, lLen / lN, "long mean length");
  // the paper's Fig. 3 finding holds on this data
  assert.ok(split.long.incoherence! > split.short.incoherence!);
});

test("fixture: shape invariants of hotmess.analysis/1 over all 50 prompts", { skip: SKIP }, () => {
  const { raw, analysis } = load();
  for (const [pi, p] of analysis.prompts.entries()) {
    const src = raw[pi]!;
    const n = p.n;
    assert.equal(p.runs.length, n);
    p.runs.forEach((r, i) => {
      assert.equal(r.index, i);
      const trace = src.samples[i]!.thinking ?? src.samples[i]!.text ?? "";
      assert.equal(r.length, trace.length);
      for (const s of r.steps) {
        assert.ok(Number.isInteger(s.start) && Number.isInteger(s.end) && 0 <= s.start && s.start < s.end && s.end <= trace.length, `${p.id} run ${i} offsets`);
        assert.equal(trace.slice(s.start, s.end), s.text, `${p.id} run ${i}: trace.slice(start, end) === text`);
      }
      for (let k = 1; k < r.steps.length; k++) assert.ok(r.steps[k - 1]!.end <= r.steps[k]!.start, `${p.id} run ${i}: steps in order`);
    });

    // every step of every run appears exactly once, in increasing column order
    const lastStep = new Array<number>(n).fill(-1);
    const seenCount = new Array<number>(n).fill(0);
    // a step of words only in text that computes is filler: no divergence from a path of words only
    // there, or from a reference path without a step (refpath.ts, align.ts)
    const space = new FeatureSpace();
    const substance = p.runs.map((r) => r.steps.map((st) => space.features(st.text).substance !== null));
    const anySubstance = substance.some((r) => r.some(Boolean));
    for (const [ci, col] of p.columns.entries()) {
      assert.equal(col.cells.length, n, `${p.id} column ${ci}: one cell per run`);
      let nonGap = 0;
      col.cells.forEach((cell, r) => {
        assert.equal(cell.run, r, `${p.id} column ${ci}: cells in run order`);
        assert.ok(cell.divergence >= 0 && cell.divergence <= 1, `${p.id} column ${ci} run ${r}: divergence in [0, 1]`);
        assert.equal(cell.step === null, cell.group === null, `${p.id} column ${ci} run ${r}: group null iff step null`);
        // divergence from the reference path when the prompt has one with runs (src/core/refpath.ts), else from the consensus
        const path = p.divergenceBasis?.kind === "reference" ? col.referenceGroup : 0;
        if (cell.step === null) {
          assert.equal(cell.divergence, path === null ? 0 : 1, "a gap has divergence 1 (0 where the reference path has no step)");
          return;
        }
        nonGap++;
        assert.ok(Number.isInteger(cell.step) && cell.step >= 0 && cell.step < p.runs[r]!.steps.length, `${p.id} column ${ci} run ${r}: valid step index`);
        assert.ok(Number.isInteger(cell.group) && cell.group! >= 0 && cell.group! < col.groups, `${p.id} column ${ci} run ${r}: valid group`);
        const filler = anySubstance && !substance[r]![cell.step!];
        if (cell.group === path) assert.equal(cell.divergence, 0, "the group on the path (the consensus, or the reference's) has divergence 0");
        else if (filler && path === null) assert.equal(cell.divergence, 0, `${p.id} column ${ci} run ${r}: filler where the reference path has no step is no divergence`);
        else if (!filler) assert.ok(cell.divergence >= (path === null ? 1 : 0.05), `${p.id} column ${ci} run ${r}: a step off the path diverges`);
        assert.equal(cell.step, lastStep[r]! + 1, `${p.id} column ${ci} run ${r}: steps in increasing column order, none skipped`);
        lastStep[r] = cell.step;
        seenCount[r]!++;
      });
      assert.ok(nonGap > 0, `${p.id} column ${ci}: not all gaps`);
      // groups are numbered by size, group 0 the largest
      const sizes = new Array<number>(col.groups).fill(0);
      for (const c of col.cells) if (c.group !== null) sizes[c.group]!++;
      for (let g = 1; g < sizes.length; g++) assert.ok(sizes[g - 1]! >= sizes[g]!, `${p.id} column ${ci}: group sizes ordered`);
    }
    p.runs.forEach((r, i) => assert.equal(seenCount[i], r.steps.length, `${p.id} run ${i}: every step placed exactly once`));
    if (p.forkColumn !== null) assert.ok(Number.isInteger(p.forkColumn) && p.forkColumn >= 0 && p.forkColumn < p.columns.length);
    // divergence is from the reference path whenever some run is in the reference class
    const right = p.runs.filter((r) => r.correct === true).length;
    assert.deepEqual(p.divergenceBasis, p.target === "none" ? { kind: "majority", reason: "no target" } : right > 0 ? { kind: "reference", runs: right } : { kind: "majority", reason: "no run in the reference class" });
    // answers: counts add up to n; the reference class is first
    assert.equal(
      p.answers.reduce((s, a) => s + a.count, 0),
      n,
    );
    assert.equal(p.answers[0]!.reference, true);
    assert.equal(p.answers.filter((a) => a.reference).length, 1);
  }
});

/**
 * An independent reading of a Game-of-24 step `a op b = c (left: …)`: the operation on its
 * numbers and its stated result, with + and × commutative; null for other lines.
 */
function operation(text: string): string | null {
  const m = /^\s*\(?\s*(\d+(?:\.\d+)?)\s*([-+*/x×])\s*(\d+(?:\.\d+)?)\s*\)?\s*=\s*(-?\d+(?:\.\d+)?)\s*(?:\(left:[\d\s.,]*\))?\s*$/.exec(text);
  if (!m) return null;
  const op = m[2] === "x" || m[2] === "×" ? "*" : m[2]!;
  let [a, b] = [Number(m[1]), Number(m[3])];
  if ((op === "+" || op === "*") && a > b) [a, b] = [b, a];
  return `${a} ${op} ${b} = ${Number(m[4])}`;
}

test("fixture: steps doing the same operation on the same numbers share a group; different ones never do", { skip: SKIP }, () => {
  const { analysis } = load();
  let sameGroupPairs = 0;
  let checkedSteps = 0;
  for (const p of analysis.prompts) {
    for (const [ci, col] of p.columns.entries()) {
      const byOp = new Map<string, Set<number>>(); // operation → groups holding it
      const byGroup = new Map<number, Set<string>>(); // group → operations in it
      for (const cell of col.cells) {
        if (cell.step === null) continue;
        const op = operation(p.runs[cell.run]!.steps[cell.step]!.text);
        if (op === null) continue;
        checkedSteps++;
        (byOp.get(op) ?? byOp.set(op, new Set()).get(op)!).add(cell.group!);
        (byGroup.get(cell.group!) ?? byGroup.set(cell.group!, new Set()).get(cell.group!)!).add(op);
      }
      for (const [op, groups] of byOp) assert.equal(groups.size, 1, `${p.id} column ${ci}: "${op}" is split over groups ${[...groups].join(", ")}`);
      for (const [g, ops] of byGroup) {
        assert.equal(ops.size, 1, `${p.id} column ${ci} group ${g} mixes ${[...ops].join(" | ")}`);
        sameGroupPairs++;
      }
    }
  }
  // the check ran over the real steps, not over nothing
  assert.ok(checkedSteps > 10000, `checked ${checkedSteps} operation steps`);
  assert.ok(sameGroupPairs > 500);
});

test("fixture: each operation done by several runs sits in one column and group, whatever its position", { skip: SKIP }, () => {
  const { analysis } = load();
  let together = 0;
  let total = 0;
  let worst = 1;
  for (const p of analysis.prompts) {
    const where = new Map<string, Map<string, number>>(); // operation → "column/group" → runs
    p.runs.forEach((r, i) =>
      r.steps.forEach((s, k) => {
        const op = operation(s.text);
        if (op === null) return;
        const col = p.columns.findIndex((c) => c.cells[i]!.step === k);
        const at = `${col}/${p.columns[col]!.cells[i]!.group}`;
        const m = where.get(op) ?? where.set(op, new Map()).get(op)!;
        m.set(at, (m.get(at) ?? 0) + 1);
      }),
    );
    for (const m of where.values()) {
      const counts = [...m.values()];
      const n = counts.reduce((a, b) => a + b, 0);
      if (n < 5) continue;
      const home = Math.max(...counts);
      together += home;
      total += n;
      worst = Math.min(worst, home / n);
    }
  }
  console.log(`operations done by ≥ 5 runs: ${((100 * together) / total).toFixed(1)}% of their ${total} steps in their home column and group (worst ${(100 * worst).toFixed(0)}%)`);
  assert.ok(total > 3000);
  assert.ok(together / total >= 0.9, `only ${together} of ${total}`);
});
