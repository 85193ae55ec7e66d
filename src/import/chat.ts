// Chat conversations, one per line (JSON Lines; or a JSON array of them), in OpenAI's chat format
// ({messages: [{role, content, tool_calls}, {role: "tool", tool_call_id, content}]}) or
// Anthropic's Messages format ({system?, messages: [{role, content: [{type: "text" | "thinking" |
// "tool_use" | "tool_result", …}]}]}), each message read in its own shape. Conversations are
// grouped into prompts by a key on the line (the first of GROUP_KEYS present), else by their
// first user message; each conversation is one run. Optional per line: `reward` (in [0, 1]),
// `correct`, `answer`, `model`. A line that cannot be read is skipped and named (file:line).
import type { PromptRecord, Sample, TrajectoryStep } from "../core/types";
import { chatMessageSteps, describe, fileHead, fileText, isObject, isReward, jsonError, leftOutWords, nameResults, renderSteps, rewardAnswer, summarize, systemText } from "./common";
import type { Importer, ImportProblem, ImportResult, InputFile } from "./types";

export const FORMAT = "chat";

/** The fields that name a conversation's prompt, in the order they are looked for. */
export const GROUP_KEYS = ["group", "task_id", "prompt_id", "question_id", "problem_id", "id"] as const;

/** The files the chat reader takes: a lone file whatever its name; in a folder, .jsonl, .ndjson and .json files. */
function candidates(files: InputFile[]): InputFile[] {
  return files.length === 1 ? files : files.filter((f) => /\.(jsonl|ndjson|json)$/i.test(f.path));
}

/** A conversation: an object with a non-empty array of messages that have roles. */
function isConversation(v: unknown): boolean {
  return isObject(v) && Array.isArray(v.messages) && v.messages.length > 0 && v.messages.every((m) => isObject(m) && typeof m.role === "string");
}

/** Whether the file's first line (or the first element of its array) is a conversation. */
function looksLikeChat(file: InputFile): boolean {
  const head = fileHead(file).trimStart();
  if (head.startsWith("[")) {
    try {
      const all = JSON.parse(fileText(file)) as unknown;
      return Array.isArray(all) && all.length > 0 && isConversation(all[0]);
    } catch {
      return false;
    }
  }
  const first = head.split("\n", 1)[0] ?? "";
  try {
    return isConversation(JSON.parse(first));
  } catch {
    return false;
  }
}

/** The conversations of a file, each with where it is ("file:line" or "file#index"). */
function* conversations(file: InputFile, problems: ImportProblem[]): Generator<{ where: string; value: unknown } | { where: string; error: string }> {
  const text = fileText(file);
  if (text.trimStart().startsWith("[")) {
    let all: unknown;
    try {
      all = JSON.parse(text);
    } catch (e) {
      problems.push({ where: file.path, message: `${jsonError(e)}; file skipped` });
      return;
    }
    if (Array.isArray(all)) {
      for (let i = 0; i < all.length; i++) yield { where: `${file.path}#${i}`, value: all[i] };
      return;
    }
  }
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const where = `${file.path}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      yield { where, error: jsonError(e) };
      continue;
    }
    yield { where, value };
  }
}

interface Conversation {
  /** The group key: "k:" + a key's value, or "u:" + the first user message. */
  group: string;
  /** The key's name and value, for the prompt's id (null: grouped by the first user message). */
  key: string | null;
  keyValue: string | null;
  firstUser: string | null;
  /** Its system prompt (system / developer messages, or Anthropic's top-level system). */
  system: string | null;
  model: string | null;
  sample: Sample;
}

/** One conversation, or why it cannot be read; what it had that is not text goes in `leftOut`. */
function readConversation(v: unknown, leftOut: Map<string, number>): Conversation | string {
  if (!isObject(v)) return `is ${describe(v)}, not a conversation ({messages: [...]})`;
  if (!Array.isArray(v.messages)) return `"messages" is ${describe(v.messages)}, not an array of messages`;
  const steps: TrajectoryStep[] = [];
  for (let k = 0; k < v.messages.length; k++) {
    const m = v.messages[k] as unknown;
    if (!isObject(m)) return `messages[${k}] is ${describe(m)}, not a message`;
    const got = chatMessageSteps(m, leftOut);
    if (typeof got === "string") return `messages[${k}] ${got}`;
    steps.push(...got);
  }
  nameResults(steps);
  if (!steps.some((s) => s.kind !== "user")) return "has no assistant message: nothing the model did";
  const sample: Sample = { text: renderSteps(steps), steps };
  const reward = v.reward ?? null;
  if (reward !== null && !isReward(reward)) return `"reward" is ${JSON.stringify(reward)}, not a number in [0, 1]`;
  const correct = v.correct ?? null;
  if (correct !== null && typeof correct !== "boolean") return `"correct" is ${JSON.stringify(correct)}, not true or false`;
  if (Object.hasOwn(v, "answer") && v.answer !== null && typeof v.answer !== "string" && !(typeof v.answer === "number" && Number.isFinite(v.answer)))
    return `"answer" is ${describe(v.answer)}, not a string or a number`;
  if (reward !== null) sample.reward = reward;
  if (correct !== null) sample.correct = correct;
  // the line's own answer; else, with a reward, the outcome ("reward=1"); else read from the text
  if (Object.hasOwn(v, "answer")) sample.answer = v.answer as string | number | null;
  else if (reward !== null) sample.answer = rewardAnswer(reward);
  const firstUser = steps.find((s) => s.kind === "user")?.text ?? null;
  let key: string | null = null;
  let keyValue: string | null = null;
  for (const k of GROUP_KEYS) {
    const x = v[k];
    if ((typeof x === "string" && x !== "") || (typeof x === "number" && Number.isFinite(x))) {
      key = k;
      keyValue = String(x);
      break;
    }
  }
  if (keyValue === null && firstUser === null) return `has no ${GROUP_KEYS.join(" / ")} and no user message to group it by`;
  return {
    group: keyValue !== null ? `k:${keyValue}` : `u:${firstUser}`,
    key,
    keyValue,
    firstUser,
    system: systemText(v.messages, v.system),
    model: typeof v.model === "string" ? v.model : null,
    sample,
  };
}

function read(files: InputFile[]): ImportResult {
  const problems: ImportProblem[] = [];
  const groups = new Map<string, Conversation[]>();
  let skipped = 0;
  /** How the conversations were grouped: by which key, or (null) by the first user message. */
  const how = new Set<string | null>();
  for (const file of candidates(files)) {
    for (const c of conversations(file, problems)) {
      const { where } = c;
      const leftOut = new Map<string, number>();
      const got = "error" in c ? c.error : readConversation(c.value, leftOut);
      if (typeof got === "string") {
        problems.push({ where, message: `${got}; skipped` });
        skipped++;
        continue;
      }
      if (leftOut.size > 0) problems.push({ where, message: `parts that are not text left out (${leftOutWords(leftOut)})` });
      how.add(got.key);
      let list = groups.get(got.group);
      if (!list) groups.set(got.group, (list = []));
      list.push(got);
    }
  }

  const prompts: PromptRecord[] = [];
  const ids = new Set<string>();
  let unnamed = 0;
  for (const list of groups.values()) {
    const first = list[0]!;
    let id = first.keyValue ?? `chat-${++unnamed}`;
    if (ids.has(id)) {
      let k = 2;
      while (ids.has(`${id}-${k}`)) k++;
      id = `${id}-${k}`;
    }
    ids.add(id);
    const record: PromptRecord = { id, samples: list.map((c, index) => ({ ...c.sample, index })) };
    if (first.firstUser !== null) record.prompt = first.firstUser;
    // the first conversation's system prompt (conversations grouped by their first user message may differ in it: the rerun sends the first)
    const system = list.find((c) => c.system !== null)?.system;
    if (system) record.system = system;
    const models = new Set(list.map((c) => c.model));
    if (models.size === 1 && first.model !== null) record.model = first.model;
    prompts.push(record);
  }
  const words = [...how].map((k) => (k === null ? "the first user message" : `"${k}"`));
  const note = words.length > 0 ? `grouped by ${words.join(", ")}` : undefined;
  return { format: FORMAT, prompts, problems, summary: summarize({ prompts, unit: "prompt", format: "chat", note, skipped: { count: skipped, unit: "conversation" } }) };
}

export const chat: Importer = {
  name: FORMAT,
  label: "chat conversations in OpenAI or Anthropic messages, one per line",
  detect: (files) => candidates(files).some(looksLikeChat),
  read,
};
