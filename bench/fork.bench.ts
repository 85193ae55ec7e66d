// `npm run bench`: where the fork lands (METRICS.md §9: content, not wording).
// 1. Natural-language reruns of the simulated reasoner's word problems (src/sampling/naturallang.ts:
//    seeded, 200 prompts each, every run's computation path known; runs word the same computation
//    many ways, pad with filler worded differently, sometimes put two computations on a line),
//    at n = 5, 8, 10, 30 reruns. Target: among prompts whose runs (a real share each) compute
//    different things, the fork column holds the first differing computation in ≥ 80%; no fork
//    column is filler only.
// 2. The shared fixtures, when present: Game of 24 (GPT-4, 100 reruns per puzzle, subsampled to
//    the first n runs) and τ-bench airline (4 trials per task): what the fork column holds. On
//    τ-bench no fork may fall on a text step of words only (a reply or user turn that names no
//    entity and performs no act, METRICS.md §11 and docs/metrics.md).
// A missed target prints MISSED and still exits 0.
import { readFileSync } from "node:fs";
import { analyzeRecords, parseTraceLine, type PromptAnalysis, type PromptRecord } from "../src/core";
import { importFiles } from "../src/import";
import { naturalLanguageSet, scoreForks } from "../src/sampling/naturallang";
import { textContent, textContentKey } from "../src/core/textcontent";
import { findFixture, findTau } from "./common";

const missed: string[] = [];
const pct = (a: number, b: number) => (b === 0 ? "—" : `${((100 * a) / b).toFixed(0)}%`);

console.log("Fork on content: natural-language reruns with known paths (200 prompts per row)");
console.log("  n    differing  fork on 1st differing computation  no fork  filler forks  agreeing prompts forked");
for (const n of [5, 8, 10, 30]) {
  const set = naturalLanguageSet({ prompts: 200, runs: n, seed: 100 + n });
  const t0 = performance.now();
  const a = analyzeRecords(set.map((p) => p.record), { resamples: 50 });
  const ms = performance.now() - t0;
  const s = scoreForks(set, a.prompts);
  const ok = s.onFirstDifference / s.differing >= 0.8 && s.fillerForks === 0;
  if (!ok) missed.push(`natural language n=${n}`);
  console.log(
    `  ${String(n).padEnd(4)} ${String(s.differing).padEnd(10)} ${`${s.onFirstDifference} (${pct(s.onFirstDifference, s.differing)})`.padEnd(35)} ${String(s.noFork).padEnd(8)} ${String(s.fillerForks).padEnd(13)} ${s.falseForks} of ${s.agreeing}   ${ok ? "" : "MISSED"} (${ms.toFixed(0)} ms)`,
  );
}

type ForkContent = "none" | "computation" | "call" | "text" | "numbers" | "words";

/**
 * What a prompt's fork column holds: computations, tool calls, a trajectory's text steps that
 * name entities or act (textcontent.ts), only numbers stated, only words.
 */
function forkContent(p: PromptAnalysis): ForkContent {
  if (p.forkColumn === null) return "none";
  let best: Exclude<ForkContent, "none"> = "words";
  for (const c of p.columns[p.forkColumn]!.cells) {
    if (c.step === null) continue;
    const st = p.runs[c.run]!.steps[c.step]!;
    if (st.kind === "tool_call") return "call";
    if (st.kind === "text" || st.kind === "user" || st.kind === "reasoning") {
      if (textContentKey(textContent(st.text, st.kind === "user")) !== null) best = "text";
      continue;
    }
    if (/\d\s*[-+*/×÷−]\s*\(?\d/.test(st.text) && /=/.test(st.text)) best = "computation";
    else if (best === "words" && /\d/.test(st.text)) best = "numbers";
  }
  return best;
}

function fixtureRow(label: string, prompts: PromptAnalysis[]): Record<ForkContent, number> {
  const counts = { none: 0, computation: 0, call: 0, text: 0, numbers: 0, words: 0 };
  for (const p of prompts) counts[forkContent(p)]++;
  const forked = prompts.length - counts.none;
  const text = counts.text > 0 ? ` text content ${pct(counts.text, forked).padEnd(5)}` : "";
  console.log(`  ${label.padEnd(34)} ${String(forked).padEnd(7)} of ${String(prompts.length).padEnd(4)} computation ${pct(counts.computation, forked).padEnd(5)} tool call ${pct(counts.call, forked).padEnd(5)}${text} numbers only ${pct(counts.numbers, forked).padEnd(5)} words only ${pct(counts.words, forked)}`);
  return counts;
}

const g24 = findFixture();
const tau = findTau();
if (!g24 && !tau) console.log("\nShared fixtures: skipped: no shared fixtures");
else console.log("\nShared fixtures: what the fork column holds (prompts with a fork)");
if (g24) {
  const records: PromptRecord[] = [];
  readFileSync(g24, "utf8").split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    const r = parseTraceLine(line, i + 1);
    if (r && "record" in r) records.push(r.record);
  });
  for (const n of [5, 8, 10, 30]) {
    const a = analyzeRecords(records.map((r) => ({ ...r, samples: r.samples.slice(0, n) })), { resamples: 50 });
    fixtureRow(`Game of 24 (GPT-4), n = ${n}`, a.prompts);
  }
}
if (tau) {
  const recs = importFiles([{ path: tau, bytes: new Uint8Array(readFileSync(tau)) }]).prompts;
  const prompts = analyzeRecords(recs, { resamples: 50 }).prompts;
  const c = fixtureRow("τ-bench airline (GPT-4o), n = 4", prompts);
  const textForks = c.text + c.numbers + c.words;
  console.log(`    ${prompts.length - c.none} of ${prompts.length} tasks have a column fork: ${c.call} on a tool call, ${textForks} on a text step (${c.text} naming entities or acting, ${c.words} of words only)`);
  // a trajectory's text step of words only never decides a fork when runs call tools (textcontent.ts)
  if (c.words > 0) missed.push("τ-bench: a fork on a text step of words only");
}
if (missed.length) console.log(`\nMISSED: ${missed.join("; ")}`);
