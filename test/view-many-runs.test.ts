// 100 runs in the view, in a real Chromium (issue "the everyday loop": 100 runs stay readable):
// the heatmap's rows keep their least height (ROW_MIN) so each run's label and cells can be read,
// and the map scrolls down inside its own box, not the page; moving the keyboard cursor past the
// box's edge scrolls it along. 20 runs still fit without a scroll.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeRecords, type Analysis } from "../src/core";
import { CHROMIUM_SKIP as SKIP, viewBrowser, type ViewPage } from "./support/chromium";

const view = viewBrowser("hotmess-many-runs-");

function analysis(n: number): Analysis {
  const answers = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 26 : i % 7 === 0 ? 8 : 18));
  return analyzeRecords([{ id: "ducks", prompt: "How many dollars?", reference: 18, samples: answers.map((a) => ({ text: `16 - 3 = 13\n13 - 4 = 9\n9 * 2 = ${a === 18 ? 18 : a}\nAnswer: ${a}` })) }], { resamples: 50 });
}

async function open(n: number): Promise<ViewPage> {
  return view.open(analysis(n), `n${n}`, { height: 900 });
}

type Box = { canvasH: number; boxH: number; scrollH: number; scrollTop: number };
const BOX = `(() => { const b = document.querySelector(".heatmap-scroll"); const c = b.querySelector("canvas"); return { canvasH: c.getBoundingClientRect().height, boxH: b.clientHeight, scrollH: b.scrollHeight, scrollTop: b.scrollTop }; })()`;

test("100 runs: rows keep 12 px, the heatmap scrolls inside its box, and the keyboard cursor scrolls it along", { skip: SKIP }, async () => {
  const page = await open(100);
  const b = await page.evaluate<Box>(BOX);
  assert.ok(b.canvasH >= 100 * 12, `the canvas holds 100 rows of at least 12 px: ${b.canvasH}`);
  assert.ok(b.boxH <= 580 && b.scrollH > b.boxH + 500, `the box is capped and scrolls: ${JSON.stringify(b)}`);
  assert.equal(b.scrollTop, 0);
  // the cursor: onto the map, then down by ten runs a few times
  await page.focus('[data-fk="heatmap"]');
  await page.keyboard.press("ArrowRight");
  for (let i = 0; i < 6; i++) await page.keyboard.press("PageDown");
  const after = await page.evaluate<Box>(BOX);
  assert.ok(after.scrollTop > 0, `the box followed the cursor down: ${JSON.stringify(after)}`);
  await page.close();
});

test("20 runs fit: no scroll", { skip: SKIP }, async () => {
  const page = await open(20);
  const b = await page.evaluate<Box>(BOX);
  assert.ok(b.scrollH <= b.boxH + 2, `no vertical scroll: ${JSON.stringify(b)}`);
  await page.close();
});
