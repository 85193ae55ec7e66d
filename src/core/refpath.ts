// Divergence against the reference class's path (issue 16). The alignment (align.ts) measures a
// cell against its column's consensus: the most common step of the largest group. When the
// majority is wrong, that paints the correct runs as the divergent ones. With a target
// (METRICS.md §3: the runs of the reference class, by `correct`, `reward` or the reference's
// key) each column is measured against the path the reference class's runs take instead:
//
// - The reference path's group in a column is the group most of the reference runs' steps are
//   in there (ties: the lower group number). It has no step there when more than half of the
//   reference runs have a gap in the column.
// - Where it has a step (in group g): cells of group g are 0; another step is 1 − min(0.95,
//   similarity to g's most common step, ties by the earliest run), as it is to the consensus
//   step without a reference (group 0's most common step: a column whose reference group is 0
//   keeps the alignment's divergences unchanged); a gap is 1.
// - Where it has no step: a gap is 0 (the run does as the reference path does) and a step is
//   1 (the run does something the reference path does not), whichever group it is in.
// - Filler is no divergence: in text that computes, states a number or calls a tool anywhere, a
//   step of words only ("Let's break it down.") is 0 where the reference path has no step, or a
//   step of words only too: it does nothing the path does not (as it decides no fork). In an
//   agent's trajectory a turn is words only when it names nothing and does nothing ("Thank
//   you!", textcontent.ts). The alignment does the same against the majority's path.
// - No run in the reference class (every run wrong), or no target at all: the columns keep the
//   majority's divergences, and `divergenceBasis` says so and why.
//
// Cost: one pass over the reference runs' cells per column; a column is gone over whole only
// when its reference group is not group 0 (then one similarity per step outside that group).
import { MAX_NONEQUIVALENT_SIMILARITY, similarity, type StepFeatures } from "./features";
import type { Cell, Column, DivergenceBasis } from "./types";

/**
 * Measures the columns' divergences against the reference class's path, in place, when the
 * reference class has runs; returns what the divergences are relative to. `columns` are the
 * alignment's (cells in run order: `cells[k]` is run k's, its `run` still the position k);
 * `runs[k]` are run k's step features; `inReference[k]` whether run k is in the reference class
 * (null for every run: no target). Each column gets `referenceGroup` when the basis is the
 * reference (its group on the path, null where the path has no step).
 */
export function measureAgainstReference(columns: Column[], runs: readonly (readonly StepFeatures[])[], inReference: readonly (boolean | null)[]): DivergenceBasis {
  // words only decide nothing where any run computes, states a number or calls a tool (align.ts's fork rule)
  let anySubstance = false;
  for (const r of runs) for (const f of r) if (f.substance !== null) anySubstance = true;
  const filler = (f: StepFeatures) => anySubstance && f.substance === null;
  if (!inReference.some((c) => c !== null)) return { kind: "majority", reason: "no target" };
  const ref: number[] = [];
  inReference.forEach((c, k) => {
    if (c === true) ref.push(k);
  });
  if (ref.length === 0) return { kind: "majority", reason: "no run in the reference class" };
  const k = ref.length;
  let counts = new Int32Array(16);
  // a gap on a path without a step there: one frozen cell per run, shared as the alignment's gaps are
  const zeroGaps: (Cell | undefined)[] = [];
  const zeroGap = (run: number): Cell => (zeroGaps[run] ??= Object.freeze({ run, step: null, group: null, divergence: 0 }));
  for (const col of columns) {
    const cells = col.cells;
    if (counts.length < col.groups) counts = new Int32Array(Math.max(col.groups, 2 * counts.length));
    else counts.fill(0, 0, col.groups);
    let gaps = 0;
    for (const r of ref) {
      const g = cells[r]!.group;
      if (g === null) gaps++;
      else counts[g]!++;
    }
    if (2 * gaps > k) {
      col.referenceGroup = null;
      for (let r = 0; r < cells.length; r++) {
        const cell = cells[r]!;
        if (cell.group === null) cells[r] = zeroGap(cell.run);
        else cell.divergence = filler(runs[cell.run]![cell.step!]!) ? 0 : 1;
      }
      continue;
    }
    let path = 0;
    for (let g = 1; g < col.groups; g++) if (counts[g]! > counts[path]!) path = g;
    col.referenceGroup = path;
    const step = mostCommonStep(cells, runs, path);
    if (path === 0 && !filler(step)) continue; // the consensus step is the reference step: the alignment's divergences stand
    for (const cell of cells) {
      if (cell.group === null) continue;
      const f = runs[cell.run]![cell.step!]!;
      if (cell.group === path || (filler(f) && filler(step))) cell.divergence = 0;
      else cell.divergence = 1 - Math.min(MAX_NONEQUIVALENT_SIMILARITY, f === step ? 1 : similarity(f, step));
    }
  }
  return { kind: "reference", runs: k };
}

/** The most common step (by equivalence key) of group g in a column, ties by the earliest run. */
function mostCommonStep(cells: readonly Cell[], runs: readonly (readonly StepFeatures[])[], g: number): StepFeatures {
  const tally = new Map<string, { f: StepFeatures; count: number }>();
  for (const cell of cells) {
    if (cell.group !== g) continue;
    const f = runs[cell.run]![cell.step!]!;
    const t = tally.get(f.key);
    if (t) t.count++;
    else tally.set(f.key, { f, count: 1 });
  }
  // the map is in order of first run: the first of the most common wins
  let best: { f: StepFeatures; count: number } | null = null;
  for (const t of tally.values()) if (best === null || t.count > best.count) best = t;
  return best!.f;
}

/**
 * What a prompt's divergences are relative to, in a few words for a view's caption: "divergence
 * from the reference path (7 runs)", or the majority's path and why (a document written before
 * `divergenceBasis` was: the majority's, no reason).
 */
export function divergenceCaption(basis: DivergenceBasis | undefined): string {
  if (basis?.kind === "reference") return `divergence ${divergenceFrom(basis)} (${basis.runs} run${basis.runs === 1 ? "" : "s"})`;
  if (basis?.reason === "no target") return `divergence ${divergenceFrom(basis)} — no reference: set one to compare with the right answer`;
  if (basis?.reason === "no run in the reference class") return `divergence ${divergenceFrom(basis)} — no run reached the reference answer`;
  return `divergence ${divergenceFrom(basis)}`;
}

/** "from the reference path" or "from the majority's path" (after a divergence's value). */
export function divergenceFrom(basis: DivergenceBasis | undefined): string {
  return basis?.kind === "reference" ? "from the reference path" : "from the majority's path";
}

/**
 * What a cell's group is in its column, for a hover: "reference path" (divergence 0 there),
 * "consensus" (group 0 without a reference), "most runs" (group 0 off the reference path); ""
 * otherwise.
 */
export function groupRole(column: Pick<Column, "referenceGroup">, group: number | null, basis: DivergenceBasis | undefined): string {
  if (group === null) return "";
  if (basis?.kind === "reference") return group === column.referenceGroup ? "reference path" : group === 0 ? "most runs" : "";
  return group === 0 ? "consensus" : "";
}
