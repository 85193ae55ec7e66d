// The fork on content (METRICS.md §9): on natural-language reruns with known computation paths,
// the fork lands on the first computation where the paths differ, never on filler.
import { test } from "node:test";
import assert from "node:assert/strict";
import { align, analyzeRecords, FeatureSpace, sameContent, segment } from "../src/core";
import { naturalLanguageSet, scoreForks } from "../src/sampling/naturallang";

test("the same computation in other words, or with another on its line, is the same content", () => {
  const s = new FeatureSpace();
  assert.ok(sameContent(s.features("$80,000 + $50,000 = $130,000"), s.features("so the total cost is 80000+50000=130000")));
  assert.ok(sameContent(s.features("Adding 3 to 38 gives 41 eggs."), s.features("38 + 3 = 41")));
  assert.ok(sameContent(s.features("16 - 3 = 13, and then 13 - 4 = 9"), s.features("She has 16 - 3 = 13 eggs left.")));
  assert.ok(sameContent(s.features("She has 41 eggs now."), s.features("38 + 3 = 41")));
  assert.ok(!sameContent(s.features("16 - 3 = 13"), s.features("16 + 3 = 19")));
  assert.ok(!sameContent(s.features("She has 19 eggs now."), s.features("16 - 3 = 13")));
});

test("filler worded two ways is never a fork; the first differing computation is", () => {
  const runs = [
    "Let's break it down.\n16 - 3 = 13\n13 - 4 = 9\n9 * 2 = 18",
    "Let's break this down step by step.\nSo she has 16 - 3 = 13 eggs.\n13 - 4 = 9 eggs left.\nShe makes 9 * 2 = 18 dollars.",
    "Okay, let me think about it.\n16 - 3 = 13\n13 - 4 = 9\n9 * 2 = 18",
    "To solve this we work through it.\nSubtracting 3 from 16 leaves 13.\n13 + 4 = 17\n17 * 2 = 34",
    "Let's break it down.\n16 - 3 = 13\n13 + 4 = 17\n17 * 2 = 34",
    "Sure, here's how.\n16 − 3 = 13\nThen 13 + 4 = 17.\n17 × 2 = 34",
  ];
  const space = new FeatureSpace();
  const feats = runs.map((t) => segment(t).map((st) => space.features(st.text)));
  const a = align(feats);
  assert.notEqual(a.forkColumn, null);
  // the fork column holds "13 - 4 = 9" and "13 + 4 = 17"
  const texts = a.columns[a.forkColumn!]!.cells.filter((c) => c.step !== null).map((c) => segment(runs[c.run]!)[c.step!]!.text);
  assert.ok(texts.some((t) => t.includes("13 - 4")), texts.join(" | "));
  assert.ok(texts.some((t) => t.includes("13 + 4")), texts.join(" | "));
});

test("runs that compute the same in different words and at different granularity do not fork", () => {
  const runs = [
    "Let's break it down.\n16 - 3 = 13\n13 - 4 = 9\n9 * 2 = 18",
    "Okay!\n16 - 3 = 13, and then 13 - 4 = 9\nSo 9 * 2 = 18 dollars.",
    "Here's how to solve it:\nShe has 16 - 3 = 13 eggs.\nThat leaves 9 (13 - 4).\n9 × 2 = 18",
    "We can solve this step by step.\n16 - 3 = 13\n13 minus 4 is 9 eggs.\n9 times 2 is 18.",
  ];
  const space = new FeatureSpace();
  const a = align(runs.map((t) => segment(t).map((st) => space.features(st.text))));
  assert.equal(a.forkColumn, null);
});

test("on seeded natural-language reruns the fork is the first differing computation in ≥ 80% of prompts and never filler", () => {
  for (const n of [5, 10]) {
    const set = naturalLanguageSet({ prompts: 80, runs: n, seed: 11 + n });
    const analysis = analyzeRecords(set.map((p) => p.record), { resamples: 20 });
    const s = scoreForks(set, analysis.prompts);
    assert.ok(s.differing >= 20, `n=${n}: ${s.differing} prompts with differing paths`);
    assert.ok(s.onFirstDifference / s.differing >= 0.8, `n=${n}: ${JSON.stringify(s)}`);
    assert.equal(s.fillerForks, 0, `n=${n}: ${JSON.stringify(s)}`);
  }
});

test("the deciding steps of seeded natural-language reruns are never filler, and a step only one side takes computes", async () => {
  const { decidingSteps } = await import("../src/core/deciding");
  const set = naturalLanguageSet({ prompts: 60, runs: 10, seed: 5 });
  const analysis = analyzeRecords(set.map((p) => p.record), { resamples: 20 });
  const space = new FeatureSpace();
  let sides = 0;
  for (const p of analysis.prompts)
    for (const d of decidingSteps(p)) {
      if (d.column === null) continue;
      for (const [side, other] of [[d.self, d.other], [d.other, d.self]] as const) {
        if (side.step === null) continue;
        sides++;
        const f = space.features(side.step);
        assert.notEqual(f.substance, null, `filler as a deciding step: ${side.step}`);
        if (other.step === null) assert.ok(f.comps.length > 0, `a number said in passing as a deciding step: ${side.step}`);
      }
    }
  assert.ok(sides > 50, `${sides} deciding steps`);
});
