// One analysis of a run file (src/core/runanalysis.ts): the samples by their recorded index, the
// runs numbered by it, the seed recorded in the header, and nothing from the run's id (which
// holds the time it was made): the same samples and seed give the same analysis, whatever order
// the sample lines were written in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeRun, analyzeRuns, parseRunFile, runSeed, type Analysis, type ParsedRun } from "../src/core";

const ANSWERS = [18, 20, 18, 9, 18, 20, 18, 18, 21, 18];

function sample(index: number) {
  const a = ANSWERS[index % ANSWERS.length]!;
  const thinking = a === 18 ? `16 - 3 = 13\n13 - 4 = 9\n9 * 2 = 18` : a === 20 ? `16 - 3 = 13\n13 - 3 = 10\n10 * 2 = 20` : `16 - 3 - 4 = 9\nShe sells ${a} eggs`;
  return { type: "sample", index, text: `Answer: ${a}`, thinking: `${thinking}${index % 3 === 0 ? "\nDouble-checked." : ""}`, redactedThinking: 0, usage: { inputTokens: 10, outputTokens: 20 }, costUsd: null, latencyMs: 100, retries: 0, truncated: false, stopReason: "end_turn", finishedAt: "2026-05-01T10:00:01.000Z" };
}

/** A run file's text: its header (with `extra`), the samples of `order` in that order, an end line. */
function runText(order: number[], extra: Record<string, unknown> = {}, id = "0a1b2c3d-m1abc"): string {
  const header = { type: "header", schema: "hotmess.run/1", id, createdAt: "2026-05-01T10:00:00.000Z", tool: { name: "hotmess", version: "0.1.0" }, provider: "anthropic", model: "m", prompt: "Janet's ducks?", reference: 18, parameters: { n: order.length, maxTokens: 1000, thinking: { type: "none" }, concurrency: 4, idleTimeoutMs: 1000 }, ...extra };
  return [header, ...order.map(sample), { type: "end", status: "complete", finishedAt: "2026-05-01T10:00:09.000Z" }].map((l) => JSON.stringify(l)).join("\n") + "\n";
}

const withoutIds = (a: Analysis) => ({ ...a, prompts: a.prompts.map((p) => ({ ...p, id: null })) });

test("the samples are analysed by their recorded index: the order they were written in changes nothing", () => {
  const inOrder = analyzeRun(parseRunFile(runText([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])));
  const arrived = analyzeRun(parseRunFile(runText([3, 1, 0, 2, 7, 5, 4, 6, 9, 8])));
  assert.deepEqual(arrived, inOrder);
  assert.deepEqual(inOrder.prompts[0]!.runs.map((r) => r.index), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test("runs keep their recorded index where a sample is missing (a failed one, a resumed run's new ones)", () => {
  const order = [4, 0, 2, 3, 6, 5, 9, 8];
  const a = analyzeRun(parseRunFile(runText(order)));
  const p = a.prompts[0]!;
  const indices = [0, 2, 3, 4, 5, 6, 8, 9];
  assert.deepEqual(p.runs.map((r) => r.index), indices);
  for (const r of p.runs) assert.equal(r.reply, `Answer: ${ANSWERS[r.index % ANSWERS.length]}`, `run #${r.index} is sample ${r.index}`);
  for (const col of p.columns) assert.deepEqual(col.cells.map((c) => c.run), indices, "cells name their run by its index, in run order");
  // each cell's step is its own run's
  for (const col of p.columns) col.cells.forEach((c, k) => assert.ok(c.step === null || c.step < p.runs[k]!.steps.length));
});

test("two runs of the same samples and seed have the same analysis, whatever their ids (which hold the time)", () => {
  // 20 samples: enough that an interval seeded differently comes out different
  const twenty = Array.from({ length: 20 }, (_, i) => i);
  const a = analyzeRun(parseRunFile(runText(twenty, {}, "0a1b2c3d-m1abc")));
  const b = analyzeRun(parseRunFile(runText(twenty, {}, "0a1b2c3d-m9xyz")));
  assert.ok(a.prompts[0]!.brier!.ci95, "an interval");
  assert.deepEqual(withoutIds(a), withoutIds(b));
});

test("the seed recorded in the header is the analysis's; a run file without one has seed 1; an explicit seed overrides it", () => {
  const order = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const old = parseRunFile(runText(order));
  const one = parseRunFile(runText(order, { analysis: { seed: 1 } }));
  const seven = parseRunFile(runText(order, { analysis: { seed: 7 } }));
  assert.equal(runSeed(old.header), 1);
  assert.equal(runSeed(seven.header), 7);
  assert.deepEqual(analyzeRun(old), analyzeRun(one), "no recorded seed is seed 1");
  const s7 = analyzeRun(seven);
  assert.equal(s7.options.seed, 7);
  assert.deepEqual(analyzeRun(one, { seed: 7 }), s7, "an explicit seed overrides the recorded one");
  // the seed matters: among a few seeds, some interval differs from seed 1's
  const cis = [2, 3, 4, 5].map((seed) => JSON.stringify(analyzeRun(one, { seed }).prompts[0]!.brier!.ci95));
  assert.ok(cis.some((c) => c !== JSON.stringify(analyzeRun(one).prompts[0]!.brier!.ci95)), cis.join(" "));
});

test("several runs: each keeps its own recorded seed, so a run's figures are the same alone and among others", () => {
  const a = parseRunFile(runText([0, 1, 2, 3, 4, 5, 6, 7], { analysis: { seed: 7 } }, "a"));
  const b = parseRunFile(runText([2, 0, 1, 3, 5, 4, 7, 6, 8, 9], {}, "b"));
  const both = analyzeRuns([a, b]);
  assert.deepEqual(both.prompts[0], analyzeRun(a).prompts[0]);
  assert.deepEqual(both.prompts[1], analyzeRun(b).prompts[0]);
  assert.equal(both.options.seed, 7, "the first run's seed is the one the document names");
});

test("a seed in the header that is not a whole number ≥ 0 is refused by name", () => {
  for (const bad of ["7", -1, 1.5, null]) {
    assert.throws(() => parseRunFile(runText([0, 1], { analysis: { seed: bad } })), {
      message: `line 1: the run header's analysis.seed is ${JSON.stringify(bad)}, not a whole number ≥ 0: correct it, or remove "analysis" to use seed 1`,
    });
  }
});

test("a run without a finished sample adds no prompt", () => {
  const empty: ParsedRun = { ...parseRunFile(runText([])), samples: [] };
  assert.equal(analyzeRuns([empty]).prompts.length, 0);
});

test("a benchmark run names the runs missing at a step by their recorded index", async () => {
  const { benchmarkPrompts } = await import("../src/sampling/benchmark");
  const { simulateRun, DEFAULT_KNOBS } = await import("../src/sampling/simulated");
  const { mulberry32 } = await import("../src/core");
  const bp = benchmarkPrompts(["easy"], 1)[0]!;
  const line = (index: number) => {
    const r = simulateRun(bp.spec, { ...DEFAULT_KNOBS, distraction: { base: 0, growth: 1 } }, mulberry32(index + 1));
    // sample 3 stopped after its second iterate: it is missing from step 3 on
    const thinking = index === 3 ? r.thinking.slice(0, r.thinking.indexOf("g_3")) : r.thinking;
    return { ...sample(index), thinking, text: index === 3 ? "" : r.text };
  };
  const header = { type: "header", schema: "hotmess.run/1", id: "bench", createdAt: "2026-05-01T10:00:00.000Z", tool: { name: "hotmess", version: "0.1.0" }, provider: "simulated", model: "simulated-reasoner", prompt: bp.prompt, reference: bp.reference, benchmark: bp.spec, parameters: { n: 6, maxTokens: 1000, thinking: { type: "none" }, concurrency: 4, idleTimeoutMs: 1000 } };
  // index 1 failed; they finished as 5, 0, 3, 2
  const text = [header, ...[5, 0, 3, 2].map(line)].map((l) => JSON.stringify(l)).join("\n") + "\n";
  const o = analyzeRun(parseRunFile(text)).prompts[0]!.optimizer!;
  assert.deepEqual(o.steps[0]!.missing, []);
  assert.deepEqual(o.steps[2]!.missing, [3], "run #3 is missing at step 3 (not the run in third place)");
  assert.equal(o.iterates[2]![2], null, "iterates are in run order: the third run (#3) has none at step 3");
});
