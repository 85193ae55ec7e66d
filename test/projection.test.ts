// "≈ N more reruns to get the interval under ±0.05": the projection's search against the
// answer found by brute force (the smallest n′ whose interval of the scaled counts, with ten
// times the draws, is under ±0.05), for tallies of the sizes people run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { brierInterval, type Tally } from "../src/core/interval";
import { projectReruns, scaledTally, TARGET_HALF_WIDTH } from "../src/core/projection";
import { mulberry32 } from "../src/core/bootstrap";

/** The smallest n′ (to within 2%) whose half-width, from 3,000 draws, is under the target. */
function bruteForce(t: Tally): number {
  const rng = mulberry32(7);
  const passes = (n: number) => {
    const ci = brierInterval(scaledTally(t, n / t.n), rng, 3000)!;
    return (ci[1] - ci[0]) / 2 <= TARGET_HALF_WIDTH;
  };
  let lo = t.n;
  let hi = t.n;
  while (!passes(hi)) {
    lo = hi;
    hi *= 2;
  }
  while (hi / lo > 1.02) {
    const mid = Math.round(Math.sqrt(lo * hi));
    if (passes(mid)) hi = mid;
    else lo = mid;
  }
  return hi - t.n;
}

const TALLIES: Tally[] = [
  { n: 10, correct: 7, wrong: [2, 1] }, // the README's ducks
  { n: 8, correct: 6, wrong: [1, 1] },
  { n: 6, correct: 3, wrong: [1, 1, 1] },
  { n: 8, correct: 2, wrong: [3, 2, 1] },
  { n: 5, correct: 1, wrong: [2, 2] },
  { n: 30, correct: 20, wrong: [6, 2, 1, 1] },
];

test("the reruns to ±0.05 land within a quarter of the brute-force answer, whatever the seed", () => {
  for (const t of TALLIES) {
    const truth = bruteForce(t);
    const got = [1, 2, 3, 4, 5].map((seed) => projectReruns(t, [0, 1], seed).more!);
    for (const g of got) assert.ok(g >= 0.75 * truth && g <= 1.25 * truth, `${JSON.stringify(t)}: projected ${got.join(", ")} more; brute force ${truth}`);
  }
});

test("no projection when every rerun is right, 0 when the interval is under the target already", () => {
  assert.equal(projectReruns({ n: 8, correct: 8, wrong: [] }, [0.9, 1]).more, null);
  assert.equal(projectReruns({ n: 400, correct: 300, wrong: [60, 40] }, [0.5, 0.58]).more, 0);
});
