// Why the runs parted at the fork action (METRICS.md §11 leaves the rule to this file).
//
// Until the fork action k every run took the same actions, so what can differ before the k-th
// action is what the model said (reasoning, visible text) and what the environment said to it
// (tool results and user turns). The *context* of a run at the fork is what was said aloud since
// its previous action (since the start when k = 0) up to its k-th action (or its end): the
// agent's visible text, the tool results and the user turns, in order. Reasoning is not counted
// (it is the choosing, not what the choice was made on); earlier items are not counted either:
// the runs acted alike on them, and "just before" is where a different answer from the
// environment would have sent a run another way.
//
// Two contexts are the same when they hold the same items in the same order: a tool result the
// same text (white space collapsed) and error flag; a user turn or a visible text equivalent as
// a step (features.ts `equivalent`: the same numbers and mostly the same words), because a
// simulated user, and the agent, reword the same thing from run to run, and rewording is not a
// different turn.
//
// The runs are put in classes of equal contexts (each run compared with the first run of each
// class). The cause is
// - "policy" when some class holds runs that took different actions at k: with the same
//   context, the model chose differently (the detail names two such runs and their choices);
// - "policy" too when the first item in which a run of the largest choice and a run of the next
//   differ is the agent's own text: the runs had already parted in what the agent said (asked
//   for something else, answered otherwise), so a user turn that differs after it is the
//   agent's doing, not the environment's;
// - "environment" otherwise: every two runs that chose differently had seen a different tool
//   result or user turn just before, after the agent had said the same (the detail names the
//   first item in which a run of the largest choice and a run of the next differ).
import { equivalent, FeatureSpace } from "./features";
import { END_KEY, type ActionGroup } from "./trajectory";
import type { ForkCause, TrajectoryStep } from "./types";

interface Item {
  kind: "tool_result" | "user" | "text";
  text: string;
  isError: boolean;
  /** The tool a result answers, when known (its own name, or its call's by id). */
  tool: string | null;
}

/** The visible text, tool results and user turns of a run between its (k−1)-th and k-th action. */
function contextAt(steps: readonly TrajectoryStep[], k: number): Item[] {
  let calls = 0;
  let from = 0;
  let to = steps.length;
  for (let i = 0; i < steps.length; i++) {
    if (steps[i]!.kind !== "tool_call") continue;
    if (calls === k - 1) from = i + 1;
    if (calls === k) {
      to = i;
      break;
    }
    calls++;
  }
  const names = new Map<string, string>();
  for (let i = 0; i < to; i++) {
    const st = steps[i]!;
    if (st.kind === "tool_call" && st.id !== undefined && st.name !== undefined) names.set(st.id, st.name);
  }
  const items: Item[] = [];
  for (let i = from; i < to; i++) {
    const st = steps[i]!;
    if (st.kind !== "tool_result" && st.kind !== "user" && st.kind !== "text") continue;
    if (st.kind === "text" && (st.text ?? "").trim() === "") continue;
    items.push({
      kind: st.kind,
      text: (st.text ?? "").replace(/\s+/g, " ").trim(),
      isError: st.isError === true,
      tool: st.kind === "tool_result" ? (st.name ?? (st.id !== undefined ? (names.get(st.id) ?? null) : null)) : null,
    });
  }
  return items;
}

/** The first index where two contexts differ, or -1 when they are the same. */
function firstDifference(a: Item[], b: Item[], space: FeatureSpace): number {
  const m = Math.min(a.length, b.length);
  for (let i = 0; i < m; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.kind !== y.kind) return i;
    if (x.kind === "tool_result") {
      if (x.text !== y.text || x.isError !== y.isError) return i;
    } else if (x.text !== y.text && !equivalent(space.features(x.text), space.features(y.text))) return i;
  }
  return a.length === b.length ? -1 : m;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? s.slice(0, 79) + "…" : s);
}

function describeItem(it: Item | undefined): string {
  if (!it) return "nothing";
  const what = it.kind === "user" ? "the user turn" : it.kind === "text" ? "the agent's words" : `the ${it.isError ? "error " : ""}result of ${it.tool ?? "a tool"}`;
  return `${what} ${quote(it.text)}`;
}

/** What a run met or said at an item of its context. */
function saying(it: Item | undefined): string {
  if (!it) return "had nothing more";
  return it.kind === "text" ? `said ${quote(it.text)}` : `met ${describeItem(it)}`;
}

/**
 * Why the runs parted at action position k (see the file comment), from their trajectories,
 * the groups of actionGroups (by position) and the runs' display numbers; null without a fork.
 */
export function forkCause(trajectories: readonly (readonly TrajectoryStep[])[], k: number | null, groups: readonly ActionGroup[], index: readonly number[]): ForkCause | null {
  if (k === null || groups.length < 2) return null;
  const space = new FeatureSpace();
  const contexts = trajectories.map((steps) => contextAt(steps, k));
  const choice = new Array<string>(trajectories.length);
  for (const g of groups) for (const r of g.runs) choice[r] = g.key;
  const action = (key: string) => (key === END_KEY ? "to stop" : key);
  const nth = k + 1;
  // classes of equal contexts: a class that holds two choices is a choice of the model's
  const leaders: number[] = [];
  const firstOf = new Map<number, Map<string, number>>();
  for (let r = 0; r < contexts.length; r++) {
    let leader = leaders.find((l) => firstDifference(contexts[l]!, contexts[r]!, space) < 0);
    if (leader === undefined) {
      leaders.push(r);
      leader = r;
    }
    let seen = firstOf.get(leader);
    if (!seen) firstOf.set(leader, (seen = new Map()));
    for (const [key, other] of seen)
      if (key !== choice[r]) {
        const same = contexts[r]!.length === 0 ? "no tool result or user turn" : "the same tool results and user turns and said the same";
        return {
          kind: "policy",
          detail: `runs ${index[other]} and ${index[r]} met ${same} since the previous action, and chose differently at action ${nth}: ${action(key)} vs ${action(choice[r]!)}`,
        };
      }
    if (!seen.has(choice[r]!)) seen.set(choice[r]!, r);
  }
  // every two runs that chose differently saw different contexts: name where the two largest choices' first runs differ
  const a = groups[0]!.runs[0]!;
  const b = groups[1]!.runs[0]!;
  const at = firstDifference(contexts[a]!, contexts[b]!, space);
  const x = contexts[a]![at];
  const y = contexts[b]![at];
  if (x?.kind === "text" || y?.kind === "text") {
    return {
      kind: "policy",
      detail: `before action ${nth}, the runs had already parted in what the agent said: run ${index[a]} ${saying(x)} where run ${index[b]} ${saying(y)}; they chose ${action(groups[0]!.key)} and ${action(groups[1]!.key)}`,
    };
  }
  return {
    kind: "environment",
    detail: `before action ${nth}, run ${index[a]} met ${describeItem(contexts[a]![at])} where run ${index[b]} met ${describeItem(contexts[b]![at])}; they chose ${action(groups[0]!.key)} and ${action(groups[1]!.key)}`,
  };
}
