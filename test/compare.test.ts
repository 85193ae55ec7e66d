// `hotmess compare` (src/core/compare.ts, src/cli/compare.ts): the intervals of the differences,
// the matching of prompts, and issue 17's two claims on seeded data: rerun noise (two samples of
// the same truth, and halves of the real fixture's reruns) is flagged for at most ~5% of prompts,
// with bounds a plain Wald interval (or "one estimate outside the other's interval") misses; a success
// rate moved from 4% to 60% is found.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeRecords, analyzeTraceSet, hashSeed, mulberry32, type PromptRecord, type Rng } from "../src/core";
import { COMPARISON_SCHEMA, compareAnalyses, matchPrompts, newcombeInterval, promptDelta, sideDraws, wilson, type Comparison } from "../src/core/compare";
import { brierEstimate, brierInterval, type Tally } from "../src/core/interval";
import { main, type Io } from "../src/cli/main";
import { Capture } from "./support/capture";
import { sharedFixture, skipWithout } from "./support/fixtures";
import { drawTally, type Scenario } from "../bench/honesty";

const FIXTURE = sharedFixture("game24-gpt4-cot", "traces.jsonl");

// ---------- seeded simulation ----------

/** A truth: the success rate, named wrong answers' probabilities, the rest every answer different (bench/honesty.ts's scenarios). */
type Truth = Omit<Scenario, "name">;
const draw = (t: Truth, n: number, rng: Rng): Tally => drawTally({ name: "", ...t }, n, rng);

/** compare's verdict on two tallies, as compareAnalyses makes it. */
function flagged(a: Tally, b: Tally, key: string): boolean {
  return promptDelta(a, b, brierEstimate(a), brierEstimate(b), sideDraws(a, 1000, 1, "a", key), sideDraws(b, 1000, 1, "b", key)).significant;
}

/** The naive accuracy test: a plain Wald interval for p_B − p_A. */
function waldFlags(a: Tally, b: Tally): boolean {
  const pA = a.correct / a.n;
  const pB = b.correct / b.n;
  const se = Math.sqrt((pA * (1 - pA)) / a.n + (pB * (1 - pB)) / b.n);
  return Math.abs(pB - pA) > 1.96 * se;
}

/** The naive incoherence test: one side's estimate outside the other's own 95% interval. */
function outsideFlags(a: Tally, b: Tally, key: string): boolean {
  const ea = brierEstimate(a);
  const eb = brierEstimate(b);
  if (ea === null || eb === null) return false;
  const ca = brierInterval(a, mulberry32(hashSeed(1, `a:${key}`)))!;
  const cb = brierInterval(b, mulberry32(hashSeed(1, `b:${key}`)))!;
  return ea < cb[0] || ea > cb[1] || eb < ca[0] || eb > ca[1];
}

/** The share of `pairs` seeded pairs (A from `ta`, B from `tb`, n each) that each test flags. */
function rates(ta: Truth, tb: Truth, n: number, pairs: number, salt: string): { compare: number; wald: number; outside: number } {
  const rng = mulberry32(hashSeed(0xc0117, `${salt}:${n}`));
  let c = 0;
  let w = 0;
  let out = 0;
  for (let i = 0; i < pairs; i++) {
    const a = draw(ta, n, rng);
    const b = draw(tb, n, rng);
    if (flagged(a, b, `${salt}:${i}`)) c++;
    if (waldFlags(a, b)) w++;
    if (outsideFlags(a, b, `${salt}:${i}`)) out++;
  }
  return { compare: c / pairs, wald: w / pairs, outside: out / pairs };
}

// ---------- the intervals ----------

test("Newcombe's hybrid score interval matches Newcombe (1998)'s worked examples", () => {
  // method 10 of Newcombe, Statist. Med. 17:873–890, Table II: 56/70 − 48/80 and 9/10 − 3/10
  const close = (x: number, y: number) => Math.abs(x - y) < 5e-5;
  const [lo1, hi1] = newcombeInterval(48, 80, 56, 70);
  assert.ok(close(lo1, 0.0524) && close(hi1, 0.3339), `${lo1} ${hi1}`);
  const [lo2, hi2] = newcombeInterval(3, 10, 9, 10);
  assert.ok(close(lo2, 0.1705) && close(hi2, 0.809), `${lo2} ${hi2}`);
  // Wilson (1927) for 0 of 10: [0, 0.2775]
  assert.ok(close(wilson(0, 10)[1], 0.2775));
});

test("rerun noise in simulation: at most ~5% flagged where a plain Wald interval flags about twice that (n = 5 and 10)", () => {
  // n = 5 at a 50% success rate, answers otherwise all different: Newcombe's exact rate is 6.1%, Wald's 10.9%
  const r5 = rates({ a: 0.5, wrong: [] }, { a: 0.5, wrong: [] }, 5, 1500, "null5");
  assert.ok(r5.compare <= 0.075, `n = 5: compare flagged ${r5.compare}`);
  assert.ok(r5.wald > 0.085, `n = 5: the naive Wald interval should miss this bound, flagged ${r5.wald}`);
  // n = 10 at 30% (wrong 40/20 + tail): Newcombe 3.7%, Wald 9.5%
  const r10 = rates({ a: 0.3, wrong: [0.4, 0.2] }, { a: 0.3, wrong: [0.4, 0.2] }, 10, 1500, "null10");
  assert.ok(r10.compare <= 0.055, `n = 10: compare flagged ${r10.compare}`);
  assert.ok(r10.wald > 0.07, `n = 10: the naive Wald interval should miss this bound, flagged ${r10.wald}`);
});

test("rerun noise in incoherence alone (never right, so accuracy cannot differ): at most 5% flagged, where 'one estimate outside the other's interval' flags far more", () => {
  // one wrong answer at 90% or 80/20: many samples of 5–10 reruns all agree (estimate 0), others do not
  for (const wrong of [[0.9], [0.8, 0.2]])
    for (const n of [5, 10]) {
      const r = rates({ a: 0, wrong }, { a: 0, wrong }, n, 800, `inc${wrong.join("/")}:${n}`);
      assert.ok(r.compare <= 0.05, `${wrong.join("/")}, n = ${n}: compare flagged ${r.compare}`);
      assert.ok(r.outside > 0.15, `${wrong.join("/")}, n = ${n}: the naive test should miss this bound, flagged ${r.outside}`);
    }
});

test("a real change is found: a success rate moved from 4% to 60% is flagged (power ≥ 75% at n = 10, ≥ 99% at n = 30)", () => {
  const before = { a: 0.04, wrong: [0.5, 0.3] };
  const after = { a: 0.6, wrong: [0.25, 0.1] };
  const p10 = rates(before, after, 10, 600, "power");
  const p30 = rates(before, after, 30, 300, "power");
  assert.ok(p10.compare >= 0.75, `n = 10: power ${p10.compare}`);
  assert.ok(p30.compare >= 0.99, `n = 30: power ${p30.compare}`);
});

test("rerun noise on the real fixture: halves of the same reruns flagged for at most 5% of prompts (n = 5, 10, 30 per half)", { skip: skipWithout(FIXTURE) }, () => {
  const analysis = analyzeTraceSet(readFileSync(FIXTURE!, "utf8"), { resamples: 0 });
  const rng = mulberry32(hashSeed(0xf17, "halves"));
  for (const n of [5, 10, 30]) {
    let flags = 0;
    let total = 0;
    for (const p of analysis.prompts) {
      const ref = p.answers.findIndex((c) => c.reference);
      const labels = p.runs.map((r) => r.answerClass);
      for (let k = 0; k < 12; k++) {
        // 2n of the 100 reruns without replacement, split into halves
        const a = labels.slice();
        for (let i = 0; i < 2 * n; i++) {
          const j = i + Math.floor(rng() * (a.length - i));
          [a[i], a[j]] = [a[j]!, a[i]!];
        }
        const tally = (ls: number[]): Tally => {
          const m = new Map<number, number>();
          for (const l of ls) if (l !== ref) m.set(l, (m.get(l) ?? 0) + 1);
          return { n: ls.length, correct: ls.filter((l) => l === ref).length, wrong: [...m.values()] };
        };
        if (flagged(tally(a.slice(0, n)), tally(a.slice(n, 2 * n)), `${p.id}:${n}:${k}`)) flags++;
        total++;
      }
    }
    assert.ok(flags / total <= 0.05, `n = ${n}: ${flags} of ${total} flagged`);
  }
});

// ---------- matching and the document ----------

/** A prompt whose reruns answered `answers`; reference "ok" (null: no target). */
const rec = (id: string, prompt: string | undefined, answers: string[], reference: string | null = "ok"): PromptRecord => ({
  id,
  ...(prompt !== undefined ? { prompt } : {}),
  ...(reference !== null ? { reference } : {}),
  samples: answers.map((a) => ({ text: `Answer: ${a}`, answer: a })),
});
const times = (a: string, k: number) => new Array<string>(k).fill(a);

test("prompts match by id, else by prompt text with whitespace normalised; the rest are listed on their side", () => {
  const A = analyzeRecords([rec("p1", "What is 2+2?", times("ok", 5)), rec("old-2", "Name  a\ncolour.", times("ok", 5)), rec("gone", "x", times("ok", 5))]);
  const B = analyzeRecords([rec("p1", "different text", times("ok", 5)), rec("new-2", " Name a colour. ", times("ok", 5)), rec("added", "y", times("ok", 5))]);
  const m = matchPrompts(A.prompts, B.prompts);
  assert.deepEqual(
    m.pairs.map((p) => [p.a.id, p.b.id, p.by]),
    [
      ["p1", "p1", "id"],
      ["old-2", "new-2", "prompt"],
    ],
  );
  assert.deepEqual(
    m.unmatched.map((u) => [u.side, u.id]),
    [
      ["a", "gone"],
      ["b", "added"],
    ],
  );
  const c = compareAnalyses(A, B);
  assert.equal(c.prompts[1]!.bId, "new-2");
  assert.equal(c.unmatched.length, 2);
});

test("compareAnalyses: hotmess.comparison/1's shape, a clear change significant, no change not, no target says so, the same seed the same intervals", () => {
  const A = analyzeRecords([
    rec("better", "q1", [...times("ok", 1), "w1", "w1", "w2", "w3", "w1", "w2", "w4", "w1", "w2"]),
    rec("same", "q2", [...times("ok", 5), ...times("w", 5)]),
    rec("free", "q3", times("a", 10), null),
  ]);
  const B = analyzeRecords([rec("better", "q1", [...times("ok", 9), "w1"]), rec("same", "q2", [...times("ok", 5), ...times("w", 5)]), rec("free", "q3", times("b", 10), null)]);
  const c: Comparison = compareAnalyses(A, B, { seed: 7 });
  assert.equal(c.schema, COMPARISON_SCHEMA);
  const [better, same, free] = c.prompts;
  assert.ok(better && same && free);
  for (const p of c.prompts) for (const k of ["accuracy", "accuracyCi95", "estimate", "estimateCi95", "significant"]) assert.ok(k in p.delta, `${p.id}: delta.${k}`);
  assert.ok(Math.abs(better.delta.accuracy! - 0.8) < 1e-12);
  assert.ok(better.delta.accuracyCi95![0] > 0 && better.delta.significant);
  assert.equal(same.delta.accuracy, 0);
  assert.equal(same.delta.significant, false);
  assert.ok(same.delta.estimateCi95![0] < 0 && same.delta.estimateCi95![1] > 0);
  assert.equal(free.delta.accuracy, null);
  assert.equal(free.delta.accuracyCi95, null);
  assert.equal(free.delta.significant, false);
  assert.ok(free.notes.some((n) => /no target/.test(n)));
  // pooled over the two prompts with a target on both sides
  assert.equal(c.pooled.prompts, 2);
  assert.ok(Math.abs(c.pooled.delta.accuracy! - 0.4) < 1e-12);
  assert.ok(c.pooled.delta.accuracyCi95![0] > 0 && c.pooled.delta.significant);
  assert.deepEqual(compareAnalyses(A, B, { seed: 7 }).prompts.map((p) => p.delta), c.prompts.map((p) => p.delta));
});

test("a side with fewer than 5 reruns gets no interval and is never significant, and says why", () => {
  const c = compareAnalyses(analyzeRecords([rec("p", "q", times("w", 3))]), analyzeRecords([rec("p", "q", times("ok", 3))]));
  const p = c.prompts[0]!;
  assert.equal(p.delta.accuracy, 1);
  assert.equal(p.delta.accuracyCi95, null);
  assert.equal(p.delta.significant, false);
  assert.ok(p.notes.some((n) => /too few reruns/.test(n)));
});

// ---------- the command ----------

async function run(args: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: Io = { stdout, stderr, env: {} };
  const code = await main(args, io);
  return { code, out: stdout.text, err: stderr.text };
}

test("hotmess compare A B: the table with pooled row and unmatched prompts, --json hotmess.comparison/1, --md, exit 0", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hotmess-compare-"));
  const line = (r: PromptRecord) => JSON.stringify(r);
  const a = join(dir, "a.jsonl");
  const b = join(dir, "b.jsonl");
  writeFileSync(a, [line(rec("p1", "q1", [...times("ok", 1), ...times("w", 9)])), line(rec("only-a", "qa", times("ok", 5)))].join("\n") + "\n");
  writeFileSync(b, [line(rec("p1", "q1", [...times("ok", 9), "w"])), line(rec("only-b", "qb", times("ok", 5)))].join("\n") + "\n");
  const json = join(dir, "c.json");
  const md = join(dir, "c.md");
  const r = await run(["compare", a, b, "--json", json, "--md", md]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /p1 .*\+0\.80 \[\+0\.\d\d, \+0\.\d\d\].*\*/);
  assert.match(r.out, /pooled \(1 prompt\)/);
  assert.match(r.out, /only in A: only-a/);
  assert.match(r.out, /only in B: only-b/);
  assert.match(r.err, /2 prompts unmatched/);
  const doc = JSON.parse(readFileSync(json, "utf8")) as Comparison;
  assert.equal(doc.schema, "hotmess.comparison/1");
  assert.equal(doc.prompts.length, 1);
  assert.equal(doc.prompts[0]!.a.n, 10);
  assert.equal(doc.prompts[0]!.delta.significant, true);
  assert.ok("delta" in doc.pooled);
  assert.deepEqual(
    doc.unmatched.map((u) => u.id),
    ["only-a", "only-b"],
  );
  assert.match(readFileSync(md, "utf8"), /\| p1 \| 10\/10 \| 10% → 90% \|.*\*\*yes\*\*/);
  const dash = await run(["compare", a, b, "--json", "-"]);
  assert.equal((JSON.parse(dash.out) as Comparison).schema, "hotmess.comparison/1");
  const bad = await run(["compare", a]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /two inputs/);
});

test("pooled: ten prompts of equal truth are rarely flagged (≤ 5% of 60 seeded pairs of sets); three of them moved from 4% to 60% are flagged", () => {
  const truths: Truth[] = [
    { a: 0.04, wrong: [0.5, 0.3] },
    { a: 0.1, wrong: [0.2] },
    { a: 0.3, wrong: [0.4, 0.2] },
    { a: 0.5, wrong: [] },
    { a: 0.8, wrong: [0.2] },
    { a: 0, wrong: [0.9] },
    { a: 0, wrong: [0.5, 0.3, 0.2] },
    { a: 0.04, wrong: [0.5, 0.3] },
    { a: 0.04, wrong: [0.5, 0.3] },
    { a: 0.95, wrong: [0.05] },
  ];
  const changed = truths.map((t, i) => (i === 0 || i === 7 || i === 8 ? { a: 0.6, wrong: [0.25, 0.1] } : t));
  const rng = mulberry32(hashSeed(0x9001, "pooled"));
  const set = (ts: Truth[], n: number) =>
    analyzeRecords(
      ts.map((t, i) => {
        const tally = draw(t, n, rng);
        const answers = [...times("ok", tally.correct), ...tally.wrong.flatMap((k, j) => times(`w${j}`, k))];
        return rec(`p${i}`, undefined, answers);
      }),
      { resamples: 0 },
    );
  let noise = 0;
  let found = 0;
  const reps = 60;
  for (let r = 0; r < reps; r++) {
    if (compareAnalyses(set(truths, 10), set(truths, 10), { seed: r + 1, draws: 400 }).pooled.delta.significant) noise++;
    if (compareAnalyses(set(truths, 10), set(changed, 10), { seed: r + 1, draws: 400 }).pooled.delta.significant) found++;
  }
  assert.ok(noise / reps <= 0.05, `equal truths: ${noise} of ${reps} flagged`);
  assert.ok(found / reps >= 0.9, `a change in three of ten prompts: ${found} of ${reps} flagged`);
});

test("a side whose reruns are all right has no incoherence: no interval of its difference (it would read as a fall that never happened); the accuracy says what changed", () => {
  const mk = (id: string, answers: number[]) => ({ id, prompt: "What is 6 × 7?", reference: 42, samples: answers.map((x) => ({ text: `6 × 7 = ${x}\nAnswer: ${x}` })) });
  const a = analyzeRecords([mk("m", Array(10).fill(42))], { resamples: 50 });
  const b = analyzeRecords([mk("m", [42, 42, 41, 43, 40, 41, 41, 43, 44, 41])], { resamples: 50 });
  const c = compareAnalyses(a, b);
  const d = c.prompts[0]!.delta;
  assert.equal(d.estimate, null);
  assert.equal(d.estimateCi95, null);
  assert.ok(d.accuracyCi95 && d.accuracyCi95[1] < 0 && d.significant, JSON.stringify(d));
  assert.equal(c.pooled.delta.estimateCi95, null);
  assert.ok(c.prompts[0]!.notes.some((n) => /every rerun in A is correct/.test(n)));
});
