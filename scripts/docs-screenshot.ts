// The docs' screenshot of the view (docs/images/why-word-problem.png): a seeded natural-language
// word problem (src/sampling/naturallang.ts) rerun 10 times, with its reference so there are
// wrong answer classes, rendered as the HTML report (the view's own bundle) in Chromium with VS
// Code's dark theme, 1280 × 800: the first screen, headed by "Why the runs disagree".
//
//   npm run build && node --import tsx scripts/docs-screenshot.ts [--out FILE] [--list]
//
// Needs Chromium and playwright-core as the end-to-end tests do (test/e2e/harness.ts).
// HOTMESS_SHOT_PROMPT=i picks another candidate; --list prints the candidate prompts' deciding lines instead (to choose another).
import { VSCODE_DARK } from "../test/support/vscode-theme";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { analyzeRecords } from "../src/core/analyze";
import { decidingSteps } from "../src/core/deciding";
import { classLabel } from "../src/core/label";
import { writeReportHtml } from "../src/report/html";
import { naturalLanguageSet } from "../src/sampling/naturallang";
import { CHROMIUM, CHROMIUM_ARGS, loadPlaywright } from "../test/e2e/harness";

const args = process.argv.slice(2);
const outAt = args.indexOf("--out");
const out = resolve(outAt >= 0 ? args[outAt + 1]! : join(__dirname, "..", "docs", "images", "why-word-problem.png"));



const SEED = 7;
const PROMPT = Number(process.env.HOTMESS_SHOT_PROMPT ?? 36);

/** The seeded prompts with a reference and at least two wrong classes, each with a real share. */
function candidates() {
  const set = naturalLanguageSet({ prompts: 40, runs: 10, seed: SEED });
  const a = analyzeRecords(set.map((p) => p.record), { resamples: 200 });
  return a.prompts.map((p, i) => ({ i, p, record: set[i]!.record })).filter(({ p }) => p.answers.filter((c) => !c.reference && c.count >= 2).length >= 2 && p.answers.some((c) => c.reference && c.count >= 2));
}

async function main(): Promise<void> {
  const list = candidates();
  if (args.includes("--list")) {
    for (const { i, p } of list) console.log(`#${i} ${p.answers.map((c) => `${classLabel(c)}×${c.count}${c.reference ? "✓" : ""}`).join(" ")}\n  ${decidingSteps(p).map((d) => d.summary).join("\n  ")}`);
    return;
  }
  const pick = list.find((c) => c.i === PROMPT) ?? list[0]!;
  const record = { ...pick.record, id: "word-problem", prompt: (pick.record.prompt ?? "").replace(/^A (\w+) word problem/, "A word problem about $1") };
  const analysis = analyzeRecords([record], { resamples: 1000 });
  const dir = mkdtempSync(join(tmpdir(), "hotmess-shot-"));
  try {
    const html = join(dir, "report.html");
    writeReportHtml(html, analysis, { title: "Hot Mess Inspector" });
    const pw = loadPlaywright();
    const browser = await pw.chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: "en-US", timezoneId: "UTC" });
    const page = await context.newPage();
    await page.goto(pathToFileURL(html).href);
    await page.waitForSelector(".why", { timeout: 30_000 });
    await page.evaluate((vars: Record<string, string>) => {
      for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
      document.body.classList.add("vscode-dark");
      window.scrollTo(0, 0);
    }, VSCODE_DARK);
    await page.waitForTimeout(500);
    await page.screenshot({ path: out });
    await browser.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${out}: prompt #${pick.i} of seed ${SEED}, ${(statSync(out).size / 1024).toFixed(0)} kB`);
}

declare const document: { documentElement: { style: { setProperty(k: string, v: string): void } }; body: { classList: { add(c: string): void } } };
declare const window: { scrollTo(x: number, y: number): void };

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
