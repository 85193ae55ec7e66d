// Alignment of all runs' steps into common columns (METRICS.md §9), equivalence groups within
// each column, per-cell divergence and the fork column.
//
// Method: progressive profile alignment with refinement. The columns built so far are the
// profile; each run in turn is aligned to it by a global dynamic programme (Needleman–Wunsch)
// with free gaps. A step scores high in a column that holds an equivalent step (more for a
// computation than for a line of words, and more for a large group than for one run's
// oddity); a step that is only similar may share a column as another group (which is what
// makes a fork visible), scoring with its similarity; a step with no place opens a new column.
// Then every run is taken out and aligned again against all the others (REFINE_PASSES times),
// so the result does not hinge on which runs came first. Cost per run and pass is
// O(steps × columns): the whole alignment is linear in the number of runs, never all-pairs.
import { MAX_NONEQUIVALENT_SIMILARITY, similarity, type StepFeatures } from "./features";
import type { Cell, Column, PromptAnalysis } from "./types";

/** Groups of a column a step is scored against (the largest ones). */
const TOP_GROUPS = 4;
/** What skipping a column that every run fills costs (less for columns fewer runs fill). */
const SKIP_PENALTY = 0.5;
/** Times every run is re-aligned against all the others after the first pass. */
const REFINE_PASSES = 1;

/** How much an equivalent match is worth: computations carry the reasoning, bare words least. */
function matchWeight(f: StepFeatures): number {
  return f.comps.length > 0 ? 2 : f.numbersKey !== "" ? 1.5 : 1;
}

interface Group {
  rep: StepFeatures;
  count: number;
  firstRun: number;
  /** Similarity of steps (by feature id) to `rep`: the same texts come up run after run. */
  sims: Map<number, number>;
}

interface Col {
  groups: Group[];
  byKey: Map<string, Group>;
  sorted: boolean;
  /** The run's step in this column, by run. */
  entries: Map<number, { step: number; group: Group }>;
}

export interface Alignment {
  columns: Column[];
  forkColumn: number | null;
}

/**
 * Similarities, computed on demand (cheap: a few merges of short sorted arrays). Only the
 * final grouping memoises, per column, where the same pairs come up again and again.
 */
class SimCache {
  get(a: StepFeatures, b: StepFeatures): number {
    return a === b ? 1 : similarity(a, b);
  }
}

function topGroups(col: Col): Group[] {
  if (!col.sorted) {
    col.groups.sort((x, y) => y.count - x.count || x.firstRun - y.firstRun);
    col.sorted = true;
  }
  return col.groups.length <= TOP_GROUPS ? col.groups : col.groups.slice(0, TOP_GROUPS);
}

/** An equivalent match, worth more for an informative step and for a large group. */
function matchScore(f: StepFeatures, g: Group, runs: number): number {
  return matchWeight(f) * (0.75 + (0.25 * g.count) / (runs > 1 ? runs : 1));
}

/** The score of placing step f in column col, with `runs` runs in the profile. */
function score(f: StepFeatures, col: Col, sims: SimCache, runs: number): number {
  const exact = col.byKey.get(f.key);
  if (exact) return matchScore(f, exact, runs);
  // A step that is only similar: alternatives of the same kind (two computations, or two steps
  // of words) at the same place may share a column as different groups, which is what shows a
  // fork; a computation and a line of words are not alternatives and share one only when they
  // have a good deal in common.
  let best = -Infinity;
  for (const g of topGroups(col)) {
    let s = g.sims.get(f.id);
    if (s === undefined) g.sims.set(f.id, (s = sims.get(f, g.rep)));
    if (s === 1) return matchScore(f, g, runs);
    const sameKind = (f.comps.length > 0) === (g.rep.comps.length > 0);
    const v = sameKind ? 0.1 + 0.8 * s : 0.8 * s - 0.1;
    if (v > best) best = v;
  }
  return best;
}

function place(col: Col, run: number, step: number, f: StepFeatures, sims: SimCache): void {
  let g = col.byKey.get(f.key);
  if (!g) {
    for (const cand of col.groups) {
      if (sims.get(f, cand.rep) === 1) {
        g = cand;
        break;
      }
    }
  }
  if (!g) {
    g = { rep: f, count: 0, firstRun: run, sims: new Map() };
    col.groups.push(g);
  }
  if (!col.byKey.has(f.key)) col.byKey.set(f.key, g);
  g.count++;
  col.sorted = false;
  col.entries.set(run, { step, group: g });
}

function newColumn(run: number, step: number, f: StepFeatures, sims: SimCache): Col {
  const col: Col = { groups: [], byKey: new Map(), sorted: true, entries: new Map() };
  place(col, run, step, f, sims);
  return col;
}

const DIAG = 1;
const UP = 2; // the run's step opens a new column
const LEFT = 3; // the run has a gap in this column

/** Takes run r out of the profile; columns left empty are dropped. */
function removeRun(profile: Col[], r: number): Col[] {
  let emptied = false;
  for (const col of profile) {
    const e = col.entries.get(r);
    if (!e) continue;
    col.entries.delete(r);
    const g = e.group;
    g.count--;
    col.sorted = false;
    if (g.count === 0) {
      col.groups.splice(col.groups.indexOf(g), 1);
      for (const [k, v] of col.byKey) if (v === g) col.byKey.delete(k);
    }
    if (col.entries.size === 0) emptied = true;
  }
  return emptied ? profile.filter((c) => c.entries.size > 0) : profile;
}

function alignRun(profile: Col[], run: number, steps: StepFeatures[], sims: SimCache, runs: number): Col[] {
  const L = steps.length;
  const C = profile.length;
  if (L === 0) return profile;
  if (C === 0) return steps.map((f, i) => newColumn(run, i, f, sims));
  const W = C + 1;
  const H = new Float64Array((L + 1) * W);
  const dir = new Uint8Array((L + 1) * W);
  for (let j = 1; j <= C; j++) dir[j] = LEFT;
  // Skipping a column costs in proportion to how many runs fill it: a run that leaves out a
  // step nearly every run takes is unusual, one that leaves out another run's digression is not.
  const skip = new Float64Array(C + 1);
  for (let j = 1; j <= C; j++) skip[j] = (SKIP_PENALTY * profile[j - 1]!.entries.size) / (runs > 1 ? runs : 1);
  for (let j = 1; j <= C; j++) H[j] = H[j - 1]! - skip[j]!;
  for (let i = 1; i <= L; i++) {
    dir[i * W] = UP;
    const f = steps[i - 1]!;
    for (let j = 1; j <= C; j++) {
      const d = H[(i - 1) * W + j - 1]! + score(f, profile[j - 1]!, sims, runs);
      const u = H[(i - 1) * W + j]!;
      const l = H[i * W + j - 1]! - skip[j]!;
      let best = d;
      let how = DIAG;
      if (u > best) {
        best = u;
        how = UP;
      }
      if (l > best) {
        best = l;
        how = LEFT;
      }
      H[i * W + j] = best;
      dir[i * W + j] = how;
    }
  }
  // Trace back, then emit the merged column order front to back.
  const path: number[] = [];
  let i = L;
  let j = C;
  while (i > 0 || j > 0) {
    const how = dir[i * W + j]!;
    path.push(how);
    if (how === DIAG) {
      i--;
      j--;
    } else if (how === UP) i--;
    else j--;
  }
  path.reverse();
  const out: Col[] = [];
  i = 0;
  j = 0;
  for (const how of path) {
    if (how === DIAG) {
      const col = profile[j]!;
      place(col, run, i, steps[i]!, sims);
      out.push(col);
      i++;
      j++;
    } else if (how === UP) {
      out.push(newColumn(run, i, steps[i]!, sims));
      i++;
    } else {
      out.push(profile[j]!);
      j++;
    }
  }
  return out;
}

/**
 * The fork rule. The fork is the first column where the runs that have a step there split into
 * at least two groups that each hold a real share of all n runs (at least max(2, ⌈n/10⌉) runs
 * when n ≥ 4; at least one run when n is 2 or 3) and that differ in substance: different
 * computations, or different numbers stated, or (for steps of words only) different groups.
 * Two groups that state the same thing in other words are rewording, not a fork. Gaps are not
 * a group: a run that skips a step has not chosen a different one. null when no column forks.
 *
 * `substance[c][r]` is the substance key of run r's step in column c (undefined for a gap or a
 * step of words only); without it every group counts as its own substance.
 */
export function forkColumn(columns: Column[], n: number, substance?: (string | undefined)[][]): number | null {
  if (n < 2) return null;
  const share = n >= 4 ? Math.max(2, Math.ceil(n / 10)) : 1;
  for (let c = 0; c < columns.length; c++) {
    const counts = new Map<string, number>();
    for (const cell of columns[c]!.cells) {
      if (cell.group === null) continue;
      const key = substance?.[c]?.[cell.run] ?? `g:${cell.group}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    let big = 0;
    for (const k of counts.values()) if (k >= share) big++;
    if (big >= 2) return c;
  }
  return null;
}

/** Distinct step kinds in a column above which fuzzy regrouping compares with group leaders only. */
const MAX_PAIRWISE = 300;

/**
 * The final groups of a column: the connected components of step equivalence among its cells,
 * so that two steps in different groups are never equivalent (fuzzy equivalence of worded
 * steps is not transitive; components make the grouping independent of arrival order).
 * Groups are numbered by size, largest first (group 0 is the consensus), ties by first run.
 * Divergence = 1 − similarity to the consensus step (the most common step of group 0); a step
 * in another group is never fully similar to it.
 */
function finalGroups(col: Col, runs: StepFeatures[][], n: number, sims: SimCache): Column {
  // distinct steps by equivalence key, in first-run order
  const entries = [...col.entries].map(([run, e]) => ({ run, step: e.step })).sort((a, b) => a.run - b.run);
  const kinds = new Map<string, { f: StepFeatures; count: number; parent: number }>();
  const kindOf: number[] = [];
  const list: { f: StepFeatures; count: number; parent: number }[] = [];
  for (const e of entries) {
    const f = runs[e.run]![e.step]!;
    let k = kinds.get(f.key);
    if (!k) {
      k = { f, count: 0, parent: list.length };
      kinds.set(f.key, k);
      list.push(k);
    }
    k.count++;
    kindOf.push(k.parent);
  }
  const find = (i: number): number => {
    while (list[i]!.parent !== i) i = list[i]!.parent = list[list[i]!.parent]!.parent;
    return i;
  };
  const worded = list.map((k, i) => i).filter((i) => list[i]!.f.comps.length === 0);
  if (worded.length <= MAX_PAIRWISE) {
    for (let a = 0; a < worded.length; a++)
      for (let b = a + 1; b < worded.length; b++) {
        const x = worded[a]!;
        const y = worded[b]!;
        if (find(x) !== find(y) && sims.get(list[x]!.f, list[y]!.f) === 1) list[find(y)]!.parent = find(x);
      }
  } else {
    const leaders: number[] = [];
    for (const i of worded) {
      const l = leaders.find((j) => sims.get(list[i]!.f, list[j]!.f) === 1);
      if (l === undefined) leaders.push(i);
      else list[i]!.parent = l;
    }
  }
  // components: size, first run, and their most common step (the consensus candidate)
  const comps = new Map<number, { count: number; firstRun: number; best: number }>();
  entries.forEach((e, idx) => {
    const root = find(kindOf[idx]!);
    const c = comps.get(root);
    if (!c) comps.set(root, { count: 1, firstRun: e.run, best: kindOf[idx]! });
    else {
      c.count++;
      if (list[kindOf[idx]!]!.count > list[c.best]!.count) c.best = kindOf[idx]!;
    }
  });
  const order = [...comps.entries()].sort((x, y) => y[1].count - x[1].count || x[1].firstRun - y[1].firstRun);
  const number = new Map(order.map(([root], g) => [root, g]));
  const consensus = list[order[0]![1].best]!.f;
  const cells: Cell[] = new Array(n);
  for (let r = 0; r < n; r++) cells[r] = { run: r, step: null, group: null, divergence: 1 };
  entries.forEach((e, idx) => {
    const group = number.get(find(kindOf[idx]!))!;
    const f = runs[e.run]![e.step]!;
    cells[e.run] = { run: e.run, step: e.step, group, divergence: group === 0 ? 0 : 1 - Math.min(MAX_NONEQUIVALENT_SIMILARITY, sims.get(f, consensus)) };
  });
  return { cells, groups: order.length };
}

/** Aligns the runs (each a list of step features, in order) into columns. */
export function align(runs: StepFeatures[][]): Alignment {
  const sims = new SimCache();
  const n = runs.length;
  // The first pass takes the most typical runs first (those whose steps most runs share, and no
  // longer than most), so the profile grows from the common path rather than from whichever run
  // came first, or from a long run that wandered through every route in turn.
  const freq = new Map<string, number>();
  for (const steps of runs) for (const key of new Set(steps.map((f) => f.key))) freq.set(key, (freq.get(key) ?? 0) + 1);
  const lengths = runs.map((steps) => steps.length).sort((a, b) => a - b);
  const median = Math.max(1, lengths[Math.floor(lengths.length / 2)] ?? 1);
  const typicality = runs.map((steps) => steps.reduce((t, f) => t + freq.get(f.key)!, 0) / Math.max(steps.length, median));
  const order = runs.map((_, r) => r).sort((a, b) => typicality[b]! - typicality[a]! || a - b);
  let profile: Col[] = [];
  order.forEach((r, k) => {
    profile = alignRun(profile, r, runs[r]!, sims, k);
  });
  for (let pass = 0; pass < REFINE_PASSES && n > 1; pass++) {
    for (let r = 0; r < n; r++) {
      if (runs[r]!.length === 0) continue;
      profile = alignRun(removeRun(profile, r), r, runs[r]!, sims, n - 1);
    }
  }
  const columns: Column[] = profile.map((col) => finalGroups(col, runs, n, sims));
  const substance = profile.map((col) => {
    const keys: (string | undefined)[] = new Array(n);
    for (const [run, e] of col.entries) keys[run] = runs[run]![e.step]!.substance ?? undefined;
    return keys;
  });
  return { columns, forkColumn: forkColumn(columns, n, substance) };
}

export interface ForkGroups {
  column: number;
  columns: number;
  /** The groups of steps at the fork, largest first (group 0 first), each with one of its steps' text. */
  groups: { group: number; count: number; text: string }[];
  /** Runs without a step at the fork column. */
  gaps: number;
}

/** What the runs do at a prompt's fork column (the table, the exports and the hovers list it); null without a fork. */
export function forkGroups(p: PromptAnalysis): ForkGroups | null {
  if (p.forkColumn === null) return null;
  const col = p.columns[p.forkColumn];
  if (!col) return null;
  const groups = new Map<number, { group: number; count: number; text: string }>();
  let gaps = 0;
  // cells are in run order: the k-th is runs[k]'s (cell.run is its index, which may have gaps)
  col.cells.forEach((cell, k) => {
    if (cell.group === null || cell.step === null) {
      gaps++;
      return;
    }
    const g = groups.get(cell.group);
    if (g) g.count++;
    else groups.set(cell.group, { group: cell.group, count: 1, text: p.runs[k]?.steps[cell.step]?.text ?? "" });
  });
  return { column: p.forkColumn, columns: p.columns.length, groups: [...groups.values()].sort((a, b) => b.count - a.count || a.group - b.group), gaps };
}
