// τ-bench's results file (sierra-research/tau-bench, what its run.py writes): a JSON array of
// {task_id, trial, reward, info, traj}, `traj` the conversation in OpenAI chat format. One prompt
// per task (`task-<task_id>`), its trials as the samples in trial order (a sample's `index` is
// its trial), each trial's conversation as a trajectory: user turns, the agent's text and tool calls, the tools' results (an error when it starts
// with "Error:", as τ-bench's tools write them). The reward is copied, and the answer is
// "reward=1" / "reward=0": the answer classes are the outcomes, not whatever the last message
// happened to say. The system message (the airline policy) is the prompt's `system`: a rerun
// from a point of a run sends it (when trials of a task differ, the first trial's is kept and the
// difference named). A record that cannot be read is skipped and named (file#index).
import type { PromptRecord, Sample, TrajectoryStep } from "../core/types";
import { describe, fileHead, fileText, isObject, isReward, jsonError, leftOutWords, openAiMessageSteps, renderSteps, rewardAnswer, summarize, systemText } from "./common";
import type { Importer, ImportProblem, ImportResult, InputFile } from "./types";

export const FORMAT = "tau-bench";

/** The files τ-bench's reader takes: a lone file whatever its name; in a folder, the .json files. */
function candidates(files: InputFile[]): InputFile[] {
  return files.length === 1 ? files : files.filter((f) => /\.json$/i.test(f.path));
}

/** A results file: a JSON array whose first record has task_id and traj. */
function looksLikeResults(file: InputFile): boolean {
  const head = fileHead(file).trimStart();
  return head.startsWith("[") && /"task_id"\s*:/.test(head) && /"traj"\s*:/.test(head);
}

interface Trial {
  taskId: string;
  trial: number | null;
  sample: Sample;
  /** The first user message (the prompt of the task, as this trial's simulated user put it). */
  firstUser: string | null;
  /** What the record had that is not text (images…), left out. */
  leftOutNote: string | null;
  /** Its system message (the policy the agent ran under). */
  system: string | null;
  where: string;
}

/** One record as a trial, or why it cannot be read. */
function readRecord(r: unknown): Omit<Trial, "where"> | string {
  if (!isObject(r)) return `is ${describe(r)}, not a {task_id, trial, reward, info, traj} record`;
  const id = r.task_id;
  if (!((typeof id === "number" && Number.isInteger(id)) || (typeof id === "string" && id !== ""))) return `"task_id" is ${describe(id)}, not an integer or a name`;
  const who = `task ${id}`;
  const trial = r.trial ?? null;
  if (trial !== null && !(typeof trial === "number" && Number.isInteger(trial) && trial >= 0)) return `${who}: "trial" is ${JSON.stringify(trial)}, not a whole number`;
  const reward = r.reward ?? null;
  if (reward !== null && !isReward(reward)) return `${who}: "reward" is ${JSON.stringify(reward)}, not a number in [0, 1]`;
  if (!Array.isArray(r.traj)) return `${who}: "traj" is ${describe(r.traj)}, not an array of messages`;
  const steps: TrajectoryStep[] = [];
  const leftOut = new Map<string, number>();
  for (let k = 0; k < r.traj.length; k++) {
    const m = r.traj[k] as unknown;
    if (!isObject(m)) return `${who}: traj[${k}] is ${describe(m)}, not a message`;
    const got = openAiMessageSteps(m, leftOut);
    if (typeof got === "string") return `${who}: traj[${k}] ${got}`;
    for (const step of got) {
      if (step.kind === "tool_result" && /^\s*Error:/.test(step.text ?? "")) step.isError = true;
      steps.push(step);
    }
  }
  const sample: Sample = { text: renderSteps(steps), steps };
  if (reward !== null) {
    sample.reward = reward;
    sample.answer = rewardAnswer(reward);
  }
  const firstUser = steps.find((s) => s.kind === "user")?.text ?? null;
  const leftOutNote = leftOut.size > 0 ? `${who}: parts that are not text left out (${leftOutWords(leftOut)})` : null;
  return { taskId: String(id), trial, sample, firstUser, leftOutNote, system: systemText(r.traj) };
}

function read(files: InputFile[]): ImportResult {
  const problems: ImportProblem[] = [];
  const tasks = new Map<string, Trial[]>();
  let skipped = 0;
  for (const file of candidates(files)) {
    let data: unknown;
    try {
      data = JSON.parse(fileText(file));
    } catch (e) {
      problems.push({ where: file.path, message: `${jsonError(e)}; file skipped` });
      continue;
    }
    if (!Array.isArray(data)) {
      problems.push({ where: file.path, message: `is ${describe(data)}, not τ-bench's results (a JSON array of {task_id, trial, reward, info, traj}); file skipped` });
      continue;
    }
    data.forEach((r, i) => {
      const where = `${file.path}#${i}`;
      const got = readRecord(r);
      if (typeof got === "string") {
        problems.push({ where, message: `${got}; record skipped` });
        skipped++;
        return;
      }
      if (got.leftOutNote) problems.push({ where, message: got.leftOutNote });
      let list = tasks.get(got.taskId);
      if (!list) tasks.set(got.taskId, (list = []));
      list.push({ ...got, where });
    });
  }

  const prompts: PromptRecord[] = [];
  for (const [taskId, trials] of tasks) {
    // a trial without a number takes the next one free, in the order the records came
    const used = new Set(trials.flatMap((t) => (t.trial === null ? [] : [t.trial])));
    let next = 0;
    for (const t of trials) {
      if (t.trial !== null) continue;
      while (used.has(next)) next++;
      t.trial = next;
      used.add(next);
    }
    trials.sort((a, b) => a.trial! - b.trial!);
    const samples: Sample[] = [];
    let prev: Trial | null = null;
    for (const t of trials) {
      if (prev && prev.trial === t.trial) {
        problems.push({ where: t.where, message: `task ${taskId}: trial ${t.trial} again (first at ${prev.where}); record skipped` });
        skipped++;
        continue;
      }
      samples.push({ ...t.sample, index: t.trial! });
      prev = t;
    }
    const record: PromptRecord = { id: `task-${taskId}`, samples };
    const prompt = trials[0]!.firstUser;
    if (prompt !== null) record.prompt = prompt;
    const kept = trials.find((t) => t.system !== null);
    if (kept) {
      record.system = kept.system!;
      const other = trials.find((t) => t.system !== kept.system);
      if (other) problems.push({ where: other.where, message: `task ${taskId}: trial ${other.trial}'s system prompt differs from trial ${kept.trial}'s; the prompt keeps trial ${kept.trial}'s` });
    }
    prompts.push(record);
  }
  return { format: FORMAT, prompts, problems, summary: summarize({ prompts, unit: "task", format: "τ-bench", skipped: { count: skipped, unit: "record" } }) };
}

export const tauBench: Importer = {
  name: FORMAT,
  label: "τ-bench results",
  detect: (files) => candidates(files).some(looksLikeResults),
  read,
};
