// The comparison view's first screen, in a real Chromium (the self-contained report, as
// out/demo/report.html is): runs of the simulated reasoner carry a visible "Simulated — no model
// was called" badge; a benchmark analysis opens on its longest problem with the per-step section
// first, under the one sentence of what it shows (the same sentence the CLI prints), and the
// answer classes below it are captioned as vectors. Skipped without Chromium and playwright-core
// (scripts/setup-code-server.sh installs both; CI runs it before npm test).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { analyzeRecords, analyzeTraceSet, benchmarkSentence, type Analysis } from "../src/core";
import { writeReportHtml } from "../src/report/html";
import { benchmarkPrompts } from "../src/sampling/benchmark";
import { DEFAULT_MODELS } from "../src/sampling/defaults";
import { runSamples } from "../src/sampling/engine";
import { SimulatedProvider } from "../src/sampling/simulated";
import { simulateAgentSet } from "../src/sampling/agent";
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
const dir = mkdtempSync(join(tmpdir(), "hotmess-view-"));

before(async () => {
  if (SKIP) return;
  browser = (await loadPlaywright().chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })) as unknown as Browser;
});
after(async () => {
  await browser?.close();
});

/** The benchmark at three difficulties on the simulated reasoner, analysed as `hotmess bench` does. */
async function simulatedBenchmark(): Promise<Analysis> {
  const records = [];
  for (const bp of benchmarkPrompts(["easy", "medium", "hard"], 1)) {
    const r = await runSamples({ provider: new SimulatedProvider({ tokensPerSecond: 0 }), request: { prompt: bp.prompt, model: DEFAULT_MODELS.simulated!, maxTokens: 16000, thinking: { type: "none" } }, n: 8, concurrency: 4 });
    records.push({ id: `${bp.id}-seed1`, prompt: bp.prompt, model: DEFAULT_MODELS.simulated!, reference: bp.reference, benchmark: bp.spec, samples: r.samples.map((s) => ({ text: s.text, thinking: s.thinking })) });
  }
  return analyzeRecords(records);
}

/** Opens an analysis as the self-contained report at 1280 × 800 and reads what the view shows. */
async function firstScreen(analysis: Analysis, name: string) {
  const file = join(dir, `${name}.html`);
  writeReportHtml(file, analysis);
  const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction("document.body.dataset.rendered === '1'", undefined, { timeout: 30_000 });
    return await page.evaluate<{
      badge: { text: string; visible: boolean; title: string } | null;
      selected: string | null;
      optTop: number | null;
      answersTop: number | null;
      lead: string | null;
      answersCaption: string | null;
      why: { rows: string[]; bottom: number; note: string } | null;
    }>(`(() => {
      const top = (el) => (el ? el.getBoundingClientRect().top + window.scrollY : null);
      const badge = document.querySelector(".tag.sim");
      const r = badge ? badge.getBoundingClientRect() : null;
      return {
        badge: badge ? { text: badge.textContent, visible: r.width > 0 && r.height > 0 && r.top < window.innerHeight, title: badge.title } : null,
        selected: document.querySelector('.prompt-item[aria-selected="true"]')?.getAttribute("data-fk") ?? null,
        optTop: top(document.querySelector('[data-anchor="opt"]')),
        answersTop: top(document.querySelector(".answers")),
        lead: document.querySelector(".lead")?.textContent ?? null,
        answersCaption: document.querySelector(".answers .caption")?.textContent ?? null,
        why: document.querySelector(".why") ? { rows: [...document.querySelectorAll(".why-row")].map((e) => e.innerText.replace(/\\s+/g, " ").trim()), bottom: document.querySelector(".why").getBoundingClientRect().bottom, note: document.querySelector(".why-note").textContent } : null,
      };
    })()`);
  } finally {
    await page.close();
  }
}

test("a benchmark on the simulated reasoner: badge, the longest problem's per-step view first, the CLI's sentence on top", { skip: SKIP }, async () => {
  const analysis = await simulatedBenchmark();
  const s = await firstScreen(analysis, "benchmark");
  assert.deepEqual(s.badge && { text: s.badge.text, visible: s.badge.visible }, { text: "Simulated — no model was called", visible: true });
  assert.match(s.badge!.title, /no model was called/);
  assert.equal(s.selected, "prompt:optimizer-hard-seed1", "it opens on the longest problem");
  assert.ok(s.optTop !== null && s.answersTop !== null && s.optTop < s.answersTop, `per-step section at ${s.optTop} px, answers at ${s.answersTop} px`);
  assert.ok(s.optTop! < 400, `the per-step section starts on the first screen (${s.optTop} px)`);
  assert.equal(s.lead, benchmarkSentence("Reruns of the simulated reasoner", analysis), "the view says what the CLI says");
  // at n = 8 the first and last steps' intervals may overlap: the sentence then says so instead of "rises"
  assert.match(s.lead!, /incoherence (rises|goes) from \d\.\d\d at step 1 to \d\.\d\d at step 20[.,]/);
  assert.match(s.answersCaption ?? "", /each answer is a vector: every run lands somewhere slightly different — the per-step view above is the one to read/);
});

test("a real model's runs: no badge, no benchmark sentence, the answers first as before", { skip: SKIP }, async () => {
  const a = analyzeTraceSet(readFileSync(join(__dirname, "..", "examples", "word-problems.jsonl"), "utf8"));
  for (const p of a.prompts) p.model = "claude-sonnet-4-5";
  const s = await firstScreen(a, "real");
  assert.equal(s.badge, null);
  assert.equal(s.lead, null);
  assert.equal(s.optTop, null);
  assert.equal(s.answersCaption, null);
  assert.ok(s.answersTop !== null && s.answersTop < 480, String(s.answersTop));
  // why the runs disagree, on the first screen: each class's deciding step beside the reference's path
  assert.ok(s.why && s.why.bottom < 800, JSON.stringify(s.why));
  assert.match(s.why.note, /against the reference class's path/);
  assert.deepEqual(s.why.rows, [
    "18 ✓ 7 runs She sells 9 eggs at $2 each: 9 * 2 = 18 dollars. vs 2 runs She sells each egg for $2, but the muffins also sell for $2 each, so 9 + 4 = 13 items. column 4 · run #0",
    "26 2 runs She sells each egg for $2, but the muffins also sell for $2 each, so 9 + 4 = 13 items. vs 7 runs She sells 9 eggs at $2 each: 9 * 2 = 18 dollars. column 4 · run #6",
    "8 1 run She eats 3 and bakes 4, which is 3 * 4 = 12 eggs used. vs 7 runs She eats 3 for breakfast, so 16 - 3 = 13 eggs remain. column 1 · run #8",
  ]);
});

test("a mix: only the simulated prompt's header carries the badge", { skip: SKIP }, async () => {
  const a = analyzeRecords([
    { id: "real", model: "gpt-5-mini", reference: 4, samples: [{ text: "2 + 2 = 4\nAnswer: 4" }, { text: "2 + 2 = 5\nAnswer: 5" }] },
    { id: "sim", model: DEFAULT_MODELS.simulated!, reference: 4, samples: [{ text: "2 + 2 = 4\nAnswer: 4" }, { text: "2 + 2 = 5\nAnswer: 5" }] },
  ]);
  assert.equal((await firstScreen(a, "mix")).badge, null, "the first prompt (a real model's) has none");
  a.prompts.reverse();
  assert.equal((await firstScreen(a, "mix2")).badge?.text, "Simulated — no model was called");
});

/** The headline block of the first prompt as a reader sees it (its text, on screen). */
async function headlineBlock(analysis: Analysis, name: string): Promise<string> {
  const file = join(dir, `${name}.html`);
  writeReportHtml(file, analysis);
  const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction("document.body.dataset.rendered === '1'", undefined, { timeout: 30_000 });
    return await page.evaluate<string>(`document.querySelector(".kpi").innerText`);
  } finally {
    await page.close();
  }
}

test("the headline: the estimate with its interval, or the caveat below 5 reruns; the reruns to ±0.05; the majority vote", { skip: SKIP }, async () => {
  const rec = (id: string, answers: number[]) => ({ id, reference: 4, samples: answers.map((a) => ({ text: `Answer: ${a}`, answer: a })) });
  const ten = analyzeRecords([rec("ten", [4, 4, 5, 6, 4, 7, 4, 4, 8, 4])]);
  const p = ten.prompts[0]!;
  const text = await headlineBlock(ten, "headline-ten");
  assert.ok(text.includes(`${p.brier!.estimate!.toFixed(3)} [${p.brier!.ci95![0].toFixed(3)}–${p.brier!.ci95![1].toFixed(3)}]`), text);
  assert.ok(text.includes(`≈ ${p.reruns!.more!.toLocaleString("en-US")} more reruns to get the interval under ±0.05`), text);
  assert.ok(text.includes(`plug-in ${p.brier!.incoherence!.toFixed(3)}`), text);
  assert.match(text, /majority vote/i);
  assert.ok(text.includes(`accuracy\t${p.ensemble!.map((r) => `${Math.round(100 * r.accuracy)}%`).join("\t")}`), text);
  assert.match(text, /self-consistency would fix this prompt|a majority vote helps but does not fix it/);
  const three = analyzeRecords([rec("three", [4, 4, 5])]);
  const t = await headlineBlock(three, "headline-three");
  assert.ok(t.includes(`${three.prompts[0]!.brier!.estimate!.toFixed(3)}\nn = 3: too few reruns for an interval; 8+ recommended`), t);
  assert.doesNotMatch(t, /\[/, "no interval below 5 reruns");
});

test("an agent prompt's header: its tool calls a run and its fork action (from 1) with the cause, the groups in the hover", { skip: SKIP }, async () => {
  const analysis = analyzeRecords(simulateAgentSet(8));
  const p = analysis.prompts[0]!;
  const ag = p.agent!;
  assert.notEqual(ag.forkAction, null, "the simulated agent's runs part");
  const file = join(dir, "agent.html");
  writeReportHtml(file, analysis);
  const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction("document.body.dataset.rendered === '1'", undefined, { timeout: 30_000 });
    const facts = await page.evaluate<{ text: string; title: string }[]>(`[...document.querySelectorAll(".prompt-head .fact")].map((f) => ({ text: f.innerText, title: f.title }))`);
    const calls = facts.find((f) => f.text.startsWith("tool calls"));
    const lo = Math.min(...ag.toolCalls);
    const hi = Math.max(...ag.toolCalls);
    assert.equal(calls?.text, `tool calls ${lo === hi ? lo : `${lo}–${hi}`} a run`);
    const fork = facts.find((f) => f.text.startsWith("fork action"));
    assert.equal(fork?.text, `fork action ${ag.forkAction! + 1} · ${ag.forkCause!.kind === "policy" ? "the policy" : "the environment"}`);
    assert.ok(fork!.title.startsWith(ag.forkCause!.detail), fork!.title);
    for (const g of ag.forkActions!) assert.ok(fork!.title.includes(`${g.count} run${g.count === 1 ? "" : "s"}: ${g.key.slice(0, 100)}`), fork!.title);
  } finally {
    await page.close();
  }
});
