// The deciding steps ("why do the reruns disagree"): each answer class's first step with content
// where its path leaves the reference class's (else the largest class's), the two steps side by
// side, "then stop" when its runs say nothing after it, the run that keeps to its path; filler
// worded differently never decides; the Markdown export heads each prompt with it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeTraceSet } from "../src/core";
import { decidedAgainstReference, decidingBasis, decidingSteps, hasContent } from "../src/core/deciding";
import { exportMarkdown } from "../src/report/export";
import { parsePromptFile, parseRunFile, type RunHeader } from "../src/core";
import { hoverMarkdown } from "../src/server/render";
import { summarizeRun } from "../src/server/summary";

const run = (lines: string[], answer: number) => ({ text: lines.join("\n"), answer });
const GOOD = ["Let's break it down.", "Janet starts with 16 eggs.", "16 - 3 - 4 = 9", "9 * 2 = 18", "She makes $18."];
const GOOD2 = ["Let us work through it.", "Janet starts with 16 eggs.", "16 - 3 - 4 = 9", "9 * 2 = 18", "She makes $18."];
const BAD = ["Let's think step by step.", "Janet starts with 16 eggs.", "16 - 3 = 13"];

function ducks(reference?: number) {
  const rec = { id: "ducks", prompt: "Janet's ducks…", ...(reference !== undefined ? { reference } : {}), samples: [run(GOOD, 18), run(GOOD2, 18), run(GOOD, 18), run(BAD, 13), run(BAD, 13)] };
  return analyzeTraceSet(JSON.stringify(rec) + "\n");
}

test("the ducks: 3 runs 16 − 3 − 4 = 9 against 2 runs 16 − 3 = 13, then stop; the filler worded three ways decides nothing", () => {
  const p = ducks(18).prompts[0]!;
  const ds = decidingSteps(p);
  assert.equal(ds.length, 2);
  const [right, wrong] = ds;
  assert.equal(p.answers[right!.cls]!.reference, true);
  assert.equal(right!.summary, "3 runs: 16 - 3 - 4 = 9; 2 runs: 16 - 3 = 13, then stop");
  assert.equal(wrong!.summary, "2 runs: 16 - 3 = 13, then stop; 3 runs: 16 - 3 - 4 = 9");
  assert.equal(right!.column, wrong!.column);
  const col = p.columns[right!.column!]!;
  assert.ok(col.cells.some((c) => c.step !== null && /16 - 3/.test(p.runs[col.cells.indexOf(c)]!.steps[c.step]!.text)), "the deciding column holds the computations, not the filler");
  assert.deepEqual(wrong!.runs, [3, 4]);
  assert.ok([3, 4].includes(wrong!.representative));
  assert.ok(decidedAgainstReference(p));
});

test("a wrong majority: with the reference, the right runs are compared with their own path, not painted as the divergent ones", () => {
  const p = ducks(13).prompts[0]!;
  const ref = p.answers.findIndex((a) => a.reference);
  const ds = decidingSteps(p);
  // the majority (18, 3 runs) is compared with the reference class (13), and the reference class with the majority
  const major = ds.find((d) => d.cls !== ref)!;
  assert.equal(major.against, ref);
  assert.equal(ds.find((d) => d.cls === ref)!.against, major.cls);
  // without a reference, each class is compared with the largest, and the view says so
  const none = ducks().prompts[0]!;
  assert.equal(decidedAgainstReference(none), false);
  assert.equal(decidingSteps(none)[0]!.against, decidingSteps(none)[1]!.cls);
});

test("a reference no run reached: the classes are measured against the largest's path, and every face says no run reached it rather than that there is no reference", () => {
  const unreached = ducks(20);
  const p = unreached.prompts[0]!;
  assert.equal(decidingBasis(p), "unreached");
  assert.equal(decidingBasis(ducks(18).prompts[0]!), "reference");
  assert.equal(decidingBasis(ducks().prompts[0]!), "none");
  assert.ok(decidingSteps(p).length > 0);
  const md = exportMarkdown(unreached);
  assert.match(md, /\*\*Why the runs disagree\*\* \(each class against the largest class's path \(no run reached the reference\)\):/);
  assert.doesNotMatch(md, /no reference: the majority/);
});

test("what has content: computations, numbers, tool calls, claims; not filler", () => {
  for (const t of ["16 - 3 = 13", "She has 9 eggs left.", "The email is spam because it asks for a password."]) assert.ok(hasContent({ text: t }), t);
  assert.ok(hasContent({ text: "get_user_details({})", kind: "tool_call" }));
  for (const t of ["Let's break it down.", "Let us think step by step.", "First, let's find the total.", "So,", "Answer:", "Step 2"]) assert.ok(!hasContent({ text: t }), t);
});

test("one class, or no columns: nothing to say", () => {
  const rec = { id: "same", samples: [run(GOOD, 18), run(GOOD, 18)] };
  assert.deepEqual(decidingSteps(analyzeTraceSet(JSON.stringify(rec) + "\n").prompts[0]!), []);
});

test("the Markdown export heads the prompt with why the runs disagree", () => {
  const md = exportMarkdown(ducks(18));
  const at = md.indexOf("**Why the runs disagree** (each class against the reference class's path):");
  assert.ok(at > 0, md.slice(0, 1200));
  assert.ok(at < md.indexOf("| answer"), "before the answer table");
  assert.match(md, /- `18` ✓ \(3 runs; run #\d shows it\): at column \d+, 3 runs: `16 - 3 - 4 = 9`; 2 runs: `16 - 3 = 13`, then stop/);
  assert.match(exportMarkdown(ducks()), /\*\*Why the runs disagree\*\* \(each class against the largest class's path \(no reference: the majority is not necessarily right\)\):/);
});

test("the prompt file's hover starts its figures with why the runs disagree", () => {
  const header = { type: "header", schema: "hotmess.run/1", id: "ducks-1", createdAt: "2026-12-04T10:00:00.000Z", tool: { name: "hotmess", version: "0.1.0" }, provider: "simulated", model: "m", prompt: "ducks", reference: "18", parameters: { n: 5, maxTokens: 100, thinking: { type: "none" }, concurrency: 4 } };
  const sample = (index: number, lines: string[], answer: number) => ({ type: "sample", index, text: [...lines, `Answer: ${answer}`].join("\n"), thinking: "", redactedThinking: 0, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: null, latencyMs: 1, truncated: false, stopReason: "end_turn" });
  const lines = [header, sample(0, GOOD, 18), sample(1, GOOD2, 18), sample(2, GOOD, 18), sample(3, BAD, 13), sample(4, BAD, 13)];
  const run = parseRunFile(lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  const entry = { file: "/w/.hotmess/runs/r1.jsonl", header: run.header as RunHeader, summary: summarizeRun(run, 200), summarizedAt: { size: 1, mtimeMs: 1 } };
  const md = hoverMarkdown({ prompt: parsePromptFile("ducks\n", () => "h")[0]!, n: 5, run: entry as never, stale: false })!;
  const at = md.indexOf("**Why the runs disagree** (against the reference's path):");
  assert.ok(at > 0 && at < md.indexOf("| bias²"), md);
  assert.match(md, /- `18` ✓: 3 runs: `16 - 3 - 4 = 9`; 2 runs: `16 - 3 = 13`\n- `13`: 2 runs: `16 - 3 = 13`; 3 runs: `16 - 3 - 4 = 9`/);
});

test("each side shows its own computation: 5 runs 860 × 2 = 1720 against 2 runs 860 ÷ 2 = 430, never 'no step here'", () => {
  // 5 runs multiply where 2 divide; the multiplying runs restate the total and pad it first
  const times = (i: number) => run([`The farmer picks 860 apples.`, ...(i % 2 ? ["Now we can work out the rest."] : []), `He has 860 apples at first.`, "860 × 2 = 1720 apples", "Answer: 1720"], 1720);
  const half = () => run(["The farmer picks 860 apples.", "Total: 860 ÷ 2 = 430 apples", "Answer: 430"], 430);
  const rec = { id: "apples", reference: 430, samples: [times(0), times(1), times(2), times(3), times(4), half(), half()] };
  const p = analyzeTraceSet(JSON.stringify(rec) + "\n").prompts[0]!;
  for (const d of decidingSteps(p)) {
    assert.doesNotMatch(d.summary, /no step here/, d.summary);
    const mine = d.self.runs === 5 ? d.self : d.other;
    const theirs = d.self.runs === 5 ? d.other : d.self;
    assert.equal(mine.step, "860 × 2 = 1720 apples", d.summary);
    assert.equal(theirs.step, "Total: 860 ÷ 2 = 430 apples", d.summary);
  }
});

test("a class that computes nothing the other does not: its last computation, then stop; the other goes on", () => {
  const longer = () => run(["43 + 20 = 63", "63 + 20 = 83", "83 - 24 = 59", "59 - 25 = 34"], 34);
  const shorter = () => run(["Let's break it down.", "The book has 43 pages.", "That gives 63 pages (43 + 20).", "63 + 20 = 83", "83 - 24 = 59", "Answer: 59"], 59);
  const rec = { id: "pages", reference: 34, samples: [longer(), longer(), longer(), shorter(), shorter()] };
  const p = analyzeTraceSet(JSON.stringify(rec) + "\n").prompts[0]!;
  const wrong = decidingSteps(p).find((d) => !p.answers[d.cls]!.reference)!;
  assert.doesNotMatch(wrong.summary, /no step here/, wrong.summary);
  assert.match(wrong.summary, /^2 runs: .*= 59, then stop; 3 runs: 59 - 25 = 34$/, wrong.summary);
});

test("seeded natural-language reruns: no side reads 'no step here' while its class goes on computing; the step shown is on its own path", async () => {
  const { naturalLanguageSet } = await import("../src/sampling/naturallang");
  const { analyzeRecords } = await import("../src/core");
  const set = naturalLanguageSet({ prompts: 60, runs: 10, seed: 31 });
  const analysis = analyzeRecords(set.map((q) => q.record), { resamples: 20 });
  let sides = 0;
  let noStep = 0;
  let onPath = 0;
  set.forEach((np, i) => {
    const p = analysis.prompts[i]!;
    for (const d of decidingSteps(p)) {
      if (d.column === null) continue;
      const against = p.runs.filter((r) => r.answerClass === d.against).map((r) => r.index);
      for (const [side, runs] of [[d.self, d.runs], [d.other, against]] as const) {
        sides++;
        if (side.step === null) {
          noStep++;
          continue;
        }
        const carries = runs.some((r) => {
          const st = p.runs[r]!.steps.find((s) => s.text === side.step);
          return st !== undefined && np.runs[r]!.lines.some((l) => st.start < l.end && l.start < st.end && l.comps.length > 0);
        });
        if (carries) onPath++;
      }
    }
  });
  assert.ok(sides > 60, `${sides} sides`);
  assert.ok(noStep / sides <= 0.02, `${noStep} of ${sides} sides read "no step here"`);
  assert.ok(onPath / sides >= 0.95, `${onPath} of ${sides} shown steps carry a computation of their run's path`);
});

test("a step is shown without its list numbering or bold markers", async () => {
  const { shownStep, sideWords } = await import("../src/core/deciding");
  assert.equal(shownStep("3. **44 - 6 = 38**"), "44 - 6 = 38");
  assert.equal(shownStep("Step 2: 63 + 20 = 83"), "63 + 20 = 83");
  assert.equal(shownStep("- So he has 17 − 5 = 12 eggs."), "So he has 17 − 5 = 12 eggs.");
  assert.equal(shownStep("16 - 3 = 13"), "16 - 3 = 13");
  assert.equal(sideWords({ runs: 2, step: "1. 16 - 3 = 13", column: 3, stops: true }), "2 runs: 16 - 3 = 13, then stop");
  assert.equal(sideWords({ runs: 1, step: null, column: null, stops: true }), "1 run: no further step");
});
