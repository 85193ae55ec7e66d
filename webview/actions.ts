// Agent prompts in the view (METRICS.md §11), derived from the document without recomputing a
// metric: which aligned columns hold actions (tool calls), the column that holds the fork action,
// the columns shown ("actions only" or all), and the fork mark the heatmap and the traces draw.
// Pure: no DOM.
import type { ForkCause } from "../src/core/types";
import { stretches, type PromptModel } from "./model";

/**
 * The aligned columns that hold tool calls, ascending (one per aligned action). The alignment
 * never puts two kinds of step in one column, so a column holds tool calls when any of its
 * steps is one. Empty for a prompt whose samples are not trajectories.
 */
export function actionColumns(m: PromptModel): number[] {
  const p = m.p;
  const out: number[] = [];
  if (!p.agent) return out;
  p.columns.forEach((col, j) => {
    for (const c of col.cells) {
      if (c.step === null) continue;
      const pos = m.runPos.get(c.run);
      const step = pos === undefined ? undefined : p.runs[pos]!.steps[c.step];
      if (!step) continue;
      if (step.kind === "tool_call") out.push(j);
      // one kind a column: the first step says which
      break;
    }
  });
  return out;
}

/**
 * The aligned column of the fork action: the column holding the k-th tool call (k = the
 * prompt's forkAction, 0-based) of the most runs, the earliest such column on a tie. Runs that
 * had ended by then (their key at k is `<end>`) hold none. Null without a fork action, or when
 * no run's k-th tool call is in the document (a report that left those runs out).
 */
export function forkActionColumn(m: PromptModel): number | null {
  const p = m.p;
  const k = p.agent?.forkAction;
  if (k === null || k === undefined || k < 0) return null;
  const count = new Map<number, number>();
  p.runs.forEach((run, pos) => {
    let seen = 0;
    for (let s = 0; s < run.steps.length; s++) {
      if (run.steps[s]!.kind !== "tool_call") continue;
      if (seen++ < k) continue;
      const j = m.stepColumn[pos]?.[s] ?? -1;
      if (j >= 0) count.set(j, (count.get(j) ?? 0) + 1);
      break;
    }
  });
  let best: number | null = null;
  let most = 0;
  for (const [j, c] of count) if (c > most || (c === most && best !== null && j < best)) [best, most] = [j, c];
  return best;
}

/**
 * The aligned columns shown, ascending: every column, or with "actions only" (an agent prompt
 * whose runs called tools) only the action columns. The heatmap and the traces show these, under
 * their real column numbers.
 */
export function shownColumns(m: PromptModel, actionsOnly: boolean): number[] {
  if (actionsOnly && m.p.agent) {
    const acts = actionColumns(m);
    if (acts.length) return acts;
  }
  return m.p.columns.map((_, j) => j);
}

/**
 * Stretches of at least `min` consecutive shown columns whose flag is true (`flags` by aligned
 * column, `shown` ascending), as [first, last] aligned columns: folding over the columns shown,
 * so a stretch may pass over columns that are not.
 */
export function shownStretches(flags: readonly boolean[], shown: readonly number[], min: number): [number, number][] {
  return stretches(
    shown.map((j) => flags[j] === true),
    min,
  ).map(([a, b]): [number, number] => [shown[a]!, shown[b]!]);
}

/** What the heatmap and the traces mark as the fork. */
export interface ForkMark {
  /** The aligned column marked. */
  col: number;
  /** The mark's text on the heatmap: "fork", or "fork action 2 · policy". */
  label: string;
  /** The badge in the traces: "fork", or "fork · policy". */
  badge: string;
  /** How a tooltip or a screen reader names it: "fork", or "fork action 2 · policy: <the cause's detail>". */
  said: string;
  /** The fork action (1-based) and its cause, on an agent prompt. */
  action: number | null;
  cause: ForkCause | null;
}

/**
 * The fork mark: on an agent prompt the fork action's column (METRICS.md §11, counted from 1 as
 * people count) with why the runs parted there; on any other prompt the alignment's fork column
 * (§9). Null when there is none to mark (an agent prompt whose runs all took the same actions).
 */
export function forkMark(m: PromptModel): ForkMark | null {
  const p = m.p;
  if (!p.agent) {
    if (p.forkColumn === null || p.forkColumn >= p.columns.length) return null;
    return { col: p.forkColumn, label: "fork", badge: "fork", said: "fork", action: null, cause: null };
  }
  const col = forkActionColumn(m);
  if (col === null) return null;
  const action = p.agent.forkAction! + 1;
  const cause = p.agent.forkCause;
  const label = `fork action ${action}${cause ? ` · ${cause.kind}` : ""}`;
  return { col, label, badge: cause ? `fork · ${cause.kind}` : "fork", said: cause?.detail ? `${label}: ${cause.detail}` : label, action, cause };
}
