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
// so the result does not hinge on which runs came first.
//
// Cost: linear in the runs. The profile gains columns as runs add their own oddities (a few
// hundred for long traces), so filling the whole steps × columns table for every run made the
// alignment grow with the square of the runs (2,000 runs of 80 steps: 70 s). Instead, the run's
// steps whose key a column already holds (found through an index of keys, not by a scan) are
// anchors; the heaviest chain of anchors in order fixes where the run goes, and the programme
// fills only a band of BAND columns either side of that path, plus everything between two
// anchors (where a run does something of its own). What a step scores in a column it is only
// similar to is remembered per column (the same texts come up run after run); groups stay in
// order as their counts move by one instead of being sorted again, and a new step of words is
// compared only with the groups stating the same numbers (the only ones it can be equivalent to).
// A column of a large set holds hundreds of one-run groups: sorting and scanning them on every
// touch was the other quadratic part.
import { MAX_NONEQUIVALENT_SIMILARITY, similarity, TRAJECTORY_KIND_NUMBER, type StepFeatures } from "./features";
import type { Cell, Column, PromptAnalysis } from "./types";

/** Groups of a column a step is scored against (the largest ones). */
const TOP_GROUPS = 4;
/** What skipping a column that every run fills costs (less for columns fewer runs fill). */
const SKIP_PENALTY = 0.5;
/** Times every run is re-aligned against all the others after the first pass. */
const REFINE_PASSES = 1;
/** Columns either side of the anchored path the programme still considers. */
const BAND = 8;
/** A step whose key is in more columns than this (a filler said anywhere) anchors nothing. */
const MAX_ANCHOR_COLUMNS = 8;

/** How much an equivalent match is worth: computations carry the reasoning, bare words least. */
function matchWeight(f: StepFeatures): number {
  // a tool call (METRICS.md §11) is what a trajectory does: as informative as a computation
  return f.comps.length > 0 || f.tool !== 0 ? 2 : f.numbersKey !== "" ? 1.5 : 1;
}

interface Group {
  /** A number of its own in the profile (the memo of `similar` names groups by it). */
  id: number;
  rep: StepFeatures;
  /** The alignment's feature number of rep. */
  repFid: number;
  count: number;
  firstRun: number;
  /** The key numbers of the steps in this group (what to take out of the column's index when it empties). */
  keys: number[];
}

interface Col {
  /** Largest first, ties by the earliest run; kept in that order as counts move by one (`reorder`). */
  groups: Group[];
  /** Groups by the alignment's key number of the steps they hold. */
  byKey: Map<number, Group>;
  /** Runs with a step in this column. */
  size: number;
  /** Index in the profile (set before each run is aligned). */
  pos: number;
  /** Changes whenever the set of the first TOP_GROUPS groups changes (not their order among themselves). */
  version: number;
  /** A number of its own, for the memo of `similar`. */
  id: number;
  /** The groups of steps of words by the numbers they state: only these can be equivalent to a new step of words. */
  worded: Map<string, Group[]>;
}

/**
 * What steps (by the alignment's feature number) score in columns (by id) that do not hold their
 * key, each as of its column's version: one table of typed arrays. Reading it is the inner loop
 * of the alignment; a Map of objects per column was several times slower. One table serves
 * every alignment in turn (`begin` starts a new one: entries of an earlier generation count as
 * empty), so a set of a thousand small prompts allocates no table per prompt.
 *
 * Two layouts. A small alignment (features × the column ids it can create ≤ DENSE_LIMIT) reads
 * slot column·features + feature directly; a large one uses open addressing on a hash of the
 * pair. Direct slots halve the cost of the lookup, which is made some 4,000 times per prompt
 * of 30 short runs.
 */
const DENSE_LIMIT = 1 << 18;
class Memo {
  /** Generation of the entry; another generation's entry is an empty slot. */
  gens = new Int32Array(1024);
  cols = new Int32Array(1024);
  fids = new Int32Array(1024);
  versions = new Int32Array(1024);
  values = new Float64Array(1024);
  /** The id + 1 of the one largest group the step is equivalent to; 0 for none; −1 for several (then the order decides). */
  matches = new Int32Array(1024);
  private gen = 0;
  private size = 0;
  private shift = 32 - 10;
  /** Features per column in the direct layout; 0 in the hashed one. */
  private width = 0;
  /**
   * Similarities of pairs of features (by number), when features² ≤ DENSE_LIMIT: a column's
   * largest groups change as runs come and go, and the same step is compared with the same
   * representative again (on 999 small prompts, 4.2 million comparisons of 840,000 pairs).
   */
  private pairGens = new Int32Array(0);
  private pairValues = new Float64Array(0);
  private features = 0;

  /**
   * Starts an alignment of `features` distinct features that can create up to `columnIds`
   * columns: every entry so far is forgotten.
   */
  begin(features: number, columnIds: number): void {
    this.gen++;
    this.size = 0;
    this.width = features * columnIds <= DENSE_LIMIT ? Math.max(1, features) : 0;
    if (this.width > 0) this.ensure(features * columnIds);
    this.features = features * features <= DENSE_LIMIT ? features : 0;
    if (this.pairGens.length < this.features * this.features) {
      this.pairGens = new Int32Array(DENSE_LIMIT);
      this.pairValues = new Float64Array(DENSE_LIMIT);
    }
  }

  /**
   * Step f's (feature number fid) similarity to the representatives of groups[0..top − 1], to
   * out[0..top − 1], remembered per pair (written, not returned: see `similar`).
   */
  similarities(f: StepFeatures, fid: number, groups: Group[], top: number, out: Float64Array): void {
    const F = this.features;
    for (let k = 0; k < top; k++) {
      const g = groups[k]!;
      if (f === g.rep) out[k] = 1;
      else if (F === 0) out[k] = similarity(f, g.rep);
      else {
        const at = fid * F + g.repFid;
        if (this.pairGens[at] !== this.gen) {
          this.pairGens[at] = this.gen;
          this.pairValues[at] = similarity(f, g.rep);
        }
        out[k] = this.pairValues[at]!;
      }
    }
  }

  /** The slot of (column, feature): its entry of this generation, or the free slot where it would go. */
  slot(cid: number, fid: number): number {
    if (this.width > 0) return cid * this.width + fid;
    const mask = this.cols.length - 1;
    const gen = this.gen;
    let h = Math.imul((cid + 1) ^ Math.imul(fid + 1, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
    while (this.gens[h] === gen && (this.cols[h] !== cid || this.fids[h] !== fid)) h = (h + 1) & mask;
    return h;
  }

  /** Whether slot h holds (this generation's) entry. */
  has(h: number): boolean {
    return this.gens[h] === this.gen;
  }

  /**
   * The slot of (column, feature) as of `version`, with its match; the caller writes the value
   * to values[slot] (a number passed to a call that is not inlined is a heap object, and this
   * is called a million times on a large set).
   */
  put(cid: number, fid: number, version: number, match: number): number {
    if (this.width === 0 && 2 * (this.size + 1) > this.cols.length) this.grow();
    const h = this.slot(cid, fid);
    if (this.gens[h] !== this.gen) {
      this.gens[h] = this.gen;
      this.cols[h] = cid;
      this.fids[h] = fid;
      this.size++;
    }
    this.versions[h] = version;
    this.matches[h] = match;
    return h;
  }

  /** Room for `cells` direct slots (a power of two, so the hashed layout can use the arrays too). */
  private ensure(cells: number): void {
    if (this.cols.length >= cells) return;
    let cap = this.cols.length;
    while (cap < cells) cap *= 2;
    this.resize(cap);
  }

  /** New, empty arrays of `cap` slots (entries of this generation are dropped: only at `begin`). */
  private resize(cap: number): void {
    this.gens = new Int32Array(cap);
    this.cols = new Int32Array(cap);
    this.fids = new Int32Array(cap);
    this.versions = new Int32Array(cap);
    this.values = new Float64Array(cap);
    this.matches = new Int32Array(cap);
    this.shift = 32 - Math.log2(cap);
  }

  private grow(): void {
    const { gens, cols, fids, versions, values, matches } = this;
    this.resize(2 * cols.length);
    for (let k = 0; k < cols.length; k++) {
      if (gens[k] !== this.gen) continue;
      const h = this.slot(cols[k]!, fids[k]!);
      this.gens[h] = this.gen;
      this.cols[h] = cols[k]!;
      this.fids[h] = fids[k]!;
      this.versions[h] = versions[k]!;
      this.values[h] = values[k]!;
      this.matches[h] = matches[k]!;
    }
  }
}

export interface Alignment {
  columns: Column[];
  forkColumn: number | null;
}

/** A run's steps with the alignment's small numbers for their keys and their features. */
interface RunSteps {
  steps: StepFeatures[];
  keys: Int32Array;
  fids: Int32Array;
}

/** Whether group a comes before group b: larger, or as large and from an earlier run. */
function before(a: Group, b: Group): boolean {
  return a.count > b.count || (a.count === b.count && a.firstRun < b.firstRun);
}

/** Where g belongs in the ordered groups (g itself not among them). */
function slot(groups: Group[], g: Group): number {
  let lo = 0;
  let hi = groups.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(groups[mid]!, g)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Moves g (whose count just changed by one, or which is new: then at the end) to its place,
 * shifting only the groups it passes (usually none); a group left empty goes. The column's
 * version moves when the set of its largest groups changes: a group enters or leaves them.
 */
function reorder(col: Col, g: Group, oldIndex: number, added: boolean): void {
  const groups = col.groups;
  let at = oldIndex;
  if (g.count === 0) groups.splice(oldIndex, 1);
  else {
    while (at > 0 && before(g, groups[at - 1]!)) {
      groups[at] = groups[at - 1]!;
      at--;
    }
    while (at + 1 < groups.length && before(groups[at + 1]!, g)) {
      groups[at] = groups[at + 1]!;
      at++;
    }
    groups[at] = g;
  }
  const wasTop = !added && oldIndex < TOP_GROUPS;
  const isTop = g.count > 0 && at < TOP_GROUPS;
  if (wasTop !== isTop) col.version++;
}

/** g's index in the ordered groups, found by its count and first run. */
function indexOf(groups: Group[], g: Group): number {
  for (let k = slot(groups, g); k < groups.length; k++) if (groups[k] === g) return k;
  return groups.indexOf(g);
}

/** Step f's similarity to a group's representative (cheap: a few merges of short sorted arrays). */
function simTo(g: Group, f: StepFeatures): number {
  return f === g.rep ? 1 : similarity(f, g.rep);
}

/** An equivalent match, worth more for an informative step and for a large group. */
function matchScore(f: StepFeatures, g: Group, runs: number): number {
  return matchWeight(f) * (0.75 + (0.25 * g.count) / (runs > 1 ? runs : 1));
}

/**
 * How step f (feature number fid) scores in column col when its key is not there: as a match
 * when it is equivalent to one of the largest groups; otherwise by its similarity. Alternatives
 * of the same kind (two computations, or two steps of words) at the same place may share a
 * column as different groups, which is what shows a fork; a computation and a line of words are
 * not alternatives and share one only when they have a good deal in common. Remembered per
 * column while its largest groups stay the same: the same texts come up run after run, and a
 * run is scored against a band of some 20 columns per step. The score goes to out[j], not back
 * as a value: a number returned from a call is a heap object, and this is called millions of
 * times (a third of what aligning a thousand small prompts allocated).
 */
const SIMS = new Float64Array(TOP_GROUPS);
function similar(memo: Memo, f: StepFeatures, fid: number, col: Col, runs: number, out: Float64Array, j: number): void {
  const groups = col.groups;
  const top = groups.length < TOP_GROUPS ? groups.length : TOP_GROUPS;
  const h = memo.slot(col.id, fid);
  if (memo.has(h) && memo.versions[h] === col.version) {
    const m = memo.matches[h]!;
    if (m === 0) {
      out[j] = memo.values[h]!;
      return;
    }
    for (let k = 0; m > 0 && k < top; k++)
      if (groups[k]!.id === m - 1) {
        out[j] = matchWeight(f) * (0.75 + (0.25 * groups[k]!.count) / (runs > 1 ? runs : 1)); // matchScore
        return;
      }
  }
  // the best similarity over the largest groups, or a match with the first of them f is equivalent to
  let match: Group | null = null;
  let matches = 0;
  let best = -Infinity;
  const sims = SIMS;
  memo.similarities(f, fid, groups, top, sims);
  for (let k = 0; k < top; k++) {
    const g = groups[k]!;
    const s = sims[k]!;
    if (s === 1) {
      if (matches++ === 0) match = g;
      continue;
    }
    // a trajectory's steps of different kinds (a tool result and a reply) never share a column:
    // their score is below skipping a column and opening one (segmented text is all kind 0)
    const sameKind = (f.comps.length > 0) === (g.rep.comps.length > 0);
    const v = f.kind !== g.rep.kind ? -1 : sameKind ? 0.1 + 0.8 * s : 0.8 * s - 0.1;
    if (v > best) best = v;
  }
  // the value over the set does not depend on the groups' order; which match comes first does
  memo.values[memo.put(col.id, fid, col.version, matches === 0 ? 0 : matches === 1 ? match!.id + 1 : -1)] = best;
  out[j] = match ? matchWeight(f) * (0.75 + (0.25 * match.count) / (runs > 1 ? runs : 1)) : best; // matchScore
}

/**
 * The group of col that step f is equivalent to, when its key is not there already: the first
 * in the column's order. Steps with computations are equivalent only by key, and steps of words
 * only when they state the same numbers (features.ts `equivalent`), so only those are compared.
 */
function equivalentGroup(col: Col, f: StepFeatures): Group | undefined {
  if (f.comps.length > 0 || f.tool !== 0) return undefined; // equivalent by key only
  let found: Group | undefined;
  const same = col.worded.get(f.numbersKey);
  if (same === undefined) return undefined;
  for (const g of same) if ((found === undefined || before(g, found)) && simTo(g, f) === 1) found = g;
  return found;
}

const DIAG = 1;
const UP = 2; // the run's step opens a new column
const LEFT = 3; // the run has a gap in this column

/**
 * Typed buffers reused from run to run and from alignment to alignment (a run's table is filled
 * and read before the next; alignment is synchronous, so one runs at a time): no allocation per
 * run or per prompt.
 */
class Buffers {
  h = new Float64Array(1024);
  dir = new Uint8Array(1024);
  skip = new Float64Array(256);
  fenValue = new Float64Array(256);
  fenFrom = new Int32Array(256);
  exact = new Int32Array(256);
  /** What the current step scores in column j (1-based). */
  score = new Float64Array(256);
  lo = new Int32Array(64);
  hi = new Int32Array(64);
  start = new Int32Array(64);
  /** The anchors of the run being aligned: step (1-based) and column (1-based), in order. */
  anchorStep = new Int32Array(64);
  anchorCol = new Int32Array(64);
  /** Candidate anchor pairs: step, column, chain value, previous pair. */
  pi = new Int32Array(256);
  pc = new Int32Array(256);
  pv = new Float64Array(256);
  back = new Int32Array(256);
  /** Room for L steps (rows 0..L) and L anchors; the anchors already written are kept. */
  rows(L: number): void {
    if (this.start.length < L + 2) {
      const size = Math.max(L + 2, 2 * this.start.length);
      this.lo = new Int32Array(size);
      this.hi = new Int32Array(size);
      this.start = new Int32Array(size);
      const step = new Int32Array(size);
      const col = new Int32Array(size);
      step.set(this.anchorStep.subarray(0, Math.min(size, this.anchorStep.length)));
      col.set(this.anchorCol.subarray(0, Math.min(size, this.anchorCol.length)));
      this.anchorStep = step;
      this.anchorCol = col;
    }
  }
  /** The moves of a traced-back path, last first. */
  moves = new Uint8Array(256);
  path(moves: number): void {
    if (this.moves.length < moves) this.moves = new Uint8Array(Math.max(moves, 2 * this.moves.length));
  }
  pairs(p: number): void {
    if (this.pi.length < p) {
      const size = Math.max(p, 2 * this.pi.length);
      this.pi = new Int32Array(size);
      this.pc = new Int32Array(size);
      this.pv = new Float64Array(size);
      this.back = new Int32Array(size);
    }
  }
  table(cells: number): void {
    if (this.h.length < cells) {
      const size = Math.max(cells, 2 * this.h.length);
      this.h = new Float64Array(size);
      this.dir = new Uint8Array(size);
    }
  }
  columns(c: number): void {
    if (this.skip.length < c + 1) {
      const size = Math.max(c + 1, 2 * this.skip.length);
      this.skip = new Float64Array(size);
      this.fenValue = new Float64Array(size);
      this.fenFrom = new Int32Array(size);
      this.exact = new Int32Array(size);
      this.score = new Float64Array(size);
    }
  }
}

const SCRATCH = new Buffers();
const MEMO = new Memo();

/** The profile: its columns in order, which columns hold each key, and each run's columns. */
class Profile {
  cols: Col[] = [];
  /**
   * Columns holding a group with that key, in the order they took it (the anchors of a run are
   * found here, not by a scan). Arrays, not Sets: a key is in a column or two, and iterating a
   * Set builds an iterator, once per step of every run aligned.
   */
  readonly where = new Map<number, Col[]>();
  /** The column of each step of run r, and its group there. */
  readonly runCols: Col[][];
  readonly runGroups: Group[][];
  readonly buf = SCRATCH;
  readonly memo = MEMO;
  private columnIds = 0;
  private groupIds = 0;
  /** n runs, of `features` distinct step features and `steps` steps in all. */
  constructor(n: number, features: number, steps: number) {
    this.runCols = Array.from({ length: n }, () => []);
    this.runGroups = Array.from({ length: n }, () => []);
    // every column is opened by placing a step, once per pass at most
    this.memo.begin(features, steps * (1 + REFINE_PASSES));
  }

  private index(key: number, col: Col): void {
    const cols = this.where.get(key);
    if (!cols) this.where.set(key, [col]);
    else if (!cols.includes(col)) cols.push(col);
  }

  private unindex(key: number, col: Col): void {
    const cols = this.where.get(key);
    if (!cols) return;
    const at = cols.indexOf(col);
    if (at >= 0) cols.splice(at, 1);
    if (cols.length === 0) this.where.delete(key);
  }

  place(col: Col, run: number, step: number, rs: RunSteps): void {
    const f = rs.steps[step]!;
    const key = rs.keys[step]!;
    let g = col.byKey.get(key) ?? equivalentGroup(col, f);
    const added = !g;
    let at: number;
    if (!g) {
      g = { id: this.groupIds++, rep: f, repFid: rs.fids[step]!, count: 0, firstRun: run, keys: [] };
      at = col.groups.length;
      col.groups.push(g);
      if (f.comps.length === 0) {
        const same = col.worded.get(f.numbersKey);
        if (same) same.push(g);
        else col.worded.set(f.numbersKey, [g]);
      }
    } else at = indexOf(col.groups, g);
    if (!col.byKey.has(key)) {
      col.byKey.set(key, g);
      g.keys.push(key);
      this.index(key, col);
    }
    g.count++;
    reorder(col, g, at, added);
    col.size++;
    // (alignRun made these arrays as long as the run)
    this.runCols[run]![step] = col;
    this.runGroups[run]![step] = g;
  }

  newColumn(run: number, step: number, rs: RunSteps): Col {
    const col: Col = { groups: [], byKey: new Map(), size: 0, pos: -1, version: 0, id: this.columnIds++, worded: new Map() };
    this.place(col, run, step, rs);
    return col;
  }

  /** Takes run r out of the profile; columns left empty are dropped. */
  removeRun(r: number): void {
    let emptied = false;
    const groups = this.runGroups[r]!;
    this.runCols[r]!.forEach((col, i) => {
      const g = groups[i]!;
      col.size--;
      const at = indexOf(col.groups, g);
      g.count--;
      reorder(col, g, at, false);
      if (g.count === 0) {
        for (const k of g.keys) {
          col.byKey.delete(k);
          this.unindex(k, col);
        }
        const same = g.rep.comps.length === 0 ? col.worded.get(g.rep.numbersKey) : undefined;
        if (same) {
          same.splice(same.indexOf(g), 1);
          if (same.length === 0) col.worded.delete(g.rep.numbersKey);
        }
      }
      if (col.size === 0) emptied = true;
    });
    this.runCols[r] = [];
    this.runGroups[r] = [];
    if (emptied) this.cols = this.cols.filter((c) => c.size > 0);
  }

  /** Each column's steps as (run, step) pairs, in run order, for the final grouping. */
  members(): Map<Col, number[]> {
    const out = new Map<Col, number[]>(this.cols.map((c) => [c, []]));
    this.runCols.forEach((cols, run) => cols.forEach((col, step) => out.get(col)!.push(run, step)));
    return out;
  }

  /**
   * The heaviest chain of anchors in order: pairs (step i, column c), 1-based, where the step's
   * key is already in the column, strictly increasing in both, weighted by the match score.
   * Written to the buffers' anchorStep and anchorCol, in order; returns how many. A Fenwick
   * tree of prefix maxima over the columns makes it O(pairs × log columns).
   */
  anchors(rs: RunSteps, runs: number): number {
    const C = this.cols.length;
    const L = rs.steps.length;
    const buf = this.buf;
    buf.columns(C);
    buf.pairs(L * MAX_ANCHOR_COLUMNS);
    const value = buf.fenValue;
    const from = buf.fenFrom;
    value.fill(0, 0, C + 1);
    from.fill(-1, 0, C + 1);
    const { pi, pc, pv, back } = buf;
    let pairs = 0;
    let best = -1;
    for (let i = 1; i <= L; i++) {
      const holders = this.where.get(rs.keys[i - 1]!);
      if (!holders || holders.length > MAX_ANCHOR_COLUMNS) continue;
      const first = pairs;
      for (let h = 0; h < holders.length; h++) {
        const col = holders[h]!;
        const c = col.pos + 1;
        // best chain ending in a column before c (all from earlier steps: this step's own pairs are added after)
        let v = 0;
        let prev = -1;
        for (let x = c - 1; x > 0; x -= x & -x)
          if (value[x]! > v) {
            v = value[x]!;
            prev = from[x]!;
          }
        pi[pairs] = i;
        pc[pairs] = c;
        pv[pairs] = v + matchScore(rs.steps[i - 1]!, col.byKey.get(rs.keys[i - 1]!)!, runs);
        back[pairs++] = prev;
      }
      for (let k = first; k < pairs; k++) {
        for (let x = pc[k]!; x <= C; x += x & -x)
          if (pv[k]! > value[x]!) {
            value[x] = pv[k]!;
            from[x] = k;
          }
        if (best < 0 || pv[k]! > pv[best]!) best = k;
      }
    }
    let count = 0;
    for (let k = best; k >= 0; k = back[k]!) count++;
    buf.rows(count);
    const { anchorStep, anchorCol } = buf;
    for (let k = best, at = count - 1; k >= 0; k = back[k]!, at--) {
      anchorStep[at] = pi[k]!;
      anchorCol[at] = pc[k]!;
    }
    return count;
  }

  /** Aligns run r (its steps in rs) to the profile, `runs` runs being in it, and adds it. */
  alignRun(r: number, rs: RunSteps, runs: number): void {
    const L = rs.steps.length;
    if (L === 0) return;
    this.runCols[r] = new Array<Col>(L);
    this.runGroups[r] = new Array<Group>(L);
    const cols = this.cols;
    const C = cols.length;
    if (C === 0) {
      this.cols = rs.steps.map((_, i) => this.newColumn(r, i, rs));
      return;
    }
    for (let k = 0; k < C; k++) cols[k]!.pos = k;
    // The window of columns row i (after i steps) may be at: from the last anchor at or before
    // it to just before the next one, widened by BAND either side.
    const anchors = this.anchors(rs, runs);
    const buf = this.buf;
    buf.rows(L);
    const { lo, hi, start, anchorStep: as, anchorCol: ac } = buf;
    start[0] = 0;
    for (let i = 0, k = 0; i <= L; i++) {
      while (k < anchors && as[k]! <= i) k++;
      const after = k > 0 ? ac[k - 1]! : 0;
      const before = k < anchors ? ac[k]! - 1 : C;
      lo[i] = after - BAND > 0 ? after - BAND : 0;
      hi[i] = before + BAND < C ? before + BAND : C;
      start[i + 1] = start[i]! + hi[i]! - lo[i]! + 1;
    }
    buf.table(start[L + 1]!);
    buf.columns(C);
    const H = buf.h;
    const dir = buf.dir;
    // Skipping a column costs in proportion to how many runs fill it: a run that leaves out a
    // step nearly every run takes is unusual, one that leaves out another run's digression is not.
    const skip = buf.skip;
    const per = SKIP_PENALTY / (runs > 1 ? runs : 1);
    for (let j = 1; j <= C; j++) skip[j] = per * cols[j - 1]!.size;
    H[0] = 0;
    for (let j = 1; j <= hi[0]!; j++) {
      H[j] = H[j - 1]! - skip[j]!;
      dir[j] = LEFT;
    }
    // exact[j] === i: column j holds step i's key (from the index: no lookup per cell)
    const exact = buf.exact;
    const score = buf.score;
    const memo = this.memo;
    exact.fill(0, 0, C + 1);
    for (let i = 1; i <= L; i++) {
      const f = rs.steps[i - 1]!;
      const key = rs.keys[i - 1]!;
      const fid = rs.fids[i - 1]!;
      const holders = this.where.get(key);
      if (holders) for (let h = 0; h < holders.length; h++) exact[holders[h]!.pos + 1] = i;
      const lp = lo[i - 1]!;
      const hp = hi[i - 1]!;
      const sp = start[i - 1]! - lp; // H[sp + j] is row i − 1, column j
      const lr = lo[i]!;
      const sr = start[i]! - lr;
      // what step i scores in each column a diagonal move can reach, first
      const d0 = lr > lp + 1 ? lr : lp + 1 > 1 ? lp + 1 : 1;
      const d1 = hi[i]! < hp + 1 ? hi[i]! : hp + 1;
      for (let j = d0; j <= d1; j++) {
        const col = cols[j - 1]!;
        if (exact[j] === i) score[j] = matchWeight(f) * (0.75 + (0.25 * col.byKey.get(key)!.count) / (runs > 1 ? runs : 1)); // matchScore
        else similar(memo, f, fid, col, runs, score, j);
      }
      for (let j = lr; j <= hi[i]!; j++) {
        let best = -Infinity;
        let how = UP;
        if (j >= d0 && j <= d1) {
          best = H[sp + j - 1]! + score[j]!;
          how = DIAG;
        }
        if (j >= lp && j <= hp) {
          const u = H[sp + j]!;
          if (u > best || how !== DIAG) {
            best = u;
            how = UP;
          }
        }
        if (j > lr) {
          const l = H[sr + j - 1]! - skip[j]!;
          if (l > best) {
            best = l;
            how = LEFT;
          }
        }
        H[sr + j] = best;
        dir[sr + j] = how;
      }
    }
    // Trace back, then emit the merged column order front to back.
    buf.path(L + C);
    const path = buf.moves;
    let moves = 0;
    let i = L;
    let j = C;
    while (i > 0 || j > 0) {
      const how = i === 0 ? LEFT : dir[start[i]! - lo[i]! + j]!;
      path[moves++] = how;
      if (how === DIAG) {
        i--;
        j--;
      } else if (how === UP) i--;
      else j--;
    }
    // each move emits one column
    const out: Col[] = new Array<Col>(moves);
    let o = 0;
    i = 0;
    j = 0;
    for (let m = moves - 1; m >= 0; m--) {
      const how = path[m]!;
      if (how === DIAG) {
        const col = cols[j]!;
        this.place(col, r, i, rs);
        out[o++] = col;
        i++;
        j++;
      } else if (how === UP) {
        out[o++] = this.newColumn(r, i, rs);
        i++;
      } else {
        out[o++] = cols[j]!;
        j++;
      }
    }
    this.cols = out;
  }
}

/** How many runs a part needs to make a fork: a real share of n (max(2, ⌈n/10⌉) when n ≥ 4, else one). */
export function forkShare(n: number): number {
  return n >= 4 ? Math.max(2, Math.ceil(n / 10)) : 1;
}

/** The fork by the columns' groups alone (no step features: every group its own content); see contentFork. */
export function forkColumn(columns: Column[], n: number): number | null {
  return contentFork(columns, n, [], false);
}

/** Similarities for the final grouping, computed on demand (cheap: a few merges of short sorted arrays). */
class SimCache {
  get(a: StepFeatures, b: StepFeatures): number {
    return a === b ? 1 : similarity(a, b);
  }
}

/** Distinct steps of words stating the same numbers in a column above which fuzzy regrouping compares with group leaders only. */
const MAX_PAIRWISE = 300;

/**
 * The final groups of a column: the connected components of step equivalence among its cells,
 * so that two steps in different groups are never equivalent (fuzzy equivalence of worded
 * steps is not transitive; components make the grouping independent of arrival order).
 * Groups are numbered by size, largest first (group 0 is the consensus), ties by first run.
 * Divergence = 1 − similarity to the consensus step (the most common step of group 0); a step
 * in another group is never fully similar to it.
 */
function finalGroups(members: number[], runs: StepFeatures[][], gaps: readonly Cell[], sims: SimCache): Column {
  // distinct steps by equivalence key, in first-run order (members holds run, step pairs); kinds
  // and components are numbered and kept in arrays: this runs once per column of every prompt
  const cellCount = members.length >> 1;
  const kinds = new Map<string, number>();
  const kindF: StepFeatures[] = [];
  const kindCount: number[] = [];
  const parent: number[] = [];
  const kindOf = new Int32Array(cellCount);
  for (let e = 0; e < cellCount; e++) {
    const f = runs[members[2 * e]!]![members[2 * e + 1]!]!;
    let k = kinds.get(f.key);
    if (k === undefined) {
      k = kindF.length;
      kinds.set(f.key, k);
      kindF.push(f);
      kindCount.push(0);
      parent.push(k);
    }
    kindCount[k]!++;
    kindOf[e] = k;
  }
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  // Steps of words are equivalent only when they state the same numbers: they are compared
  // within those buckets only (in first-run order), pairwise, or with group leaders past MAX_PAIRWISE.
  const buckets = new Map<string, number[]>();
  for (let i = 0; i < kindF.length; i++) {
    const f = kindF[i]!;
    if (f.comps.length > 0 || f.tool !== 0) continue; // equivalent by key only
    const b = buckets.get(f.numbersKey);
    if (b) b.push(i);
    else buckets.set(f.numbersKey, [i]);
  }
  for (const worded of buckets.values()) {
    if (worded.length === 1) continue;
    if (worded.length <= MAX_PAIRWISE) {
      for (let a = 0; a < worded.length; a++)
        for (let b = a + 1; b < worded.length; b++) {
          const x = worded[a]!;
          const y = worded[b]!;
          if (find(x) !== find(y) && sims.get(kindF[x]!, kindF[y]!) === 1) parent[find(y)] = find(x);
        }
    } else {
      const leaders: number[] = [];
      for (const i of worded) {
        const l = leaders.find((j) => sims.get(kindF[i]!, kindF[j]!) === 1);
        if (l === undefined) leaders.push(i);
        else parent[i] = l;
      }
    }
  }
  // components (by root kind, in order of first cell): size, first run, and their most common step (the consensus candidate)
  const K = kindF.length;
  const compCount = new Int32Array(K);
  const compFirst = new Int32Array(K);
  const compBest = new Int32Array(K);
  const roots: number[] = [];
  for (let e = 0; e < cellCount; e++) {
    const kind = kindOf[e]!;
    const root = find(kind);
    if (compCount[root] === 0) {
      roots.push(root);
      compFirst[root] = members[2 * e]!;
      compBest[root] = kind;
    } else if (kindCount[kind]! > kindCount[compBest[root]!]!) compBest[root] = kind;
    compCount[root]!++;
  }
  roots.sort((x, y) => compCount[y]! - compCount[x]! || compFirst[x]! - compFirst[y]!);
  const groupOf = new Int32Array(K);
  roots.forEach((root, g) => (groupOf[root] = g));
  const consensus = kindF[compBest[roots[0]!]!]!;
  const cells: Cell[] = gaps.slice();
  for (let e = 0; e < cellCount; e++) {
    const run = members[2 * e]!;
    const step = members[2 * e + 1]!;
    const group = groupOf[find(kindOf[e]!)]!;
    const f = runs[run]![step]!;
    cells[run] = { run, step, group, divergence: group === 0 ? 0 : 1 - Math.min(MAX_NONEQUIVALENT_SIMILARITY, sims.get(f, consensus)) };
  }
  return { cells, groups: roots.length };
}

/** The alignment's own small numbers for the steps' keys and features (numbered here: the features may come from several spaces). */
function numberRuns(runs: StepFeatures[][]): RunSteps[] {
  const keyNo = new Map<string, number>();
  const featureNo = new Map<StepFeatures, number>();
  return runs.map((steps) => {
    const keys = new Int32Array(steps.length);
    const fids = new Int32Array(steps.length);
    steps.forEach((f, i) => {
      let k = keyNo.get(f.key);
      if (k === undefined) keyNo.set(f.key, (k = keyNo.size));
      let id = featureNo.get(f);
      if (id === undefined) featureNo.set(f, (id = featureNo.size));
      keys[i] = k;
      fids[i] = id;
    });
    return { steps, keys, fids };
  });
}

/** How many runs have each key (by key number) at least once. */
function runsWithKey(numbered: RunSteps[]): Int32Array {
  let keys = 0;
  for (const rs of numbered) for (const k of rs.keys) if (k >= keys) keys = k + 1;
  const freq = new Int32Array(keys);
  const seen = new Int32Array(keys); // run number + 1 that last counted the key
  numbered.forEach(({ keys: ks }, r) => {
    for (const k of ks)
      if (seen[k] !== r + 1) {
        seen[k] = r + 1;
        freq[k]!++;
      }
  });
  return freq;
}

/** Aligns the runs (each a list of step features, in order) into columns. */
export function align(runs: StepFeatures[][]): Alignment {
  const sims = new SimCache();
  const n = runs.length;
  const numbered = numberRuns(runs);
  // The first pass takes the most typical runs first (those whose steps most runs share, and no
  // longer than most), so the profile grows from the common path rather than from whichever run
  // came first, or from a long run that wandered through every route in turn.
  const freq = runsWithKey(numbered);
  const lengths = runs.map((steps) => steps.length).sort((a, b) => a - b);
  const median = Math.max(1, lengths[Math.floor(lengths.length / 2)] ?? 1);
  const typicality = numbered.map(({ keys }) => keys.reduce((t, k) => t + freq[k]!, 0) / Math.max(keys.length, median));
  const order = runs.map((_, r) => r).sort((a, b) => typicality[b]! - typicality[a]! || a - b);
  let steps = 0;
  for (const r of runs) steps += r.length;
  let features = 0;
  for (const rs of numbered) for (const id of rs.fids) if (id >= features) features = id + 1;
  const profile = new Profile(n, features, steps);
  order.forEach((r, k) => profile.alignRun(r, numbered[r]!, k));
  for (let pass = 0; pass < REFINE_PASSES && n > 1; pass++) {
    for (let r = 0; r < n; r++) {
      if (runs[r]!.length === 0) continue;
      profile.removeRun(r);
      profile.alignRun(r, numbered[r]!, n - 1);
    }
  }
  const members = profile.members();
  // A run's gap cell is one object, frozen, shared by every column it skips: in a large set most
  // cells are gaps (a 50 MB set had three million of them), and a cell is never changed.
  const gaps = runs.map((_, run): Cell => Object.freeze({ run, step: null, group: null, divergence: 1 }));
  const columns: Column[] = profile.cols.map((col) => finalGroups(members.get(col)!, runs, gaps, sims));
  // what each step establishes, where the fork rule looks: columns of two groups or more
  const contents = profile.cols.map((col) => {
    const feats: (StepFeatures | undefined)[] = new Array(n);
    const m = members.get(col)!;
    for (let k = 0; k < m.length; k += 2) feats[m[k]!] = runs[m[k]!]![m[k + 1]!]!;
    return feats;
  });
  // wording decides a fork only when no step of any run computes, states a number or calls a tool
  let anySubstance = false;
  for (const r of runs) for (const f of r) if (f.substance !== null) anySubstance = true;
  // filler is no divergence: a step of words only where the consensus step is words only too
  // (two ways to say "let's begin" differ in nothing), in text where some run says something
  if (anySubstance)
    columns.forEach((col, j) => {
      if (col.groups < 2) return;
      const feats = contents[j]!;
      const consensus = col.cells.find((c) => c.group === 0 && feats[c.run]!.substance === null && c.divergence === 0);
      if (!consensus || feats.some((f, r) => f !== undefined && col.cells[r]!.group === 0 && f.substance !== null)) return;
      for (const cell of col.cells) if (cell.group !== null && cell.group !== 0 && feats[cell.run]!.substance === null) cell.divergence = 0;
    });
  return { columns, forkColumn: contentFork(columns, n, contents, anySubstance) };
}

/** Whether sorted id set a is a subset of sorted id set b. */
function subset(a: Int32Array, b: Int32Array): boolean {
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    while (j < b.length && b[j]! < a[i]!) j++;
    if (j >= b.length || b[j] !== a[i]) return false;
  }
  return true;
}

/** Whether two sorted id sets share an id. */
function intersects(a: Int32Array, b: Int32Array): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) return true;
    if (a[i]! < b[j]!) i++;
    else j++;
  }
  return false;
}

/**
 * Whether two steps of segmented text (at the same place in two runs) establish the same thing:
 * they share a computation (a line that does two computations agrees with a line doing one of
 * them); or one computes what the other only states (all the stated numbers are the
 * computation's operands and result: "41 eggs after adding 3 to 38" and "38 + 3 = 41"); or they
 * state the same numbers, one a part of the other's ("She starts with 38 eggs", "38 eggs, 3 eaten").
 */
export function sameContent(a: StepFeatures, b: StepFeatures): boolean {
  if (a.space === b.space ? a.keyId === b.keyId : a.key === b.key) return true;
  if (a.kind !== 0 || b.kind !== 0) {
    if (a.substance === null || b.substance === null) return false;
    if (a.substance === b.substance) return true;
    // a trajectory's text steps (textcontent.ts): the same acts, and what one names is all named
    // by the other ("could you give me your user id?" and "… your user id for reservation ZFA04Y?")
    if (a.acts === null || b.acts === null || a.kind !== b.kind || a.acts !== b.acts || a.space !== b.space) return false;
    return subset(a.entityIds, b.entityIds) || subset(b.entityIds, a.entityIds);
  }
  const ca = a.comps.length > 0;
  const cb = b.comps.length > 0;
  if (ca && cb) return a.space === b.space ? intersects(a.compIds, b.compIds) : a.comps.some((c) => b.comps.includes(c));
  if (a.space !== b.space) return a.substance === b.substance;
  if (ca) return b.numberIds.length > 0 && subset(b.numberIds, a.numberIds);
  if (cb) return a.numberIds.length > 0 && subset(a.numberIds, b.numberIds);
  return subset(a.numberIds, b.numberIds) || subset(b.numberIds, a.numberIds);
}

/**
 * A step of words only: segmented text, or a trajectory's text step (reply, user turn,
 * reasoning), that computes nothing, states no number and, in a trajectory, names nothing and
 * does none of textcontent.ts's acts ("Thank you! Have a great day."). A tool's result is never
 * one: it is what the environment said.
 */
function wordsOnly(f: StepFeatures): boolean {
  return f.substance === null && f.tool === 0 && f.kind !== TRAJECTORY_KIND_NUMBER.tool_result;
}

/**
 * The fork rule on content (METRICS.md §9). The fork is the first column where the runs that
 * have a step there split into at least two parts that each hold a real share of all n runs (at
 * least max(2, ⌈n/10⌉) runs when n ≥ 4; at least one run when n is 2 or 3) and that establish
 * different things. Runs are in one part when their steps are linked by `sameContent` (directly
 * or through others): the same computation in other words, or split over two lines, is one
 * part. A step of words only (no computation, no number: "Let's break it down") never decides
 * a fork when any step of any run has content: filler worded two ways is not a fork. Only when
 * no run computes, states a number or calls a tool (a prompt answered in prose alone) do the
 * columns' groups of words decide. Steps of an agent trajectory compare by their substance (the
 * same call, the same numbers in a tool's result; a text step's acts and entities, textcontent.ts,
 * its words alone never a fork either). Gaps are not a part: a run that skips a step has not chosen a
 * different one. null when no column forks.
 */
export function contentFork(columns: Column[], n: number, contents: (StepFeatures | undefined)[][], anySubstance: boolean): number | null {
  if (n < 2) return null;
  const share = forkShare(n);
  const parent = new Int32Array(n);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]!]!;
    return x;
  };
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c]!;
    if (col.groups < 2) continue; // one group: one content (a group's steps are equivalent)
    const feats = contents[c];
    const cells: Cell[] = [];
    for (const cell of col.cells) {
      if (cell.group === null) continue;
      const f = feats?.[cell.run];
      if (anySubstance && f && wordsOnly(f)) continue; // words only
      cells.push(cell);
      parent[cell.run] = cell.run;
    }
    if (cells.length < 2 * share) continue;
    for (let i = 0; i < cells.length; i++)
      for (let j = i + 1; j < cells.length; j++) {
        const a = cells[i]!;
        const b = cells[j]!;
        const fa = feats?.[a.run];
        const fb = feats?.[b.run];
        const same = a.group === b.group || (anySubstance && fa !== undefined && fb !== undefined && sameContent(fa, fb));
        if (same) parent[find(a.run)] = find(b.run);
      }
    const counts = new Map<number, number>();
    for (const cell of cells) {
      const root = find(cell.run);
      counts.set(root, (counts.get(root) ?? 0) + 1);
    }
    let big = 0;
    for (const k of counts.values()) if (k >= share) big++;
    if (big < 2) continue;
    if (!anySubstance) return c;
    // The parts may have first differed earlier, in columns that only one part fills: two
    // different computations the alignment placed one after the other (each run has a gap at
    // the other's). The fork is the first column with content after the last one where the
    // parts still agree.
    const part = new Int32Array(n).fill(-1);
    for (const cell of cells) if (counts.get(find(cell.run))! >= share) part[cell.run] = find(cell.run);
    return earliestDifference(columns, contents, c, part, share);
  }
  return null;
}

/**
 * Where the parts of a fork at column `fork` (part[r]: run r's part, −1 outside them) first
 * differ: the first column after the last column before the fork where runs of two parts still
 * have the same content, that holds computations (or, in a trajectory, steps) of a real share of
 * the parts' runs; the fork column itself when there is none.
 */
function earliestDifference(columns: Column[], contents: (StepFeatures | undefined)[][], fork: number, part: Int32Array, share: number): number {
  const contentCells = (c: number): { run: number; f: StepFeatures | undefined; group: number }[] => {
    const out: { run: number; f: StepFeatures | undefined; group: number }[] = [];
    for (const cell of columns[c]!.cells) {
      if (cell.group === null || part[cell.run]! < 0) continue;
      const f = contents[c]?.[cell.run];
      if (f && wordsOnly(f)) continue;
      out.push({ run: cell.run, f, group: cell.group });
    }
    return out;
  };
  let lastAgree = -1;
  for (let c = fork - 1; c >= 0 && lastAgree < 0; c--) {
    const cells = contentCells(c);
    for (let i = 0; i < cells.length && lastAgree < 0; i++)
      for (let j = i + 1; j < cells.length; j++) {
        const a = cells[i]!;
        const b = cells[j]!;
        if (part[a.run] === part[b.run]) continue;
        // one group: equivalent steps (a column of one group keeps no features: they are not needed)
        if (a.group === b.group || (a.f !== undefined && b.f !== undefined && sameContent(a.f, b.f))) {
          lastAgree = c;
          break;
        }
      }
  }
  // a column only some runs fill counts when it computes (or acts): a number stated in passing
  // ("one step at a time") is no step of the path
  const acts = (x: { f: StepFeatures | undefined }): boolean => x.f !== undefined && (x.f.comps.length > 0 || x.f.kind !== 0);
  for (let c = lastAgree + 1; c < fork; c++) if (contentCells(c).filter(acts).length >= share) return c;
  return fork;
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
