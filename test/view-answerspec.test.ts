// The comparison view says which comparison made a prompt's answer classes (issue 16): a prompt
// analysed with an answer spec shows "N by json equality" in its header's facts, with the
// extraction in the title; a prompt without one shows the count alone. Runs in a real Chromium
// (the self-contained report); skipped without Chromium and playwright-core.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { analyzeRecords, type Analysis } from "../src/core";
import { writeReportHtml } from "../src/report/html";
import { cacheDir, CHROMIUM, CHROMIUM_ARGS, loadPlaywright } from "./e2e/harness";

const SKIP = !existsSync(CHROMIUM) || !existsSync(join(cacheDir(), "node_modules", "playwright-core")) ? "no Chromium or playwright-core (run scripts/setup-code-server.sh)" : false;

interface Page {
  goto(url: string): Promise<unknown>;
  waitForFunction(f: string, arg?: unknown, o?: { timeout: number }): Promise<unknown>;
  evaluate<T>(f: string): Promise<T>;
  close(): Promise<void>;
}
interface Browser {
  newPage(o: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

let browser: Browser | null = null;
const dir = mkdtempSync(join(tmpdir(), "hotmess-view-answerspec-"));
before(async () => {
  if (SKIP) return;
  browser = (await loadPlaywright().chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })) as unknown as Browser;
});
after(async () => {
  await browser?.close();
});

async function classesFact(analysis: Analysis, name: string): Promise<{ text: string; title: string } | null> {
  const file = join(dir, `${name}.html`);
  writeReportHtml(file, analysis);
  const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction("document.body.dataset.rendered === '1'", undefined, { timeout: 30_000 });
    return await page.evaluate<{ text: string; title: string } | null>(`(() => {
      const f = [...document.querySelectorAll(".facts .fact")].find((el) => el.querySelector(".label")?.textContent === "classes");
      return f ? { text: f.querySelector(".value").textContent, title: f.title } : null;
    })()`);
  } finally {
    await page.close();
  }
}

const samples = ['{"b": 1, "a": [1, 2]}', '{"a": [1, 2], "b": 1}', '{"a": [2, 1], "b": 1}'].map((text) => ({ text }));

test("the header's classes fact names the comparison and the extraction", { skip: SKIP }, async () => {
  const a = analyzeRecords([{ id: "j", samples, answerSpec: { extract: { kind: "json", path: "$" }, compare: { kind: "json" } } }], { resamples: 0 });
  assert.equal(a.prompts[0]!.classes, 2);
  const f = await classesFact(a, "json");
  assert.equal(f?.text, "2 by json equality");
  assert.match(f!.title, /answer classes by json equality, answers read by json/);
});

test("without a spec the fact is the count, and its title says exact", { skip: SKIP }, async () => {
  const a = analyzeRecords([{ id: "plain", reference: 4, samples: [{ text: "Answer: 4" }, { text: "Answer: 5" }] }], { resamples: 0 });
  const f = await classesFact(a, "plain");
  assert.equal(f?.text, "2");
  assert.match(f!.title, /answer classes by exact \(the normalised answer\)/);
});
