// The simulated reasoner's natural-language mode: word problems worked in the prose a chat model
// writes (GSM8K-style), with the computation path of every run known. It is the test set for
// content-aware alignment (METRICS.md §9): runs that compute the same thing word it many ways
// (`$80,000 + $50,000 = $130,000`, `so the total is 80000+50000=130000`, "Subtracting 3 from
// 16 leaves 13"), pad it with filler ("Let's break it down") worded differently, sometimes put
// two computations on one line; and some runs take another path (a wrong operation, a misread
// number, a skipped step, an arithmetic slip) from a known computation on. Each line of each run
// records which of its path's computations it carries, so a fork can be scored against the
// first computation where the paths differ (scoreForks).
import { forkShare } from "../core/align";
import { mulberry32, type Rng } from "../core/bootstrap";
import { apply as applyOp } from "./arithmetic";
import type { PromptAnalysis, PromptRecord } from "../core/types";

type Op = "+" | "-" | "*" | "/";

/** One computation of a path: a op b = r (r is what the run states, right or wrong). */
export interface Computation {
  a: number;
  op: Op;
  b: number;
  r: number;
}

/** What a generated line carries: the indices (in its run's path) of its computations; none for filler. */
export interface LineTruth {
  start: number;
  end: number;
  comps: number[];
  filler: boolean;
}

export interface NaturalRun {
  path: number;
  text: string;
  lines: LineTruth[];
}

export interface NaturalPrompt {
  record: PromptRecord;
  /** The distinct computation paths (path 0 is the right one). */
  paths: Computation[][];
  runs: NaturalRun[];
}

interface Story {
  noun: string;
  money: boolean;
  start: (x: string) => string[];
  verbs: Record<Op, string[]>;
}

const STORIES: Story[] = [
  {
    noun: "eggs",
    money: false,
    start: (x) => [`Janet's ducks lay ${x} eggs per day.`, `She starts with ${x} eggs each day.`, `We know Janet has ${x} eggs.`],
    verbs: { "-": ["eats", "uses", "gives away"], "+": ["collects", "buys"], "*": ["multiplies by"], "/": ["shares among"] },
  },
  {
    noun: "dollars",
    money: true,
    start: (x) => [`The house costs ${x}.`, `The starting price is ${x}.`, `He begins with ${x}.`],
    verbs: { "-": ["spends", "pays"], "+": ["adds", "earns"], "*": ["multiplies"], "/": ["splits"] },
  },
  {
    noun: "pages",
    money: false,
    start: (x) => [`The book has ${x} pages.`, `There are ${x} pages in total.`, `Lisa starts with ${x} pages to read.`],
    verbs: { "-": ["reads"], "+": ["adds"], "*": ["doubles"], "/": ["divides"] },
  },
  {
    noun: "apples",
    money: false,
    start: (x) => [`The farmer picks ${x} apples.`, `He has ${x} apples at first.`, `Start: ${x} apples.`],
    verbs: { "-": ["sells", "drops"], "+": ["picks"], "*": ["packs"], "/": ["puts into"] },
  },
];

const OPENERS = [
  "Let's break it down.",
  "Let's break this down step by step.",
  "Okay, let's solve this step by step.",
  "To solve this, we need to work through the problem one step at a time.",
  "Let me think about this carefully.",
  "Sure! Let's work it out.",
  "Here's how to solve it:",
  "We can solve this problem step by step.",
];

const TRANSITIONS = [
  "Next, we need to find out what is left.",
  "Now let's calculate the next part.",
  "Let's figure out the remaining amount.",
  "Then we move on to the next step.",
  "Now we can work out the rest.",
  "Next, let's see what happens after that.",
  "Let's keep going.",
  "Now, let's put it together.",
];

const CLOSERS = ["So that's the whole calculation.", "That completes the problem.", "Let me double-check: that looks right."];

function fmtPlain(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Math.round(x * 100) / 100);
}

/** A number as a run writes it: money with $ (and usually thousands separators), else plain. */
function fmt(x: number, money: boolean, rng: Rng): string {
  const plain = fmtPlain(x);
  if (!money) return plain;
  const sep = rng() < 0.7 ? plain.replace(/\B(?=(\d{3})+(?!\d))/g, ",") : plain;
  return rng() < 0.8 ? "$" + sep : sep;
}

function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

/** The operands are never zero divisors here (a divisor is 2). */
const apply = (op: Op, a: number, b: number): number => applyOp(op, a, b)!;

/** The computation written one of the ways chat models write it. */
function wordComputation(c: Computation, s: Story, rng: Rng): string {
  const A = fmt(c.a, s.money, rng);
  const B = fmt(c.b, s.money, rng);
  const R = fmt(c.r, s.money, rng);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const sym = c.op === "*" ? pick(["*", "×", "x"]) : c.op === "/" ? pick(["/", "÷"]) : c.op === "-" ? pick(["-", "-", "−"]) : "+";
  const word = { "+": pick(["plus"]), "-": pick(["minus"]), "*": pick(["times", "multiplied by"]), "/": pick(["divided by"]) }[c.op];
  const noun = s.money ? "" : " " + s.noun;
  const forms = [
    () => `${A} ${sym} ${B} = ${R}`,
    () => {
      const who = pick(["she", "he", "we"]);
      const verb = pick(["has", "gets", "ends up with"]);
      // the same two draws as ever (the seeded sets stay the same), in agreement with "we"
      return `So ${who} ${who === "we" ? { has: "have", gets: "get", "ends up with": "end up with" }[verb] : verb} ${A} ${sym} ${B} = ${R}${noun}.`;
    },
    () => `${A} ${word} ${B} is ${R}${noun}.`,
    () => `**${A} ${sym} ${B} = ${R}**`,
    () => `That gives ${R}${noun} (${A} ${sym} ${B}).`,
    () => `${pick(["Total", "Remaining", "Result", "Now"])}: ${A} ${sym} ${B} = ${R}${noun}`,
    () => `${pick(["Then", "After that,", "Next,"])} ${pick(["she", "he"])} ${pick(s.verbs[c.op])} ${B}, so ${A} ${sym} ${B} = ${R}.`,
    ...(c.op === "-" ? [() => `Subtracting ${B} from ${A} leaves ${R}${noun}.`, () => `${A} take away ${B} leaves ${R}.`] : []),
    ...(c.op === "+" ? [() => `Adding ${B} to ${A} gives ${R}${noun}.`] : []),
  ];
  return pick(forms)();
}

/** The right path for a chain of operations, and wrong paths departing from it at a known computation. */
function paths(start: number, ops: { op: Op; b: number }[], rng: Rng, wrong: number): Computation[][] {
  const run = (steps: { op: Op; b: number }[], slipAt = -1, slip = 0): Computation[] => {
    const out: Computation[] = [];
    let a = start;
    steps.forEach((s, i) => {
      const r = apply(s.op, a, s.b) + (i === slipAt ? slip : 0);
      out.push({ a, op: s.op, b: s.b, r });
      a = r;
    });
    return out;
  };
  const right = run(ops);
  const out = [right];
  const used = new Set<number>();
  for (let w = 0; w < wrong; w++) {
    let at = Math.floor(rng() * ops.length);
    for (let t = 0; t < 5 && used.has(at); t++) at = Math.floor(rng() * ops.length);
    used.add(at);
    const kind = Math.floor(rng() * 4);
    const steps = ops.map((o) => ({ ...o }));
    if (kind === 0) steps[at] = { op: steps[at]!.op === "-" ? "+" : steps[at]!.op === "+" ? "-" : steps[at]!.op === "*" ? "+" : "*", b: steps[at]!.b };
    else if (kind === 1) steps[at] = { op: steps[at]!.op, b: steps[at]!.b + (steps[at]!.b > 100 ? 1000 : 1) };
    if (kind === 2 && ops.length > 2) {
      steps.splice(at, 1);
      out.push(run(steps));
    } else if (kind === 3 || kind === 2) {
      out.push(run(steps, at, steps[at]!.op === "*" ? 10 : 1));
    } else out.push(run(steps));
  }
  return out;
}

/** The first index where two paths compute different things (null when they are the same). */
function firstDifference(p: Computation[], q: Computation[]): number | null {
  for (let i = 0; i < Math.max(p.length, q.length); i++) {
    const a = p[i];
    const b = q[i];
    if (!a || !b || a.a !== b.a || a.op !== b.op || a.b !== b.b || a.r !== b.r) return i;
  }
  return null;
}

function chain(rng: Rng, story: Story): { start: number; ops: { op: Op; b: number }[] } {
  const big = story.money ? 1000 * (10 + Math.floor(rng() * 90)) : 10 + Math.floor(rng() * 40);
  const k = 3 + Math.floor(rng() * 3);
  const ops: { op: Op; b: number }[] = [];
  let v = big;
  for (let i = 0; i < k; i++) {
    const roll = rng();
    let op: Op;
    let b: number;
    if (roll < 0.4 && v > 4) {
      op = "-";
      b = Math.max(1, Math.floor(v * (0.1 + rng() * 0.4)));
      if (story.money) b = Math.round(b / 1000) * 1000 || 1000;
    } else if (roll < 0.7) {
      op = "+";
      b = story.money ? 1000 * (5 + Math.floor(rng() * 60)) : 2 + Math.floor(rng() * 20);
    } else if (roll < 0.9 || v % 2 !== 0) {
      op = "*";
      b = 2 + Math.floor(rng() * 4);
    } else {
      op = "/";
      b = 2;
    }
    ops.push({ op, b });
    v = apply(op, v, b);
  }
  return { start: big, ops };
}

export interface NaturalOptions {
  prompts: number;
  runs: number;
  seed: number;
  /** Share of prompts whose runs all take the right path (no fork expected). */
  agreeing?: number;
}

/** A seeded set of natural-language word problems and reruns with known computation paths. */
export function naturalLanguageSet(o: NaturalOptions): NaturalPrompt[] {
  const rng = mulberry32(o.seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const out: NaturalPrompt[] = [];
  for (let p = 0; p < o.prompts; p++) {
    const story = STORIES[p % STORIES.length]!;
    const { start, ops } = chain(rng, story);
    const agree = rng() < (o.agreeing ?? 0.2);
    const ps = paths(start, ops, rng, agree ? 0 : 1 + (rng() < 0.35 ? 1 : 0));
    const rightShare = 0.35 + rng() * 0.4;
    const runs: NaturalRun[] = [];
    for (let r = 0; r < o.runs; r++) {
      const path = ps.length === 1 || rng() < rightShare ? 0 : 1 + Math.floor(rng() * (ps.length - 1));
      const comps = ps[path]!;
      const lines: { text: string; comps: number[]; filler: boolean }[] = [];
      const nOpen = Math.floor(rng() * 3);
      for (let i = 0; i < nOpen; i++) lines.push({ text: pick(OPENERS), comps: [], filler: true });
      if (rng() < 0.6) lines.push({ text: pick(story.start(fmt(start, story.money, rng))), comps: [], filler: false });
      for (let i = 0; i < comps.length; i++) {
        if (i > 0 && rng() < 0.35) lines.push({ text: pick(TRANSITIONS), comps: [], filler: true });
        const prefix = rng() < 0.25 ? `${i + 1}. ` : rng() < 0.1 ? "- " : rng() < 0.08 ? `Step ${i + 1}: ` : "";
        if (i + 1 < comps.length && rng() < 0.12) {
          // two computations on one line
          lines.push({ text: `${prefix}${wordComputation(comps[i]!, story, rng).replace(/\.$/, "")}, and then ${lowerFirst(wordComputation(comps[i + 1]!, story, rng))}`, comps: [i, i + 1], filler: false });
          i++;
        } else lines.push({ text: prefix + wordComputation(comps[i]!, story, rng), comps: [i], filler: false });
      }
      if (rng() < 0.3) lines.push({ text: pick(CLOSERS), comps: [], filler: true });
      const answer = fmt(comps[comps.length - 1]!.r, story.money, rng);
      lines.push({ text: pick([`The answer is ${answer}.`, `#### ${answer}`, `Answer: ${answer}`, `Therefore, the final answer is ${answer}.`]), comps: [], filler: false });
      let text = "";
      const truth: LineTruth[] = [];
      for (const l of lines) {
        if (text) text += rng() < 0.3 ? "\n\n" : "\n";
        truth.push({ start: text.length, end: text.length + l.text.length, comps: l.comps, filler: l.filler });
        text += l.text;
      }
      runs.push({ path, text, lines: truth });
    }
    const right = ps[0]!;
    const record: PromptRecord = {
      id: `nl-${p}`,
      prompt: `A ${story.noun} word problem (${ops.length} steps). Think step by step.`,
      reference: fmtPlain(right[right.length - 1]!.r),
      samples: runs.map((r) => ({ text: r.text })),
    };
    out.push({ record, paths: ps, runs });
  }
  return out;
}

export interface ForkScore {
  /** Prompts whose runs (with a real share each) take paths that compute different things. */
  differing: number;
  /** Of those, prompts whose fork column holds a run's first differing computation. */
  onFirstDifference: number;
  /** Of those, prompts with no fork at all. */
  noFork: number;
  /** Prompts (any) whose fork column holds only filler steps (and gaps). */
  fillerForks: number;
  /** Prompts whose runs all compute the same, yet with a fork. */
  falseForks: number;
  /** Prompts whose runs all compute the same. */
  agreeing: number;
  prompts: number;
}


/**
 * Scores the analysis of a natural-language set against the known paths. The truth for a prompt
 * is, per run, the index of the first computation where its path differs from another path held
 * by a real share of the runs; the fork is right when its column holds, for some run, the line
 * carrying that computation.
 */
export function scoreForks(set: NaturalPrompt[], analyses: PromptAnalysis[]): ForkScore {
  const s: ForkScore = { differing: 0, onFirstDifference: 0, noFork: 0, fillerForks: 0, falseForks: 0, agreeing: 0, prompts: set.length };
  set.forEach((np, i) => {
    const a = analyses[i]!;
    const counts = new Map<number, number>();
    for (const r of np.runs) counts.set(r.path, (counts.get(r.path) ?? 0) + 1);
    const held = [...counts].filter(([, c]) => c >= forkShare(np.runs.length)).map(([p]) => p);
    const firstDiff = new Map<number, number>();
    for (const p of held)
      for (const q of held) {
        if (p === q) continue;
        const d = firstDifference(np.paths[p]!, np.paths[q]!);
        if (d !== null) firstDiff.set(p, Math.min(firstDiff.get(p) ?? Infinity, d));
      }
    const linesOf = (run: number, step: number | null): LineTruth | undefined => {
      if (step === null) return undefined;
      const st = a.runs[run]!.steps[step]!;
      return np.runs[run]!.lines.find((l) => st.start < l.end && l.start < st.end);
    };
    const fc = a.forkColumn;
    if (fc !== null) {
      const cells = a.columns[fc]!.cells.map((c) => linesOf(c.run, c.step)).filter((l): l is LineTruth => l !== undefined);
      if (cells.length > 0 && cells.every((l) => l.filler)) s.fillerForks++;
    }
    if (firstDiff.size === 0) {
      s.agreeing++;
      if (fc !== null) s.falseForks++;
      return;
    }
    s.differing++;
    if (fc === null) {
      s.noFork++;
      return;
    }
    const hit = a.columns[fc]!.cells.some((c) => {
      const j = firstDiff.get(np.runs[c.run]!.path);
      const l = linesOf(c.run, c.step);
      return j !== undefined && l !== undefined && l.comps.includes(j);
    });
    if (hit) s.onFirstDifference++;
  });
  return s;
}
