// The view's "✓ set as reference" on answer classes, in a real Chromium with a stand-in VS Code
// API: offered on each class with an answer when the prompt has no target (and the decomposition
// says so where the incoherence would be), never with a reference, never outside VS Code (the
// self-contained report has no host to write the prompt file); clicking posts reference/set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeRecords, type Analysis } from "../src/core";
import { CHROMIUM_SKIP as SKIP, viewBrowser, type ViewPage as Page } from "./support/chromium";

const view = viewBrowser("hotmess-setref-view-");

function analysis(reference?: number): Analysis {
  const answers = [18, 18, 18, 18, 18, 26, 26, 8];
  return analyzeRecords([{ id: "ducks", prompt: "How many dollars?", ...(reference !== undefined ? { reference } : {}), samples: answers.map((a) => ({ text: `16 - 3 = 13\nAnswer: ${a}` })) }], { resamples: 50 });
}

function open(a: Analysis, name: string, vscode: boolean): Promise<Page> {
  return view.open(a, name, { vscode });
}

const buttons = (page: Page) => page.evaluate<string[]>(`[...document.querySelectorAll(".class-setref")].map((b) => b.getAttribute("aria-label"))`);

test("without a target, each class offers Set as reference in VS Code; a click posts reference/set with the class's answer", { skip: SKIP }, async () => {
  const page = await open(analysis(), "none", true);
  assert.deepEqual(await buttons(page), ["Set 18 as the reference", "Set 26 as the reference", "Set 8 as the reference"]);
  const note = await page.evaluate<string>(`document.querySelector(".decomps")?.textContent ?? ""`);
  assert.match(note, /Set one from a class \(✓ set as reference\)/);
  await page.click('.class-setref[aria-label="Set 26 as the reference"]');
  assert.deepEqual(await page.evaluate(`window.__posted.filter((m) => m.type === "reference/set")`), [{ type: "reference/set", prompt: "ducks", answer: "26" }]);
  await page.close();
});

test("with a reference, or outside VS Code, no class offers it", { skip: SKIP }, async () => {
  const withRef = await open(analysis(18), "ref", true);
  assert.deepEqual(await buttons(withRef), []);
  await withRef.close();
  const report = await open(analysis(), "report", false);
  assert.deepEqual(await buttons(report), []);
  await report.close();
});

test("in VS Code, the answer classes offer class by meaning, merge and split; a click posts classes/change with a run of that class; the report offers none", { skip: SKIP }, async () => {
  const page = await open(analysis(18), "classes", true);
  const acts = await page.evaluate<string[]>(`[...document.querySelectorAll(".class-act, .class-judge")].map((b) => b.dataset.fk)`);
  assert.deepEqual(acts, ["class-judge", "class-merge:=18", "class-split:=18", "class-merge:=26", "class-split:=26", "class-merge:=8", "class-split:=8"]);
  await page.click('[data-fk="class-judge"]');
  await page.click('[data-fk="class-merge:=8"]');
  await page.click('[data-fk="class-split:=26"]');
  assert.deepEqual(await page.evaluate(`window.__posted.filter((m) => m.type === "classes/change")`), [
    { type: "classes/change", prompt: "ducks", action: "judge" },
    { type: "classes/change", prompt: "ducks", action: "merge", run: 7 },
    { type: "classes/change", prompt: "ducks", action: "split", run: 5 },
  ]);
  await page.close();
  const report = await open(analysis(18), "classes-report", false);
  assert.equal(await report.evaluate<number>(`document.querySelectorAll(".class-act, .class-judge").length`), 0);
  await report.close();
});

test("two versions of a prompt compared: the view is headed by the change, B − A with its intervals, and a button to each", { skip: SKIP }, async () => {
  const before = [411, 411, 411, 412, 405, 398, 421, 400, 388, 430];
  const after = [411, 411, 411, 411, 411, 411, 411, 411, 411, 410];
  const a = analyzeRecords(
    [
      { id: "calc-v1", prompt: "What is 17 * 24 + 3?", reference: 411, samples: before.map((x) => ({ text: `17 * 24 = 408\n408 + 3 = ${x}\nAnswer: ${x}` })) },
      { id: "calc-v2", prompt: "What is 17 * 24 + 3? Multiply first.", reference: 411, samples: after.map((x) => ({ text: `17 * 24 = 408\n408 + 3 = ${x}\nAnswer: ${x}` })) },
    ],
    { resamples: 50 },
  );
  const page = await open(a, "versions", true);
  assert.equal(await page.evaluate<number>(`document.querySelectorAll(".versions").length`), 0, "not without the host saying so");
  await page.evaluate(`(() => { const app = window.hotmess.app; app.compareVersions = true; app.render(app.analysis ?? ${JSON.stringify(a)}); })()`);
  const text = await page.evaluate<string>(`document.querySelector(".versions")?.textContent ?? ""`);
  assert.match(text, /before → after \(B − A, 95% intervals\)accuracy 30% → 90% \(\+60 pts \[\+17, \+81\]\) significant · incoherence 0\.67 → 1\.00 \(\+0\.33 \[−0\.\d\d, 0\.\d\d\]\) within rerun noise/);
  // their typical paths side by side: both right runs compute the same, so no step differs
  const table = await page.evaluate<{ rows: number; diff: number; summary: string }>(`(() => ({ rows: document.querySelectorAll(".versions-table tbody tr").length, diff: document.querySelectorAll(".versions-table tbody tr.diff").length, summary: document.querySelector(".versions-steps summary")?.textContent ?? "" }))()`);
  assert.ok(table.rows >= 3, JSON.stringify(table));
  assert.equal(table.diff, 0, JSON.stringify(table));
  assert.match(table.summary, /^their typical paths side by side: run #\d+ before, run #\d+ after · 0 steps differ$/);
  await page.click('[data-fk="version:1"]');
  assert.match(await page.evaluate<string>(`document.querySelector("main.prompt h2, main.prompt .title-row")?.textContent ?? ""`), /calc-v2/);
  await page.close();
});
