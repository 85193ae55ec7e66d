// Alignment of all runs' steps into common columns (METRICS.md §9), equivalence groups within
// each column, per-cell divergence and the fork column.
//
// Method: progressive profile alignment. The columns built so far are the profile; each run in
// turn is aligned to it by a global dynamic programme (Needleman–Wunsch) whose match score is
// MATCH for a step equivalent to one of the column's groups and 0.1 + 0.8·similarity otherwise,
// with free gaps. Equivalent steps therefore pull runs into the same column even when they sit
// at different positions (a run that skips, inserts or rephrases); unrelated steps at the same
// position share a column as different groups, which is what makes a fork visible; a step with
// no place becomes a new column. Cost per run is O(steps × columns), so the whole alignment is
// linear in the number of runs, never all-pairs.
import { MAX_NONEQUIVALENT_SIMILARITY, similarity, type StepFeatures } from "./features";
import type { Cell, Column } from "./types";

const MATCH = 2;
/** Groups of a column a step is scored against (the largest ones). */
const TOP_GROUPS = 4;

interface Group {
  rep: StepFeatures;
  count: number;
  firstRun: number;
}

interface Col {
  groups: Group[];
  byKey: Map<string, Group>;
  sorted: boolean;
  entries: { run: number; step: number; group: Group }[];
}

export interface Alignment {
  columns: Column[];
  forkColumn: number | null;
}

class SimCache {
  private readonly memo = new Map<number, number>();
  get(a: StepFeatures, b: StepFeatures): number {
    if (a === b) return 1;
    const key = a.id < b.id ? a.id * 67108864 + b.id : b.id * 67108864 + a.id;
    let s = this.memo.get(key);
    if (s === undefined) this.memo.set(key, (s = similarity(a, b)));
    return s;
  }
}

function topGroups(col: Col): Group[] {
  if (!col.sorted) {
    col.groups.sort((x, y) => y.count - x.count || x.firstRun - y.firstRun);
    col.sorted = true;
  }
  return col.groups.length <= TOP_GROUPS ? col.groups : col.groups.slice(0, TOP_GROUPS);
}

function score(f: StepFeatures, col: Col, sims: SimCache): number {
  if (col.byKey.has(f.key)) return MATCH;
  let best = 0;
  for (const g of topGroups(col)) {
    const s = sims.get(f, g.rep);
    if (s === 1) return MATCH;
    if (s > best) best = s;
  }
  return 0.1 + 0.8 * best;
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
    g = { rep: f, count: 0, firstRun: run };
    col.groups.push(g);
  }
  if (!col.byKey.has(f.key)) col.byKey.set(f.key, g);
  g.count++;
  col.sorted = false;
  col.entries.push({ run, step, group: g });
}

function newColumn(run: number, step: number, f: StepFeatures, sims: SimCache): Col {
  const col: Col = { groups: [], byKey: new Map(), sorted: true, entries: [] };
  place(col, run, step, f, sims);
  return col;
}

const DIAG = 1;
const UP = 2; // the run's step opens a new column
const LEFT = 3; // the run has a gap in this column

function alignRun(profile: Col[], run: number, steps: StepFeatures[], sims: SimCache): Col[] {
  const L = steps.length;
  const C = profile.length;
  if (L === 0) return profile;
  if (C === 0) return steps.map((f, i) => newColumn(run, i, f, sims));
  const W = C + 1;
  const H = new Float64Array((L + 1) * W);
  const dir = new Uint8Array((L + 1) * W);
  for (let j = 1; j <= C; j++) dir[j] = LEFT;
  for (let i = 1; i <= L; i++) {
    dir[i * W] = UP;
    const f = steps[i - 1]!;
    for (let j = 1; j <= C; j++) {
      const d = H[(i - 1) * W + j - 1]! + score(f, profile[j - 1]!, sims);
      const u = H[(i - 1) * W + j]!;
      const l = H[i * W + j - 1]!;
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
 * at least two equivalence groups that each hold a real share of all n runs: at least
 * max(2, ⌈n/10⌉) runs when n ≥ 4, at least one run when n is 2 or 3. Gaps are not a group (a
 * run that skips a step has not chosen a different one). null when there is no such column.
 */
export function forkColumn(columns: Column[], n: number): number | null {
  if (n < 2) return null;
  const share = n >= 4 ? Math.max(2, Math.ceil(n / 10)) : 1;
  for (let c = 0; c < columns.length; c++) {
    const counts = new Map<number, number>();
    for (const cell of columns[c]!.cells) if (cell.group !== null) counts.set(cell.group, (counts.get(cell.group) ?? 0) + 1);
    let big = 0;
    for (const k of counts.values()) if (k >= share) big++;
    if (big >= 2) return c;
  }
  return null;
}

/** Aligns the runs (each a list of step features, in order) into columns. */
export function align(runs: StepFeatures[][]): Alignment {
  const sims = new SimCache();
  let profile: Col[] = [];
  runs.forEach((steps, r) => {
    profile = alignRun(profile, r, steps, sims);
  });
  const n = runs.length;
  const columns: Column[] = profile.map((col) => {
    // Group numbers: by size, largest first (group 0 is the consensus), ties by first run.
    const order = [...col.groups].sort((x, y) => y.count - x.count || x.firstRun - y.firstRun);
    const number = new Map(order.map((g, k) => [g, k]));
    // Divergence = 1 − similarity to the consensus step; a step in another group than the
    // consensus is never fully similar to it (even when a fuzzy match would say so).
    const consensus = order[0]!.rep;
    const cells: Cell[] = new Array(n);
    for (let r = 0; r < n; r++) cells[r] = { run: r, step: null, group: null, divergence: 1 };
    for (const e of col.entries) {
      const group = number.get(e.group)!;
      const f = runs[e.run]![e.step]!;
      cells[e.run] = { run: e.run, step: e.step, group, divergence: group === 0 ? 0 : 1 - Math.min(MAX_NONEQUIVALENT_SIMILARITY, sims.get(f, consensus)) };
    }
    return { cells, groups: order.length };
  });
  return { columns, forkColumn: forkColumn(columns, n) };
}
