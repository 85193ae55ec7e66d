// What the view derives from one prompt of the document, without recomputing any metric: the
// order of the runs, which column holds each step, the colour slot of each answer class, and
// the run's text put back together from its steps. Pure: no DOM.
import { ensembleText, ensembleVerdict, headlineText, rerunsText } from "../src/core/headline";
import type { AnswerClass, Column, PromptAnalysis, Run } from "../src/core/types";

export type RunOrder = "index" | "answer";

/** Number of distinct colours for wrong answer classes before they fall back to "other". */
export const CLASS_PALETTE = 5;

export interface PromptModel {
  p: PromptAnalysis;
  /** Position in `p.runs` of each run index (run indices are normally 0…n−1). */
  runPos: Map<number, number>;
  /** stepColumn[pos][s]: the column holding step s of the run at position pos. */
  stepColumn: number[][];
  /** Colour slot of each answer class: "ref", a palette slot "0"… (or "u0"… without a target), "none" or "other". */
  classSlot: string[];
  /** Gaps per column. */
  gaps: number[];
  /**
   * base[j]: the group column j's steps are compared with — the reference path's group when
   * divergence is measured against it (null: that path has no step there, so every step differs
   * from it), else group 0, the consensus.
   */
  base: (number | null)[];
  /** consensus[j]: the text of column j's base step (the most common step of its base group), null when it has none. */
  consensus: (string | null)[];
  /** The filter key of each answer class (see classKey). */
  classKeys: string[];
}

export function promptModel(p: PromptAnalysis): PromptModel {
  const runPos = new Map<number, number>();
  p.runs.forEach((r, i) => runPos.set(r.index, i));
  const stepColumn = p.runs.map((r) => new Array<number>(r.steps.length).fill(-1));
  const gaps = p.columns.map(() => 0);
  p.columns.forEach((col, j) => {
    for (const c of col.cells) {
      if (c.step === null) {
        gaps[j]!++;
        continue;
      }
      const pos = runPos.get(c.run);
      if (pos !== undefined) stepColumn[pos]![c.step] = j;
    }
  });
  // With a target, wrong classes take the warm palette ("0"…"4"); without one no class is
  // wrong, so they take a neutral one ("u0"…"u4").
  let slot = 0;
  const prefix = p.target === "none" ? "u" : "";
  const classSlot = p.answers.map((a) => {
    if (a.reference) return "ref";
    if (a.key === null) return "none";
    if (a.count === 0) return "other";
    return slot < CLASS_PALETTE ? prefix + String(slot++) : "other";
  });
  const base = p.columns.map((col) => (col.referenceGroup === undefined ? 0 : col.referenceGroup));
  const consensus = p.columns.map((col, j) => (base[j] === null ? null : consensusStep(col, p, runPos, base[j])));
  return { p, runPos, stepColumn, classSlot, gaps, base, consensus, classKeys: p.answers.map(classKey) };
}

/**
 * The text of a column's consensus step: the most common step (by text, ignoring case and runs of
 * whitespace) among the cells of group 0 (or of `group`: the reference path's), the earliest run's wording on a tie; as the analysis
 * picks it (it compares normalised steps, so on rare ties this may pick another wording).
 */
export function consensusStep(col: Column, p: PromptAnalysis, runPos: Map<number, number>, group = 0): string | null {
  const counts = new Map<string, { n: number; text: string; run: number }>();
  let best: { n: number; text: string; run: number } | null = null;
  for (const c of col.cells) {
    if (c.group !== group || c.step === null) continue;
    const pos = runPos.get(c.run);
    const text = pos === undefined ? undefined : p.runs[pos]!.steps[c.step]?.text;
    if (text === undefined) continue;
    const key = text.replace(/\s+/g, " ").trim().toLowerCase();
    let e = counts.get(key);
    if (!e) counts.set(key, (e = { n: 0, text, run: c.run }));
    e.n++;
    if (!best || e.n > best.n || (e.n === best.n && e.run < best.run)) best = e;
  }
  return best?.text ?? null;
}

/** The key an answer class is filtered by: stable across documents (class indices are not). */
export function classKey(a: Pick<AnswerClass, "key">): string {
  return a.key === null ? "none" : `=${a.key}`;
}

/** Run positions of `order` whose answer class is in `keys` (all of them when none is). */
export function filterRuns(m: PromptModel, order: number[], keys: ReadonlySet<string>): number[] {
  if (keys.size === 0) return order;
  const out = order.filter((pos) => keys.has(m.classKeys[m.p.runs[pos]!.answerClass] ?? ""));
  return out.length ? out : order;
}

/**
 * Columns where the runs shown all agree: every one of them is in the base group (the consensus,
 * or the reference path's) or has a gap there. The fork column never is (it has two real groups).
 */
export function agreeing(m: PromptModel, order: number[]): boolean[] {
  const shown = new Set(order.map((pos) => m.p.runs[pos]!.index));
  return m.p.columns.map((col, j) => {
    if (j === m.p.forkColumn) return false;
    for (const c of col.cells) if (shown.has(c.run) && c.step !== null && c.group !== m.base[j]) return false;
    return true;
  });
}

/** Maximal stretches [from, to] (inclusive) of at least `min` consecutive true flags. */
export function stretches(flags: boolean[], min: number): [number, number][] {
  const out: [number, number][] = [];
  let from = -1;
  for (let j = 0; j <= flags.length; j++) {
    if (j < flags.length && flags[j]) {
      if (from < 0) from = j;
    } else if (from >= 0) {
      if (j - from >= min) out.push([from, j - 1]);
      from = -1;
    }
  }
  return out;
}

/** Run positions in display order: by index, or grouped by answer class (reference first). */
export function runOrder(p: PromptAnalysis, order: RunOrder): number[] {
  const pos = p.runs.map((_, i) => i);
  if (order === "index") return pos;
  return pos.sort((a, b) => p.runs[a]!.answerClass - p.runs[b]!.answerClass || p.runs[a]!.index - p.runs[b]!.index);
}

/**
 * The run's reasoning as far as the document holds it: its steps at their offsets. What the
 * segmenter dropped between two steps (blank lines, decoration) is not in the document; a line
 * break stands in for it.
 */
export function stepsText(run: Run): string {
  let out = "";
  let end = 0;
  for (const s of run.steps) {
    if (out) out += s.start - end > 1 ? "\n\n" : "\n";
    out += s.text;
    end = s.end;
  }
  return out;
}

/** The headline figure of a prompt: the Brier estimate (never the plug-in), or null without a target or an error to split. */
export function headline(p: PromptAnalysis): number | null {
  return p.brier?.estimate ?? null;
}

/** What the view says beside the headline number (METRICS.md §7): each piece null when there is nothing to say. */
export interface HeadlineModel {
  /** "0.42 [0.31–0.55]" or "0.42 (n = 3: too few reruns for an interval; 8+ recommended)", for titles and screen readers. */
  text: string | null;
  /** The caveat that stands where the interval would (n < 5). */
  caveat: string | null;
  /** "≈ 40 more reruns to get the interval under ±0.05". */
  reruns: string | null;
  /** "majority of 1 / 3 / 5 / 10 reruns: incoherence 0.62 → … , accuracy 40% → …". */
  ensemble: string | null;
  /** "self-consistency would fix this prompt", "a majority vote does not help", … */
  verdict: string | null;
}

export function headlineModel(p: PromptAnalysis): HeadlineModel {
  const b = p.brier;
  if (!b) return { text: null, caveat: null, reruns: null, ensemble: null, verdict: null };
  const text = headlineText({ ...b, caveat: p.caveat }, 3);
  return {
    text,
    caveat: text !== null && !b.ci95 ? p.caveat : null,
    reruns: rerunsText(p.reruns, b.estimate),
    ensemble: ensembleText(p.ensemble),
    verdict: ensembleVerdict(p.ensemble),
  };
}
