// What the heatmap's divergence is relative to (issue 16), in a real Chromium: with a reference
// the legend (and the map's label for a screen reader) says "from the reference path (k runs)";
// without one it says the majority's path and how to set a reference; with a reference no run
// reached, it says that.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeRecords, type Analysis } from "../src/core";
import { CHROMIUM_SKIP as SKIP, viewBrowser } from "./support/chromium";

const view = viewBrowser("hotmess-basis-view-");

const RIGHT = ["Janet's ducks lay 16 eggs per day.", "She eats 3 for breakfast: 16 - 3 = 13.", "She bakes muffins with 4: 13 - 4 = 9.", "She sells 9 eggs at $2 each: 9 * 2 = 18.", "Answer: 18"].join("\n");
const WRONG = ["Janet's ducks lay 16 eggs per day.", "She eats 3 for breakfast: 16 - 3 = 13.", "She sells 13 eggs at $2 each: 13 * 2 = 26.", "Answer: 26"].join("\n");

/** Five runs forget the muffins (26), two are right (18). */
function analysis(reference?: number): Analysis {
  const right = [false, true, false, false, true, false, false];
  return analyzeRecords([{ id: "ducks", prompt: "How many dollars?", ...(reference !== undefined ? { reference } : {}), samples: right.map((r) => ({ text: r ? RIGHT : WRONG, answer: r ? 18 : 26 })) }], { resamples: 50 });
}

async function caption(a: Analysis, name: string): Promise<{ text: string; basis: string; aria: string }> {
  const page = await view.open(a, name, { ready: "!!document.querySelector('.legend-basis')" });
  const got = await page.evaluate<{ text: string; basis: string; aria: string }>(
    `(() => { const el = document.querySelector(".legend-basis"); return { text: el.textContent, basis: el.dataset.basis, aria: document.querySelector('canvas[data-fk="heatmap"]')?.getAttribute("aria-label") ?? "" }; })()`,
  );
  await page.close();
  return got;
}

test("with a reference the heatmap's legend says divergence is from the reference path, and how many runs take it", { skip: SKIP }, async () => {
  const a = analysis(18);
  const got = await caption(a, "ref");
  assert.equal(got.text, "divergence from the reference path (2 runs)");
  assert.equal(got.basis, "reference");
  assert.match(got.aria, /^divergence from the reference path \(2 runs\), heatmap: 7 runs/);
});

test("without a reference the legend says it is the majority's path and to set one; with no run in the reference class, that", { skip: SKIP }, async () => {
  const none = await caption(analysis(), "none");
  assert.equal(none.text, "divergence from the majority's path — no reference: set one to compare with the right answer");
  assert.equal(none.basis, "majority");
  const nobody = await caption(analysis(99), "nobody");
  assert.equal(nobody.text, "divergence from the majority's path — no run reached the reference answer");
});
