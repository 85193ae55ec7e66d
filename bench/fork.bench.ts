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
// 3. The deciding steps ("Why the runs disagree") on natural-language reruns at n = 10: how often
//    a side reads "no step here", and whether the step shown is on the side's own path.
// A missed target prints MISSED and still exits 0.
import { readFileSync } from "node:fs";
import { analyzeRecords, parseTraceLine, type PromptAnalysis, type PromptRecord } from "../src/core";
import { importFiles } from "../src/import";
import { naturalLanguageSet, scoreForks, type Computation } from "../src/sampling/naturallang";
import { decidingSteps } from "../src/core/deciding";
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

/**
 * 3. The deciding steps ("Why the runs disagree", src/core/deciding.ts) on the same kind of
 * natural-language reruns at n = 10: how often a side of a class's deciding step reads "no step
 * here" while the class goes on computing (its own computation was aligned into another column),
 * and how often the step shown for a class is one of its own path's computations that the class
 * it is compared with does not make (each generated line records the computations it carries).
 */
function decidingSection(): void {
  const n = 10;
  const set = naturalLanguageSet({ prompts: 200, runs: n, seed: 900 });
  const a = analyzeRecords(set.map((p) => p.record), { resamples: 50 });
  let classes = 0;
  let sides = 0;
  let noStep = 0;
  let stops = 0;
  let onPath = 0;
  let own = 0;
  let going = 0;
  let prompts = 0;
  const same = (x: Computation, y: Computation) => x.a === y.a && x.op === y.op && x.b === y.b && x.r === y.r;
  set.forEach((np, i) => {
    const p = a.prompts[i]!;
    /** The path most of a class's runs take. */
    const pathOf = (runs: readonly number[]): Computation[] => {
      const counts = new Map<number, number>();
      for (const r of runs) counts.set(np.runs[r]!.path, (counts.get(np.runs[r]!.path) ?? 0) + 1);
      return np.paths[[...counts].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0]![0]]!;
    };
    let said = false;
    for (const d of decidingSteps(p)) {
      if (d.column === null) continue;
      classes++;
      const against = p.runs.filter((r) => r.answerClass === d.against).map((r) => r.index);
      for (const [side, runs, vs] of [
        [d.self, d.runs, against],
        [d.other, against, d.runs],
      ] as const) {
        sides++;
        if (side.stops) stops++;
        else going++;
        if (side.step === null) {
          if (!side.stops) [noStep, said] = [noStep + 1, true];
          continue;
        }
        const other = pathOf(vs);
        // the line the shown step comes from (a run of this side whose step has that text)
        let computes = false;
        let differs = false;
        for (const r of runs) {
          const st = p.runs[r]!.steps.find((s) => s.text === side.step);
          const line = st && np.runs[r]!.lines.find((l) => st.start < l.end && l.start < st.end);
          if (!line) continue;
          const path = np.paths[np.runs[r]!.path]!;
          computes ||= line.comps.length > 0;
          differs ||= line.comps.some((c) => !other.some((o) => same(o, path[c]!)));
        }
        if (computes) onPath++;
        if (differs && !side.stops) own++;
      }
    }
    if (said) prompts++;
  });
  console.log(`\nDeciding steps ("Why the runs disagree"): natural-language reruns, 200 prompts at n = ${n}`);
  console.log(`  classes with a deciding column ${classes}; sides ${sides} (${stops} "then stop")`);
  console.log(`  "no step here" ${noStep} of ${sides} sides (${pct(noStep, sides)}), in ${prompts} prompts`);
  console.log(`  step shown is a computation of the side's own path: ${onPath} of ${sides} (${pct(onPath, sides)})`);
  console.log(`  sides that go on: the step shown is one of their path's computations the other side's path does not make: ${own} of ${going} (${pct(own, going)})`);
}
decidingSection();
