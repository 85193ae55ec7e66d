// The deciding steps (issue "why do the reruns disagree"): for each answer class, where its runs'
// path leaves the path it is compared with, with the two steps side by side — "3 runs: 16 − 3 −
// 4 = 9; 2 runs: 16 − 3 = 13, then stop" — and the run that shows it best. Read from a prompt's
// analysis (its classes, runs and aligned columns); pure and computed on demand by the view,
// the hover and the Markdown export.
//
// - Each class is compared with the reference class when there is a reference (the reference
//   class itself with the largest other class), else with the largest class (the largest with
//   the second): a majority that is wrong does not make the right runs "the divergent ones".
// - A side's path at a column is the group most of its runs' steps are in there (a gap when most
//   of its runs have no step). The deciding column is the first where the two paths differ and at
//   least one side says something with content there: a computation, a number, a tool call, or
//   words that are not filler ("Let's break it down.").
// - A side with no step at the deciding column (its own different computation was aligned into
//   another column: "no step here" told nothing) shows what it does instead: the first column at
//   or after the deciding one where its path computes something the other side's path does not
//   (anywhere). "5 runs: 860 × 2 = 1720 apples; 2 runs: 860 ÷ 2 = 430 apples".
// - "then stop": after the deciding column the class's runs have no step of their own; a side
//   with no step there and nothing of its own after it, in text that computes, computes nothing
//   more: "no further step".
// - The representative run is the class's run whose steps are most often on the class's path.
import { sameContent } from "./align";
import { FeatureSpace } from "./features";
import type { PromptAnalysis, Run, Step } from "./types";

export interface DecidingSide {
  /** How many runs are on this side (the class's, or the class compared with). */
  runs: number;
  /**
   * The step on this side's path at the deciding column, else (no step there) its own computation
   * nearest after it that the other side does not make; null: neither.
   */
  step: string | null;
  /** The column of `step` (the deciding column, or the later one its own computation is in); null with no step. */
  column: number | null;
  /** This side's runs have no step after the deciding column. */
  stops: boolean;
}

export interface DecidingClass {
  /** Index into the prompt's `answers`. */
  cls: number;
  /** The class it is compared with (index into `answers`). */
  against: number;
  /** The run indices of the class. */
  runs: number[];
  /** The deciding column; null when no column with content separates the two paths. */
  column: number | null;
  self: DecidingSide;
  other: DecidingSide;
  /** The class's run that keeps to its path most (its `index`). */
  representative: number;
  /** One line: "3 runs: 16 − 3 − 4 = 9; 2 runs: 16 − 3 = 13, then stop". */
  summary: string;
}

const FILLER = /^(?:(?:so|ok(?:ay)?|well|now|first|next|then|finally|therefore|thus|hence|alright|great|sure)[,:!]?\s*)*(?:let'?s|let us|we (?:need|can|will|have) to|i (?:will|need to|can))\b.{0,60}$|^(?:step \d+|answer|solution|reasoning|therefore|so|thus)[:.]?$/i;

/** A line that gives the run's final answer ("Answer: 59", "The answer is 59.", "#### 59"). */
const FINAL_ANSWER = /^\s*(?:#{4}\s|\**(?:final )?answer\b|.{0,40}\b(?:final )?answer (?:is|:))/i;

/** Whether a step says something: a computation, a number, a tool call, or words that are not filler. */
export function hasContent(step: Pick<Step, "text" | "kind">): boolean {
  if (step.kind === "tool_call" || step.kind === "tool_result" || step.kind === "user") return true;
  // a list's numbering ("Step 2:", "3.") is not a number the step states
  const t = step.text.trim().replace(/^(?:step\s*\d+\s*[:.)-]?|\d+[.)])\s*/i, "");
  if (t === "") return false;
  if (/\d/.test(t) || /[=+×÷*/^<>≤≥−-]\s*\S/.test(t)) return true;
  const words = t.split(/\s+/).filter((w) => /\p{L}/u.test(w));
  if (words.length < 3) return false;
  return !FILLER.test(t.replace(/[.!…]+$/, ""));
}

const cut = (t: string, n = 80) => {
  const s = t.replace(/\s+/g, " ").trim();
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
};
const runsWord = (n: number) => `${n} run${n === 1 ? "" : "s"}`;

/** A step as the block shows it: without its list numbering ("3.", "- ", "Step 2:") and bold markers. */
export function shownStep(text: string): string {
  return text.replace(/^\s*(?:step\s*\d+\s*[:.)-]|\d+[.)]|[-*•])\s+/i, "").replace(/\*\*(.+?)\*\*/g, "$1").trim() || text;
}

/**
 * One side in words, as every view says it: "3 runs: 16 − 3 − 4 = 9", "2 runs: 16 − 3 = 13, then
 * stop", "2 runs: no further step" (nothing of its own after the deciding column), "no step here"
 * (no step of its own found). `code` formats a step's text (a view's code span, a cut).
 */
export function sideWords(side: DecidingSide, code: (text: string) => string = (t) => t): string {
  const what = side.step !== null ? `${code(shownStep(side.step))}${side.stops ? ", then stop" : ""}` : side.stops ? "no further step" : "no step here";
  return `${runsWord(side.runs)}: ${what}`;
}

/** The deciding steps of a prompt's largest classes (up to `max`), largest first. */
export function decidingSteps(p: PromptAnalysis, max = 4): DecidingClass[] {
  if (p.answers.length < 2 || p.columns.length === 0) return [];
  const byClass = new Map<number, number[]>(); // class → positions in p.runs
  p.runs.forEach((r, i) => {
    const list = byClass.get(r.answerClass) ?? [];
    list.push(i);
    byClass.set(r.answerClass, list);
  });
  const classes = [...byClass.keys()].sort((a, b) => byClass.get(b)!.length - byClass.get(a)!.length || a - b);
  if (classes.length < 2) return [];
  const ref = p.answers.findIndex((a) => a.reference);
  const refHasRuns = ref >= 0 && byClass.has(ref);

  // Content as the fork sees it (align.ts contentFork): in text that computes or states numbers
  // anywhere, a step of words only is filler; in prose alone, words that are not filler count.
  const space = new FeatureSpace();
  const prose = !p.agent && p.runs.every((r) => r.steps.every((s) => space.features(s.text).substance === null));
  const contentful = (s: Step): boolean => (p.agent || prose ? hasContent(s) : space.features(s.text).substance !== null);
  /** A step one side takes where the other has none counts when it computes (a number said in passing is no step of the path). */
  const computes = (text: string): boolean => p.agent !== undefined || prose || space.features(text).comps.length > 0;

  /**
   * Whether two steps say the same (align.ts sameContent), except that a run's final answer is
   * the same as a computation only when it is the computation's result: "Answer: 13" restates
   * 16 − 3 = 13; "Answer: 59" does not restate 59 − 25 = 34 (its runs stop before it).
   */
  const sameSay = (x: string, y: string): boolean => {
    const fx = space.features(x);
    const fy = space.features(y);
    if (!sameContent(fx, fy)) return false;
    if (fx.kind !== 0 || fy.kind !== 0 || (fx.comps.length > 0) === (fy.comps.length > 0)) return true;
    const [c, n, nText] = fx.comps.length > 0 ? [fx, fy, y] : [fy, fx, x];
    if (!FINAL_ANSWER.test(nText)) return true;
    const results = new Set(c.comps.map((k) => k.slice(k.lastIndexOf("=") + 1)));
    return n.numbersKey.split(" ").some((v) => results.has(v));
  };
  /** The group most of `pos`'s runs are in at column c (null: most have no step there), and a step text on it. */
  const pathAt = (pos: number[], c: number): { group: number | null; text: string | null; content: boolean } => {
    const cells = p.columns[c]!.cells;
    // steps without content (filler, however worded) are no step of the path; a step a third of
    // the runs take is on it (runs word and pad the same path differently: a restatement some
    // make and others not is no difference)
    const counts = new Map<number, number>();
    let present = 0;
    for (const k of pos) {
      const cell = cells[k];
      if (!cell || cell.group === null || cell.step === null) continue;
      if (!contentful(p.runs[k]!.steps[cell.step]!)) continue;
      present++;
      counts.set(cell.group, (counts.get(cell.group) ?? 0) + 1);
    }
    if (present === 0 || 3 * present < pos.length) return { group: null, text: null, content: false };
    let group = -1;
    let best = -1;
    for (const [g, n] of counts) if (n > best || (n === best && g < group)) [group, best] = [g, n];
    const k = pos.find((x) => cells[x]?.group === group && contentful(p.runs[x]!.steps[cells[x]!.step!]!))!;
    const step = p.runs[k]!.steps[cells[k]!.step!]!;
    return { group, text: step.text, content: true };
  };
  /**
   * `pos`'s own computation at or after column `from`: the first column where its path computes
   * something `vs`'s path computes nowhere (the same computation in another column is shared).
   */
  const ownStep = (pos: number[], vs: number[], from: number): { text: string; column: number } | null => {
    for (let c = from; c < p.columns.length; c++) {
      const t = computing(pos, c);
      if (t !== null && !madeBy(t, vs)) return { text: t, column: c };
    }
    return null;
  };
  /** The step with content on `pos`'s path at column c when it computes (null: none). */
  const computing = (pos: number[], c: number): string | null => {
    const t = pathAt(pos, c).text;
    return t !== null && computes(t) ? t : null;
  };
  /**
   * Whether `vs`'s path computes `t` anywhere: a third of its runs have a step that computes it,
   * wherever the alignment put it (a number said in passing, "The answer is 9.", shares no
   * computation).
   */
  const madeBy = (t: string, vs: number[]): boolean => {
    const ft = p.agent ? null : space.features(t);
    const made = vs.filter((k) => p.runs[k]!.steps.some((st) => computes(st.text) && (ft === null ? st.text === t : sameContent(ft, space.features(st.text))))).length;
    return 3 * made >= vs.length && made > 0;
  };
  const stopsAfter = (pos: number[], c: number) => pos.every((k) => p.columns.slice(c + 1).every((col) => col.cells[k]?.step === null || col.cells[k]?.step === undefined));

  const out: DecidingClass[] = [];
  for (const cls of classes.slice(0, max)) {
    const against = refHasRuns ? (cls === ref ? classes.find((c) => c !== ref)! : ref) : cls === classes[0] ? classes[1]! : classes[0]!;
    const self = byClass.get(cls)!;
    const other = byClass.get(against)!;
    let column: number | null = null;
    let a: ReturnType<typeof pathAt> | null = null;
    let b: ReturnType<typeof pathAt> | null = null;
    for (let c = 0; c < p.columns.length; c++) {
      const x = pathAt(self, c);
      const y = pathAt(other, c);
      if (x.group === y.group) continue;
      if (!x.content && !y.content) continue;
      if (x.text === null && !computes(y.text!)) continue;
      if (y.text === null && !computes(x.text!)) continue;
      // the same computation or numbers in other groups (worded or split otherwise) is no difference
      if (!p.agent && x.text !== null && y.text !== null && sameSay(x.text, y.text)) continue;
      [column, a, b] = [c, x, y];
      break;
    }
    // the representative: most steps on the class's path
    let representative = p.runs[self[0]!]!.index;
    let bestOn = -1;
    for (const k of self) {
      let on = 0;
      for (let c = 0; c < p.columns.length; c++) if (p.columns[c]!.cells[k]?.group !== null && p.columns[c]!.cells[k]?.group === pathAt(self, c).group) on++;
      if (on > bestOn) [bestOn, representative] = [on, p.runs[k]!.index];
    }
    /** A side, and whether it stops where the other goes on (its last computation is shown, then stop). */
    const sideOf = (pos: number[], vs: number[], at: ReturnType<typeof pathAt> | null, vsAt: ReturnType<typeof pathAt> | null): [DecidingSide, boolean] => {
      if (column === null) return [{ runs: pos.length, step: null, column: null, stops: false }, false];
      const stops = stopsAfter(pos, column);
      // in text that computes, a statement ("Answer: 59") against the other side's computation is
      // no step of its own here either
      const plain = p.agent !== undefined || prose;
      if (at?.text && (plain || computes(at.text) || !vsAt?.text || !computes(vsAt.text))) return [{ runs: pos.length, step: at.text, column, stops }, false];
      // no step of its own here: what it does instead, nearby
      const own = stops ? null : ownStep(pos, vs, column);
      if (own) return [{ runs: pos.length, step: own.text, column: own.column, stops: stopsAfter(pos, own.column) }, false];
      if (!stops && plain) return [{ runs: pos.length, step: null, column: null, stops: false }, false];
      // its path computes nothing after it the other's does not: it stops where the other goes
      // on; its last computation, then stop ("2 runs: 16 − 3 = 13, then stop")
      for (let c = p.columns.length - 1; c >= 0; c--) {
        const t = computing(pos, c);
        if (t !== null) return [{ runs: pos.length, step: t, column: c, stops: true }, true];
      }
      return [{ runs: pos.length, step: null, column: null, stops: true }, true];
    };
    const sideS = sideOf(self, other, a, b);
    const sideO = sideOf(other, self, b, a);
    let [s, o] = [sideS[0], sideO[0]];
    const [sStopped, oStopped] = [sideS[1], sideO[1]];
    // a side that stops where the other goes on: the other's step is what it goes on to, not a
    // computation both make that the alignment put elsewhere
    // (it goes on past where the other stops: its own "then stop" would read as the same)
    const goesOn = (side: DecidingSide, pos: number[], vs: number[]): DecidingSide => {
      if (column === null || side.step === null || !madeBy(side.step, vs)) return { ...side, stops: false };
      const own = ownStep(pos, vs, column);
      return { ...(own ? { runs: pos.length, step: own.text, column: own.column } : side), stops: false };
    };
    if (sStopped && !oStopped) o = goesOn(o, other, self);
    else if (oStopped && !sStopped) s = goesOn(s, self, other);
    else if (!sStopped && !oStopped && !p.agent && !prose) {
      // a side whose step there is one the other side makes too (the alignment put the other's
      // own computation beside it) shows its own: "7 runs: 14000 − 4000 = 10000; 3 runs: 14000 −
      // 4000 = 10001", not the shared first step beside the other's slip
      const own = (side: DecidingSide, pos: number[], vs: number[], against: DecidingSide): DecidingSide => {
        if (side.step === null || against.step === null || !madeBy(side.step, vs) || madeBy(against.step, pos)) return side;
        const found = ownStep(pos, vs, column!) ?? ownStep(pos, vs, 0);
        return found ? { runs: pos.length, step: found.text, column: found.column, stops: stopsAfter(pos, found.column) } : side;
      };
      [s, o] = [own(s, self, other, o), own(o, other, self, s)];
    }
    const words = (side: DecidingSide) => sideWords(side, cut);
    const summary = column === null ? `${runsWord(self.length)}: the same steps as the ${runsWord(other.length)} compared, to the end; only the answer differs` : `${words(s)}; ${words(o)}`;
    out.push({ cls, against, runs: self.map((k) => p.runs[k]!.index), column, self: s, other: o, representative, summary });
  }
  return out;
}

/** Whether divergence in this prompt is read against a reference class's path (else the majority's). */
export function decidedAgainstReference(p: Pick<PromptAnalysis, "answers" | "runs">): boolean {
  return decidingBasis(p) === "reference";
}

/**
 * What "why the runs disagree" is measured against, for every face to say it the same way: the
 * reference class's path ("reference"); the largest class's when there is a reference but no run
 * reached it ("unreached": every class is wrong) or when there is none ("none": the majority is not
 * known to be right).
 */
export function decidingBasis(p: Pick<PromptAnalysis, "answers" | "runs">): "reference" | "unreached" | "none" {
  const ref = p.answers.findIndex((a) => a.reference);
  if (ref < 0) return "none";
  return p.runs.some((r: Run) => r.answerClass === ref) ? "reference" : "unreached";
}
