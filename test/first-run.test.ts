// A new user's first run, without a key: `hotmess run` on their own prompt falls back to the
// simulated reasoner, which answers it, and every output made from its runs says that no model
// was called (the run line, the table, the Markdown export). And `hotmess demo`: what it prints
// first is what it demonstrates, incoherence rising with the number of optimizer steps, in one
// sentence whose figures are the analysis's own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeRecords, analyzeTraceSet, benchmarkSentence, incoherenceTrend, longestProblem, type Analysis, type OptimizerAnalysis } from "../src/core";
import { demo } from "../src/cli/demo";
import { main, type Io } from "../src/cli/main";
import { renderTable } from "../src/cli/table";
import { exportMarkdown } from "../src/report/export";
import { DEFAULT_MODELS } from "../src/sampling/defaults";
import { Capture } from "./support/capture";


function io(env: NodeJS.ProcessEnv = {}): Io & { stdout: Capture; stderr: Capture } {
  return { stdout: new Capture(), stderr: new Capture(), env };
}

async function hotmess(args: string[]) {
  const o = io();
  const code = await main(args, o);
  return { code, out: o.stdout.text, err: o.stderr.text };
}

const dir = mkdtempSync(join(tmpdir(), "hotmess-first-run-"));

test("no key, an arithmetic prompt: the simulated reasoner answers it, and the run line and the table say no model was called", async () => {
  const t0 = Date.now();
  const r = await hotmess(["run", "--prompt", "What is 17 * 24 + 3?", "-n", "8", "--reference", "411", "--out", join(dir, "arith")]);
  const took = Date.now() - t0;
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /8 samples of simulated-reasoner \(simulated, offline: no model is called, 4 at once\)/);
  assert.match(r.out, /^Simulated: These runs come from the offline simulated reasoner; no model was called and its answers are made up\.$/m);
  assert.match(r.out, /ANTHROPIC_API_KEY or OPENAI_API_KEY/);
  // the note sits under the table it qualifies, before the pooled figures
  assert.ok(r.out.indexOf("Simulated:") < r.out.indexOf("Pooled over"));
  const file = readdirSync(join(dir, "arith"))[0]!;
  const text = readFileSync(join(dir, "arith", file), "utf8");
  assert.match(text, /17 × 24 = \d+/);
  assert.ok(took < 5000, `took ${took} ms`);
});

test("no key, any other prompt: labelled simulated reruns that split into a few placeholder answers", async () => {
  const r = await hotmess(["run", "--prompt", "Write a haiku about autumn.", "-n", "8", "--out", join(dir, "other")]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Simulated: These runs come from the offline simulated reasoner/);
  const row = r.out.split("\n").find((l) => /^\S+-\S+\s+8\s+/.test(l));
  assert.ok(row, r.out);
  const classes = Number(/^\S+\s+8\s+(\d+)/.exec(row)![1]);
  assert.ok(classes >= 2 && classes <= 3, row);
});

test("the table of a real model's runs carries no simulated note", () => {
  const a = analyzeRecords([{ id: "p", model: "claude-sonnet-4-5", reference: 4, samples: [{ text: "2 + 2 = 4\nAnswer: 4" }, { text: "Answer: 5" }] }]);
  assert.doesNotMatch(renderTable(a).join("\n"), /Simulated|no model was called/);
});

test("the Markdown export says a simulated prompt's runs were made up offline, and says nothing of a real model's", () => {
  const sim = analyzeRecords([{ id: "p", model: DEFAULT_MODELS.simulated!, reference: 4, samples: [{ text: "Answer: 4" }, { text: "Answer: 5" }] }]);
  assert.match(exportMarkdown(sim), /model `simulated-reasoner` \(simulated: no model was called, the answers are made up\)/);
  const real = analyzeRecords([{ id: "p", model: "gpt-5-mini", reference: 4, samples: [{ text: "Answer: 4" }, { text: "Answer: 5" }] }]);
  assert.doesNotMatch(exportMarkdown(real), /simulated/);
});

/** An optimizer analysis with the given incoherence per step (the rest of it does not matter here). */
function fakeOptimizer(K: number, inc: (number | null)[]): OptimizerAnalysis {
  return {
    spec: { kind: "optimizer", d: 2, kappa: 3, A: [], b: [], x0: [], rule: "gd", eta: 0.1, K, decimals: 4, seed: 1 },
    steps: inc.map((x, i) => ({ k: i + 1, incoherence: x })),
  } as unknown as OptimizerAnalysis;
}

test("the benchmark sentence: the longest problem's first and last steps, and 'rises' only when it does", () => {
  const a = (K1: number, K2: number, inc2: (number | null)[]) =>
    ({
      prompts: [
        { id: "short", optimizer: fakeOptimizer(K1, new Array<number>(K1).fill(0.5)) },
        { id: "long", optimizer: fakeOptimizer(K2, inc2) },
      ],
    }) as unknown as Analysis;
  assert.equal(
    benchmarkSentence("The demo reruns a simulated reasoner", a(2, 3, [0.123, 0.5, 0.876])),
    "The demo reruns a simulated reasoner on optimizer problems of 2 and 3 steps: the longer it reasons, the larger the share of its error that is variance — incoherence rises from 0.12 at step 1 to 0.88 at step 3.",
  );
  assert.equal(
    benchmarkSentence("Reruns of m", a(2, 3, [null, 0.9, 0.3])),
    "Reruns of m on optimizer problems of 2 and 3 steps: incoherence goes from 0.90 at step 2 to 0.30 at step 3, so here it does not rise with the number of steps.",
  );
  assert.equal(benchmarkSentence("x", { prompts: [] } as unknown as Analysis), null);
  // a higher last step whose interval overlaps the first's is not a rise (an 8-step problem at
  // n = 8 on the simulated reasoner went 0.11 → 0.13 with a peak of 0.68 between)
  const withCi = (lo1: number, hi1: number, lo2: number, hi2: number) =>
    ({ prompts: [{ id: "p", optimizer: { spec: { K: 8 }, steps: [{ k: 1, incoherence: 0.11, ci95: [lo1, hi1] }, { k: 8, incoherence: 0.13, ci95: [lo2, hi2] }] } }] }) as unknown as Analysis;
  assert.equal(
    benchmarkSentence("Reruns of m", withCi(0, 0.57, 0.01, 0.69)),
    "Reruns of m on optimizer problems of 8 steps: incoherence goes from 0.11 at step 1 to 0.13 at step 8, but their intervals overlap, so these reruns do not show that it rises with the number of steps.",
  );
  assert.match(benchmarkSentence("Reruns of m", withCi(0.05, 0.12, 0.125, 0.2))!, /incoherence rises from 0\.11 at step 1 to 0\.13 at step 8\.$/);
});

test("the longest problem is one choice: the first of several as long, for the sentence and for the view alike", () => {
  const a = { prompts: [{ id: "a", optimizer: fakeOptimizer(3, [0.1, 0.2, 0.3]) }, { id: "b", optimizer: fakeOptimizer(3, [0.4, 0.5, 0.6]) }, { id: "c" }] } as unknown as Analysis;
  assert.equal(longestProblem(a), 0);
  assert.match(benchmarkSentence("Reruns of m", a)!, /from 0\.10 at step 1 to 0\.30 at step 3/);
  assert.equal(longestProblem({ prompts: [{ id: "c" }] } as unknown as Analysis), null);
});

test("hotmess bench: each problem's verdict in the summary is the sentence's own (n = 3: intervals overlap, so no 'grows with steps')", async () => {
  const r = await hotmess(["bench", "optimizer", "-n", "3", "--sim-speed", "0", "--out", join(dir, "bench-3")]);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split("\n");
  const sentence = lines.find((l) => l.startsWith("Reruns of the simulated reasoner"))!;
  assert.match(sentence, /intervals overlap, so these reruns do not show that it rises/, "the case the review met");
  const verdict = (id: string) => lines.find((l) => new RegExp(`^\\s+${id}\\s+\\d+\\s`).test(l))!.trim().split(/\s{2,}/).at(-1);
  assert.equal(verdict("optimizer-hard-seed1"), "not shown (intervals overlap)");
  assert.doesNotMatch(r.out, /grows with steps/);
  // every row says what incoherenceTrend says of its problem
  const html = readFileSync(join(dir, "bench-3", "report.html"), "utf8");
  const analysis = JSON.parse(/<script type="application\/json" id="hotmess-data"[^>]*>([\s\S]*?)<\/script>/.exec(html)![1]!) as Analysis;
  const words = { rises: "rises with steps", overlaps: "not shown (intervals overlap)", flat: "does not rise" };
  for (const p of analysis.prompts) assert.equal(verdict(p.id), words[incoherenceTrend(p.optimizer!)!.verdict], p.id);
});

test("hotmess demo: the result is said last, where a terminal shows it when the demo ends, with the analysis's own figures", async () => {
  const cwd = process.cwd();
  const where = mkdtempSync(join(tmpdir(), "hotmess-demo-"));
  process.chdir(where);
  const o = io();
  let code: number;
  const t0 = Date.now();
  try {
    code = await demo(o);
  } finally {
    process.chdir(cwd);
  }
  const took = Date.now() - t0;
  assert.equal(code, 0, o.stderr.text);
  const html = readFileSync(join(where, "out", "demo", "report.html"), "utf8");
  const data = /<script type="application\/json" id="hotmess-data"[^>]*>([\s\S]*?)<\/script>/.exec(html)![1]!;
  const analysis = JSON.parse(data) as Analysis;
  const hard = analysis.prompts.find((p) => p.optimizer?.spec.K === 20)!.optimizer!;
  const lines = o.stdout.text.trimEnd().split("\n");
  const at = lines.findIndex((l) => l.startsWith("The demo reruns"));
  const m = /^The demo reruns a simulated reasoner on optimizer problems of 8, 12 and 20 steps: the longer it reasons, the larger the share of its error that is variance — incoherence rises from (\d\.\d\d) at step 1 to (\d\.\d\d) at step 20\.$/.exec(lines[at] ?? "");
  assert.ok(m, o.stdout.text);
  assert.equal(m[1], hard.steps[0]!.incoherence!.toFixed(2));
  assert.equal(m[2], hard.steps[19]!.incoherence!.toFixed(2));
  // on a 24-line terminal the sentence is on screen when the demo ends (stderr prints nothing after stdout's tables)
  assert.ok(lines.length - at <= 22, `the sentence is ${lines.length - at} lines from the end`);
  assert.ok(lines.slice(at).some((l) => /^\s+optimizer-hard-seed1\s+20\s/.test(l)), "the per-step summary follows it");
  // above it the per-step tables, then the final answers, captioned so that distinct vectors are expected
  const out = o.stdout.text;
  assert.ok(out.indexOf("optimizer-hard-seed1 · d = 4") < out.indexOf("Final answers"));
  assert.ok(out.indexOf("Final answers") < out.indexOf("The demo reruns"));
  assert.match(out, /Each answer is a vector: every run lands somewhere slightly different, so each is a class of its own\. The per-step figures are the ones to read\./);
  assert.ok(took < 20_000, `the demo took ${took} ms`);
  // its agent part: the simulated agent's trajectories as a trace set, and where their actions part
  const agent = /The agent part: a simulated tool-using agent, 8 reruns of 3 airline-desk tasks \(offline; no model called\): the runs' tool calls part in (\d) of 3\./.exec(out);
  assert.ok(agent, out);
  const agents = analyzeTraceSet(readFileSync(join(where, "out", "demo", "agent.jsonl"), "utf8"));
  assert.equal(agents.prompts.length, 3);
  assert.equal(String(agents.prompts.filter((p) => p.agent?.forkAction !== null).length), agent[1]);
  for (const p of agents.prompts) assert.ok(out.includes(`  ${p.id}: `), `${p.id} has its line`);
});

test("the provider setting and the model picker say the simulated reasoner answers any prompt, offline, calling no model", () => {
  const root = join(__dirname, "..");
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { contributes: { configuration: { properties: Record<string, { enum?: string[]; enumDescriptions?: string[] }> } } };
  const setting = pkg.contributes.configuration.properties["hotmess.provider"]!;
  const simulated = setting.enumDescriptions![setting.enum!.indexOf("simulated")]!;
  assert.doesNotMatch(simulated, /only/);
  assert.match(simulated, /any prompt/);
  assert.match(simulated, /no model is called/);
  // the Select Provider and Model quick pick (the item's description is a literal in the extension)
  const ext = readFileSync(join(root, "src", "extension", "extension.ts"), "utf8");
  const item = /\{ label: "Simulated reasoner", description: "([^"]*)"/.exec(ext);
  assert.ok(item, "the quick pick item is there");
  assert.doesNotMatch(item[1]!, /only/);
  assert.match(item[1]!, /any prompt/);
});
