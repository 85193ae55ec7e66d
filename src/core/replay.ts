// The replay table of a rollout (`hotmess run --steps K`): what a tool answered when an agent
// made a call in a recorded run, so that a rerun that makes the same call can be given the same
// answer without running anything. Pure: trajectories in, a table out.
//
// - A call is keyed by its action key (src/core/trajectory.ts `actionKey`: the tool's name and
//   the canonical JSON of its arguments), the key the analysis compares actions by: two calls
//   whose arguments differ only in key order or white space are the same call.
// - Within a run, a result pairs with its call by id; a result without an id (or with one no
//   open call has) answers the oldest call still unanswered, as conversationFromTrajectory pairs
//   them. A call left without a result (the run ended first) counts as a call, not as answered.
// - The same key can have got different results: in different runs (the environment changed: a
//   reservation cancelled in one run is still there in another), or twice in one run (a lookup
//   before and after a write). All of them are kept, each distinct result (text and error flag)
//   once with how many calls got it and where it was first seen, in the order first recorded.
//   The one replayed is the FIRST RECORDED: the first in the order the trajectories were added
//   (a conversation prefix's own results first when the caller adds it first, then the trace
//   set's prompts and runs in file order, each run's steps in order). Deterministic, and easy to
//   check against the file; it is not state-aware (a rerun that cancels a reservation and looks
//   it up again gets the lookup as first recorded, which may be from before any cancellation).
//   `lookupReplay` says how many other results the key had, so a caller can tell the user.
import type { Conversation } from "./conversation";
import { actionKey } from "./trajectory";
import type { RolloutStop, RunSampleLine } from "./runfile";
import type { PromptRecord, TrajectoryStep } from "./types";

/** One distinct result recorded for a call key. */
export interface ReplayResult {
  text: string;
  isError: boolean;
  /** How many recorded calls of the key got this very result. */
  count: number;
  /** Where it was first recorded ("task-2 run 0, step 14"). */
  from: string;
}

/** Every result recorded for one call key. */
export interface ReplayEntry {
  key: string;
  /** The tool's name. */
  name: string;
  /** The distinct results, in the order first recorded: `results[0]` is the one replayed. */
  results: ReplayResult[];
}

export interface ReplayTable {
  /** Where the table was read from (a file's name), for the run header and messages. */
  source?: string;
  /** The prompt (task) of `source` whose runs it holds, when not all of them. */
  task?: string;
  /** By call key (trajectory.ts actionKey), in the order first recorded. */
  entries: Map<string, ReplayEntry>;
  /** Tool calls read. */
  calls: number;
  /** Of them, those that had a result in their run. */
  answered: number;
}

/** A table with nothing in it yet. */
export function emptyReplayTable(source?: string): ReplayTable {
  return { ...(source !== undefined ? { source } : {}), entries: new Map(), calls: 0, answered: 0 };
}

/** Records one call's result under its key (a result already seen for the key is counted, not added again). */
function record(table: ReplayTable, call: { name: string; arguments: unknown }, text: string, isError: boolean, from: string): void {
  const key = actionKey(call);
  let entry = table.entries.get(key);
  if (!entry) {
    entry = { key, name: call.name, results: [] };
    table.entries.set(key, entry);
  }
  const same = entry.results.find((r) => r.text === text && r.isError === isError);
  if (same) same.count++;
  else entry.results.push({ text, isError, count: 1, from });
  table.answered++;
}

/**
 * Adds the calls of one trajectory and their results (paired by id, else the oldest open call).
 * `where` names the run in `from` ("task-2 run 0" gives "task-2 run 0, step 14").
 */
export function addTrajectory(table: ReplayTable, steps: readonly TrajectoryStep[], where: string): void {
  const open: { id: string | undefined; name: string; arguments: unknown }[] = [];
  steps.forEach((st, i) => {
    if (st.kind === "tool_call") {
      if (typeof st.name !== "string" || st.name === "") return;
      table.calls++;
      open.push({ id: typeof st.id === "string" && st.id !== "" ? st.id : undefined, name: st.name, arguments: st.arguments });
    } else if (st.kind === "tool_result") {
      const byId = typeof st.id === "string" && st.id !== "" ? open.findIndex((c) => c.id === st.id) : -1;
      const k = byId >= 0 ? byId : open.length > 0 ? 0 : -1;
      if (k < 0) return; // a result that answers no call of the run
      const [call] = open.splice(k, 1);
      record(table, call!, st.text ?? "", st.isError === true, `${where}, step ${i}`);
    }
  });
}

/** Adds the calls of a conversation prefix that have their result in it (paired by id). */
export function addConversation(table: ReplayTable, c: Conversation, where: string): void {
  const calls = new Map<string, { name: string; arguments: unknown }>();
  c.messages.forEach((m, i) => {
    for (const b of m.content) {
      if (b.type === "tool_call") {
        table.calls++;
        calls.set(b.id, { name: b.name, arguments: b.arguments });
      } else if (b.type === "tool_result") {
        const call = calls.get(b.id);
        if (!call) continue;
        calls.delete(b.id);
        record(table, call, b.content, b.isError === true, `${where}, message ${i + 1}`);
      }
    }
  });
}

/**
 * A table from trace-set records: every run (sample with steps) of every prompt, in order, or
 * only the prompt `task` when given. Runs are named "PROMPT run R" (R the sample's index, else
 * its position).
 */
export function replayTableOf(records: readonly PromptRecord[], opts: { source?: string; task?: string; into?: ReplayTable } = {}): ReplayTable {
  const table = opts.into ?? emptyReplayTable(opts.source);
  for (const rec of records) {
    if (opts.task !== undefined && rec.id !== opts.task) continue;
    rec.samples.forEach((s, i) => {
      if (s.steps) addTrajectory(table, s.steps, `${rec.id} run ${s.index ?? i}`);
    });
  }
  return table;
}

/** The result replayed for a call: the first recorded for its key, with how many other results the key had; null when none was recorded. */
export function lookupReplay(table: ReplayTable, call: { name: string; arguments: unknown }): { key: string; result: ReplayResult; others: number } | null {
  const key = actionKey(call);
  const entry = table.entries.get(key);
  if (!entry || entry.results.length === 0) return null;
  return { key, result: entry.results[0]!, others: entry.results.length - 1 };
}

/** What a table holds: calls read, calls with a result, distinct keys with a result, and keys with more than one distinct result. */
export function replayStats(table: ReplayTable): { calls: number; answered: number; keys: number; ambiguous: number } {
  let ambiguous = 0;
  for (const e of table.entries.values()) if (e.results.length > 1) ambiguous++;
  return { calls: table.calls, answered: table.answered, keys: table.entries.size, ambiguous };
}

/** The end of a call key for people: `name {arguments}`, cut to about 80 characters. */
export function callLabel(key: string): string {
  const at = key.search(/[{[("\d]/);
  const label = at > 0 ? `${key.slice(0, at)} ${key.slice(at)}` : key;
  return label.length > 80 ? `${label.slice(0, 79)}…` : label;
}

/**
 * How a rollout's reruns ended, in one line: "rollouts: 5 answered, 2 stopped at a call with no
 * recorded result (get_flight_status {…}), 1 reached 5 steps". Null when no sample has a
 * rolloutStop.
 */
export function rolloutSummary(samples: readonly Pick<RunSampleLine, "rolloutStop">[], steps: number): string | null {
  const stops = samples.flatMap((s) => (s.rolloutStop ? [s.rolloutStop] : []));
  if (stops.length === 0) return null;
  const count = (reason: RolloutStop["reason"]) => stops.filter((x) => x.reason === reason);
  /** The calls it stopped at, most often first (ties in the order met), up to two, then how many more. */
  const calls = (xs: RolloutStop[]) => {
    const by = new Map<string, number>();
    for (const x of xs) if (x.call) by.set(x.call, (by.get(x.call) ?? 0) + 1);
    const sorted = [...by].sort((a, b) => b[1] - a[1]);
    const shown = sorted.slice(0, 2).map(([k, n]) => `${callLabel(k)}${n > 1 ? ` ×${n}` : ""}`);
    return shown.length === 0 ? "" : ` (${shown.join("; ")}${sorted.length > 2 ? `; ${sorted.length - 2} other call${sorted.length - 2 === 1 ? "" : "s"}` : ""})`;
  };
  const parts: string[] = [];
  const answered = count("answered");
  if (answered.length) parts.push(`${answered.length} answered`);
  const missing = count("no-result");
  if (missing.length) parts.push(`${missing.length} stopped at a call with no recorded result${calls(missing)}`);
  const reached = count("steps");
  if (reached.length) parts.push(`${reached.length} reached ${steps} step${steps === 1 ? "" : "s"}`);
  const cut = count("truncated");
  if (cut.length) parts.push(`${cut.length} cut at max tokens`);
  const errors = count("error");
  if (errors.length) parts.push(`${errors.length} stopped: the tool command could not run (${errors[0]!.message ?? "no reason given"})`);
  const results = stops.reduce((a, x) => ({ replay: a.replay + x.results.replay, command: a.command + x.results.command, ambiguous: a.ambiguous + x.results.ambiguous }), { replay: 0, command: 0, ambiguous: 0 });
  const given = [`${results.replay} from the replay table${results.ambiguous ? ` (${results.ambiguous} of calls recorded with other results too: the first recorded was given)` : ""}`, ...(results.command ? [`${results.command} from the tool command`] : [])];
  return `rollouts: ${parts.join(", ")}; tool results given: ${given.join(", ")}`;
}
