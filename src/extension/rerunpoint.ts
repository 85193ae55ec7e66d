// "Rerun from here" (issue "rerun an agent from any point"): from a step of a run the view shows,
// the conversation prefix before it, read from the panel's own files (a trace set of imported
// trajectories, or run files) — never from the message the view sent, which only names the
// prompt, the run and the step. No VS Code here: the command in extension.ts asks how many reruns
// and which action is expected, and runs it.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { conversationAtStep, conversationLabel, type Conversation } from "../core/conversation";
import { addConversation, emptyReplayTable, replayTableOf, type ReplayTable } from "../core/replay";
import { parseRunFile } from "../core/runfile";
import { findTraceRecord, traceSetCalls } from "../core/traceset";
import { actionText } from "../core/trajectory";
import type { TrajectoryStep } from "../core/types";
import type { RerunFrom, ViewSource } from "../protocol/webview";

export interface RerunPoint {
  conversation: Conversation;
  /** The run's prompt label (its header's `prompt`): where the prefix came from and where it stops. */
  label: string;
  /** A short name for the tab and the notification: "task-2 · run #0 · action 2". */
  title: string;
  /** The new run's id: `<prompt>-run<R>-before-action<K>` (or `-before-step<S>` for a step that is not a call). */
  id: string;
  /** What the recorded run did at that point: its call (null when the step is text). */
  recorded: { name: string; key: string } | null;
  /** The tool calls the recorded run made before the point. */
  callsBefore: number;
  /**
   * A rollout's recorded results (src/core/replay.ts): the prefix's own, then every run of the
   * same prompt (a trace set's task, or the run file's samples) — what a rerun that goes on past
   * its next action is answered with.
   */
  replay: ReplayTable;
}

/** Thrown with a message for the user. */
export class PointError extends Error {}

const read = (file: string): string => {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new PointError(`cannot read ${basename(file)}: ${code === "ENOENT" ? "the file is gone" : (e as Error).message}`);
  }
};

/** The steps of the run and what came before them, from the panel's files. */
function locate(source: ViewSource, point: RerunFrom): { steps: TrajectoryStep[]; base: Parameters<typeof conversationAtStep>[2]; where: string; replay: (prefix: Conversation) => ReplayTable } {
  if (source.kind === "traces") {
    const text = read(source.file);
    const rec = findTraceRecord(text, point.prompt, basename(source.file));
    if ("error" in rec) throw new PointError(rec.error);
    const sample = rec.samples.find((s, i) => (s.index ?? i) === point.run);
    if (!sample) throw new PointError(`prompt "${point.prompt}" of ${basename(source.file)} has no run #${point.run} (it has ${rec.samples.length})`);
    if (!sample.steps) throw new PointError(`run #${point.run} of "${point.prompt}" is not a trajectory (it has no steps)`);
    // tools inferred from every call of the trace set: the agent's, whichever run made them
    const replay = (prefix: Conversation) => {
      const t = emptyReplayTable(basename(source.file));
      t.task = point.prompt;
      addConversation(t, prefix, "the prefix");
      return replayTableOf([rec], { into: t, task: point.prompt });
    };
    return { steps: sample.steps, base: { ...(rec.system ? { system: rec.system } : {}), ...(rec.prompt ? { prompt: rec.prompt } : {}), calls: traceSetCalls(text) }, where: basename(source.file), replay };
  }
  const unreadable: string[] = [];
  for (const file of source.files) {
    let run: ReturnType<typeof parseRunFile>;
    try {
      run = parseRunFile(read(file));
    } catch (e) {
      unreadable.push(`${basename(file)} (${(e as Error).message})`);
      continue;
    }
    if (run.header?.id !== point.prompt) continue;
    const sample = run.samples.find((s) => s.index === point.run);
    if (!sample) throw new PointError(`${basename(file)} has no finished run #${point.run}`);
    if (!sample.steps) throw new PointError(`run #${point.run} of ${basename(file)} is not a trajectory (its reply called no tool)`);
    const h = run.header;
    const replay = (prefix: Conversation) => {
      const t = emptyReplayTable(basename(file));
      addConversation(t, prefix, "the prefix");
      return replayTableOf([{ id: h.id, samples: run.samples.filter((x) => x.steps).map((x) => ({ steps: x.steps!, index: x.index })) }], { into: t });
    };
    return { steps: sample.steps, base: { ...(h.conversation ? { conversation: h.conversation } : {}), ...(h.system ? { system: h.system } : {}), prompt: h.prompt }, where: basename(file), replay };
  }
  throw new PointError(`no run file of this view holds the prompt "${point.prompt}"${unreadable.length ? `; unreadable: ${unreadable.join(", ")}` : ""}`);
}

/** The prefix before `point`, ready to run; a PointError says why there is none. */
export function rerunPoint(source: ViewSource, point: RerunFrom): RerunPoint {
  const { steps, base, where, replay } = locate(source, point);
  const at = steps[point.step];
  if (!at) throw new PointError(`run #${point.run} of "${point.prompt}" has no step ${point.step} (it has ${steps.length})`);
  const c = conversationAtStep(steps, point.step, base);
  if ("error" in c) throw new PointError(`cannot rerun run #${point.run} of "${point.prompt}" from there: ${c.error}`);
  let callsBefore = 0;
  for (let i = 0; i < point.step; i++) if (steps[i]!.kind === "tool_call") callsBefore++;
  const isCall = at.kind === "tool_call";
  const at1 = isCall ? `action ${callsBefore + 1}` : `step ${point.step}`;
  return {
    conversation: c,
    label: conversationLabel(`run #${point.run} of ${point.prompt} in ${where}, before its ${at1}`, c),
    title: `${point.prompt} · run #${point.run} · ${at1}`,
    id: `${point.prompt}-run${point.run}-before-${isCall ? `action${callsBefore + 1}` : `step${point.step}`}`,
    recorded: isCall && at.name ? { name: at.name, key: actionText(at) } : null,
    callsBefore,
    replay: replay(c),
  };
}
