// What the view derives from one prompt of the document, without recomputing any metric: the
// order of the runs, which column holds each step, the colour slot of each answer class, and
// the run's text put back together from its steps. Pure: no DOM.
import type { PromptAnalysis, Run } from "../src/core/types";

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
  return { p, runPos, stepColumn, classSlot, gaps };
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

/** The headline figure of a prompt: Brier incoherence, or null without a target. */
export function headline(p: PromptAnalysis): number | null {
  return p.brier?.incoherence ?? null;
}
