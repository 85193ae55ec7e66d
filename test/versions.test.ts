// Two versions of a prompt side by side: each by its typical run (the reference class's
// representative), their steps aligned on content, the differing ones marked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeRecords } from "../src/core";
import { sideBySide, typicalRun } from "../src/core/versions";

test("the typical runs of two versions, aligned: the same computation in other words is the same step; a step one version adds or changes differs", () => {
  const v1 = [
    "Janet's ducks lay 16 eggs.\n16 - 3 = 13\n13 * 2 = 26\nAnswer: 26",
    "Janet's ducks lay 16 eggs.\n16 - 3 = 13\n13 * 2 = 26\nAnswer: 26",
    "Janet's ducks lay 16 eggs.\n16 - 3 = 13\n13 - 4 = 9\n9 * 2 = 18\nAnswer: 18",
  ];
  const v2 = [
    "Janet's ducks lay 16 eggs.\nShe eats 3: 16 − 3 = 13\nShe bakes with 4: 13 − 4 = 9\n9 × 2 = 18\nAnswer: 18",
    "Janet's ducks lay 16 eggs.\nShe eats 3: 16 − 3 = 13\nShe bakes with 4: 13 − 4 = 9\n9 × 2 = 18\nAnswer: 18",
    "Janet's ducks lay 16 eggs.\n16 - 3 = 13\n13 * 2 = 26\nAnswer: 26",
  ];
  const a = analyzeRecords([{ id: "v1", reference: 18, samples: v1.map((text) => ({ text })) }, { id: "v2", reference: 18, samples: v2.map((text) => ({ text })) }], { resamples: 0 });
  const [p1, p2] = a.prompts;
  // the typical run is the reference class's (right) one, even where the majority is wrong
  assert.equal(typicalRun(p1!), 2);
  assert.equal(typicalRun(p2!), 0);
  const s = sideBySide(p1!, p2!)!;
  // both right paths compute the same things in other words: no step differs but the wording
  assert.ok(s.rows.length >= 4, JSON.stringify(s.rows));
  const computing = s.rows.filter((r) => r.a !== null && /=/.test(r.a));
  assert.ok(computing.every((r) => r.same), `the same computations are the same steps: ${JSON.stringify(s.rows)}`);
  // a version whose typical path skips a step: that row differs
  const wrongFirst = analyzeRecords([{ id: "w", samples: [v1[0]!, v1[1]!, v1[2]!].map((text) => ({ text })) }, { id: "r", samples: [v2[0]!].map((text) => ({ text })) }], { resamples: 0 });
  const d = sideBySide(wrongFirst.prompts[0]!, wrongFirst.prompts[1]!)!;
  assert.ok(d.differing >= 1, JSON.stringify(d.rows));
  assert.ok(d.rows.some((r) => !r.same && r.a === null && r.b !== null && /13 − 4 = 9/.test(r.b)), `the step only the second takes: ${JSON.stringify(d.rows)}`);
});
