// Inspect AI evaluation logs, `.json` and `.eval`. Follows Inspect's own log schema
// (UKGovernmentBEIS/inspect_ai: src/inspect_ai/log/_log.py — EvalLog {version, status, eval,
// plan, results, stats, samples}, EvalSample {id, epoch, input, target, messages, output,
// scores, attachments, error}; model/_chat_message.py — ChatMessageSystem/User/Assistant/Tool;
// _util/content.py — ContentText, ContentReasoning, ContentToolUse; tool/_tool_call.py — ToolCall
// {id, function, arguments}, ToolCallError; scorer/_metric.py — Score {value, answer} and the
// C/I/P/N letters) and its `.eval` layout (log/_recorders/eval.py: a zip with start.json or
// header.json or _journal/start.json, and one samples/<id>_epoch_<n>.json per sample).
//
// Mapping:
// - Epochs of a sample are its reruns: one prompt per sample id (prefixed with the task, and the
//   model, when the files hold several), one sample per epoch (index = epoch − 1).
// - Steps from the sample's messages: system messages are left out; user → user; assistant
//   content: reasoning → reasoning (its summary when redacted), text → text, a server-side
//   tool_use part → tool_call + tool_result; the assistant's tool_calls → tool_call (function
//   as name, arguments, id); tool messages → tool_result (the function as name, the call id,
//   isError when the message has an error). `attachment://` references are resolved from the
//   sample's attachments.
// - Scores: a value is read as Inspect's value_to_float does — numbers and booleans as they
//   are, "C" → 1, "I" → 0, "P" → 0.5, "N" → 0, yes/true → 1, no/false → 0, numeric strings as
//   numbers. reward is the first scorer's value when it lies in [0, 1] (values outside are said
//   once per file and not used), and correct = reward ≥ 1 − 1e-6. With several scorers, every
//   scorer whose value is exactly 0 or 1 is also an outcome. The first scorer's `answer`, when
//   it has one, is the sample's answer.
// - text: output.completion, else the last assistant text; the prompt's text is the input (a
//   string, or its user messages' text joined); reference: the target when it is one string.
import { unzipSync } from "fflate";
import type { PromptRecord, Sample, TrajectoryStep } from "../core/types";
import type { ImportProblem, ImportResult, Importer, InputFile } from "./types";
import { headOf, isObject, lastText, parseArguments, str, summarize, textOf } from "./records";

const LABEL = "Inspect AI";

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

const HEADER_NAMES = ["header.json", "_journal/start.json", "start.json"];

/** The entry names of a zip (reads only its directory). */
function zipNames(bytes: Uint8Array): string[] {
  const names: string[] = [];
  unzipSync(bytes, {
    filter: (f) => {
      names.push(f.name);
      return false;
    },
  });
  return names;
}

function looksLikeJsonLog(bytes: Uint8Array): boolean {
  const head = headOf(bytes, 4096);
  return /^\s*\{\s*"version"\s*:\s*\d+\s*,\s*"status"\s*:\s*"/.test(head) && /"eval"\s*:\s*\{/.test(head);
}

function detectOne(f: InputFile): boolean {
  if (isZip(f.bytes)) {
    try {
      const names = zipNames(f.bytes);
      return names.some((n) => HEADER_NAMES.includes(n)) && names.some((n) => /^samples\/.+\.json$/.test(n));
    } catch {
      return false;
    }
  }
  return looksLikeJsonLog(f.bytes);
}

/** A score value as Inspect's value_to_float reads it; null when it is not a scalar it can read. */
export function scoreValue(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v !== "string") return null;
  if (v === "C") return 1;
  if (v === "I" || v === "N") return 0;
  if (v === "P") return 0.5;
  const l = v.trim().toLowerCase();
  if (l === "yes" || l === "true") return 1;
  if (l === "no" || l === "false") return 0;
  if (l !== "" && Number.isFinite(Number(l))) return Number(l);
  return null;
}

/** Replaces `attachment://key` strings anywhere inside `x` by the sample's attachments. */
function resolveAttachments(x: unknown, attachments: Record<string, unknown>): unknown {
  if (typeof x === "string") {
    if (x.startsWith("attachment://")) {
      const hit = attachments[x.slice("attachment://".length)];
      return typeof hit === "string" ? hit : x;
    }
    return x;
  }
  if (Array.isArray(x)) return x.map((e) => resolveAttachments(e, attachments));
  if (isObject(x)) {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) o[k] = resolveAttachments(v, attachments);
    return o;
  }
  return x;
}

/** The text of a message's content: the string, or its text parts joined by newlines. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((p) => isObject(p) && p.type === "text" && typeof p.text === "string")
    .map((p) => (p as { text: string }).text)
    .join("\n");
}

function messageSteps(messages: unknown[], where: string): TrajectoryStep[] {
  const steps: TrajectoryStep[] = [];
  messages.forEach((m, i) => {
    if (!isObject(m)) throw new Error(`${where}.messages[${i}] is not an object`);
    const role = m.role;
    if (role === "system") return;
    if (role === "user") {
      const text = contentText(m.content);
      if (text !== "") steps.push({ kind: "user", text });
      return;
    }
    if (role === "tool") {
      const step: TrajectoryStep = { kind: "tool_result", text: contentText(m.content) };
      if (typeof m.function === "string") step.name = m.function;
      if (typeof m.tool_call_id === "string") step.id = m.tool_call_id;
      if (isObject(m.error)) {
        step.isError = true;
        if (step.text === "" && typeof m.error.message === "string") step.text = m.error.message;
      }
      steps.push(step);
      return;
    }
    if (role !== "assistant") throw new Error(`${where}.messages[${i}] has role ${JSON.stringify(role)}`);
    if (typeof m.reasoning === "string" && m.reasoning !== "") steps.push({ kind: "reasoning", text: m.reasoning });
    if (typeof m.content === "string") {
      if (m.content !== "") steps.push({ kind: "text", text: m.content });
    } else if (Array.isArray(m.content)) {
      for (const part of m.content) {
        if (!isObject(part)) continue;
        if (part.type === "reasoning") {
          const text = part.redacted === true ? str(part.summary) ?? "" : str(part.reasoning) ?? "";
          if (text !== "") steps.push({ kind: "reasoning", text });
        } else if (part.type === "text" && typeof part.text === "string" && part.text !== "") {
          steps.push({ kind: "text", text: part.text });
        } else if (part.type === "tool_use" && typeof part.name === "string") {
          const id = str(part.id);
          steps.push({ kind: "tool_call", name: part.name, arguments: parseArguments(part.arguments), ...(id ? { id } : {}) });
          const result: TrajectoryStep = { kind: "tool_result", name: part.name, text: str(part.result) ?? "" };
          if (id) result.id = id;
          if (typeof part.error === "string" && part.error !== "") {
            result.isError = true;
            if (result.text === "") result.text = part.error;
          }
          steps.push(result);
        }
      }
    }
    if (Array.isArray(m.tool_calls)) {
      m.tool_calls.forEach((c, j) => {
        if (!isObject(c) || typeof c.function !== "string") throw new Error(`${where}.messages[${i}].tool_calls[${j}] has no function name`);
        const step: TrajectoryStep = { kind: "tool_call", name: c.function, arguments: parseArguments(c.arguments ?? {}) };
        if (typeof c.id === "string") step.id = c.id;
        steps.push(step);
      });
    }
  });
  return steps;
}

interface Spec {
  task: string;
  model?: string;
}

interface Read {
  spec: Spec;
  id: string;
  epoch: number;
  prompt?: string;
  reference?: string;
  sample: Sample;
}

interface ScoreState {
  outOfRange: string | null;
}

function readSample(raw: unknown, where: string, spec: Spec, scores: ScoreState): Read {
  if (!isObject(raw)) throw new Error("not an object");
  const sample0 = isObject(raw.attachments) ? (resolveAttachments(raw, raw.attachments) as Record<string, unknown>) : raw;
  const rid = sample0.id;
  if (typeof rid !== "string" && typeof rid !== "number") throw new Error('no sample "id"');
  const epoch = sample0.epoch;
  if (typeof epoch !== "number" || !Number.isInteger(epoch) || epoch < 1) throw new Error('no "epoch" (a whole number from 1)');
  const messages = sample0.messages;
  if (messages !== undefined && !Array.isArray(messages)) throw new Error('"messages" is not an array');

  const steps = messageSteps(messages ?? [], where);
  const input = sample0.input;
  const promptText =
    typeof input === "string"
      ? input
      : Array.isArray(input)
        ? input
            .filter((m) => isObject(m) && m.role === "user")
            .map((m) => contentText((m as Record<string, unknown>).content))
            .join("\n")
        : undefined;
  const output = isObject(sample0.output) ? sample0.output : {};
  const completion = str(output.completion);
  if (steps.length === 0) {
    // A log without messages (a summary, or an old writer): the input and the completion.
    if (promptText) steps.push({ kind: "user", text: promptText });
    if (completion) steps.push({ kind: "text", text: completion });
  }

  const sample: Sample = { steps, index: epoch - 1 };
  const text = completion || lastText(steps);
  if (text !== undefined) sample.text = text;

  if (isObject(sample0.scores)) {
    const entries = Object.entries(sample0.scores).filter(([, s]) => isObject(s)) as [string, Record<string, unknown>][];
    const first = entries[0];
    if (first) {
      const v = scoreValue(first[1].value);
      if (v !== null && v >= 0 && v <= 1) {
        sample.reward = v;
        sample.correct = v >= 1 - 1e-6;
      } else if (v !== null && scores.outOfRange === null) {
        scores.outOfRange = `${first[0]} = ${v}`;
      }
      const answer = first[1].answer;
      if (typeof answer === "string") sample.answer = answer;
    }
    if (entries.length > 1) {
      const outcomes: Record<string, number> = {};
      for (const [name, s] of entries) {
        const v = scoreValue(s.value);
        if (v === 0 || v === 1) outcomes[name] = v;
      }
      if (Object.keys(outcomes).length) sample.outcomes = outcomes;
    }
  }

  const read: Read = { spec, id: String(rid), epoch, sample };
  if (promptText) read.prompt = promptText;
  if (typeof sample0.target === "string" && sample0.target !== "") read.reference = sample0.target;
  return read;
}

function specOf(header: unknown): Spec {
  const ev = isObject(header) && isObject(header.eval) ? header.eval : {};
  const spec: Spec = { task: str(ev.task) ?? "task" };
  const model = str(ev.model);
  if (model) spec.model = model;
  return spec;
}

function readZip(f: InputFile, problems: ImportProblem[], out: Read[]): void {
  const skipped: string[] = [];
  const files = unzipSync(f.bytes, {
    filter: (info) => {
      const wanted = HEADER_NAMES.includes(info.name) || /^samples\/.+\.json$/.test(info.name);
      if (!wanted) return false;
      if (info.compression !== 0 && info.compression !== 8) {
        skipped.push(info.name);
        return false;
      }
      return true;
    },
  });
  for (const name of skipped) problems.push({ where: `${f.path}#${name}`, message: "compressed with a method other than deflate (e.g. deflate64); entry skipped" });
  let header: unknown;
  for (const name of HEADER_NAMES) {
    const b = files[name];
    if (!b) continue;
    try {
      header = JSON.parse(textOf(b));
      break;
    } catch (e) {
      problems.push({ where: `${f.path}#${name}`, message: `not JSON (${(e as Error).message})` });
    }
  }
  const spec = specOf(header);
  const scores: ScoreState = { outOfRange: null };
  const names = Object.keys(files)
    .filter((n) => n.startsWith("samples/"))
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  for (const name of names) {
    const where = `${f.path}#${name}`;
    let raw: unknown;
    try {
      raw = JSON.parse(textOf(files[name]!));
    } catch (e) {
      problems.push({ where, message: `not JSON (${(e as Error).message}); sample skipped` });
      continue;
    }
    try {
      out.push(readSample(raw, where, spec, scores));
    } catch (e) {
      problems.push({ where, message: `${(e as Error).message}; sample skipped` });
    }
  }
  if (scores.outOfRange) problems.push({ where: f.path, message: `scores outside [0, 1] (${scores.outOfRange}) are not used as rewards` });
}

function readJson(f: InputFile, problems: ImportProblem[], out: Read[]): void {
  let log: unknown;
  try {
    log = JSON.parse(textOf(f.bytes));
  } catch (e) {
    problems.push({ where: f.path, message: `not JSON (${(e as Error).message}); file skipped` });
    return;
  }
  if (!isObject(log) || !Array.isArray(log.samples)) {
    problems.push({ where: f.path, message: 'no "samples" array (a log written without samples?); file skipped' });
    return;
  }
  const spec = specOf(log);
  const scores: ScoreState = { outOfRange: null };
  log.samples.forEach((raw, i) => {
    const where = `${f.path}#samples[${i}]`;
    try {
      out.push(readSample(raw, where, spec, scores));
    } catch (e) {
      problems.push({ where, message: `${(e as Error).message}; sample skipped` });
    }
  });
  if (scores.outOfRange) problems.push({ where: f.path, message: `scores outside [0, 1] (${scores.outOfRange}) are not used as rewards` });
}

export const inspectImporter: Importer = {
  name: "inspect",
  label: "Inspect AI log",
  detect(files) {
    return files.length > 0 && files.some(detectOne);
  },
  read(files) {
    const problems: ImportProblem[] = [];
    const reads: Read[] = [];
    for (const f of files) {
      if (isZip(f.bytes)) {
        try {
          readZip(f, problems, reads);
        } catch (e) {
          problems.push({ where: f.path, message: `not a readable zip (${(e as Error).message}); file skipped` });
        }
      } else if (looksLikeJsonLog(f.bytes) || /\.json$/i.test(f.path)) {
        readJson(f, problems, reads);
      } else {
        problems.push({ where: f.path, message: "not an Inspect AI log (.eval or .json); file skipped" });
      }
    }

    const specKeys = new Set(reads.map((r) => `${r.spec.task}\u0000${r.spec.model ?? ""}`));
    const tasks = new Set(reads.map((r) => r.spec.task));
    const byKey = new Map<string, { record: PromptRecord; epochs: Map<number, Sample> }>();
    for (const r of reads) {
      let id = r.id;
      if (specKeys.size > 1) id = tasks.size === specKeys.size ? `${r.spec.task}/${r.id}` : `${r.spec.task}@${r.spec.model ?? "?"}/${r.id}`;
      let entry = byKey.get(id);
      if (!entry) {
        const record: PromptRecord = { id, samples: [] };
        if (r.prompt !== undefined) record.prompt = r.prompt;
        if (r.reference !== undefined) record.reference = r.reference;
        if (r.spec.model) record.model = r.spec.model;
        entry = { record, epochs: new Map() };
        byKey.set(id, entry);
      }
      if (entry.epochs.has(r.epoch)) {
        problems.push({ where: id, message: `epoch ${r.epoch} appears twice; the second is skipped` });
        continue;
      }
      entry.epochs.set(r.epoch, r.sample);
    }
    const prompts: PromptRecord[] = [];
    for (const { record, epochs } of byKey.values()) {
      record.samples = [...epochs.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
      prompts.push(record);
    }
    return { format: "inspect", prompts, problems, summary: summarize(prompts, "task", LABEL, problems) } satisfies ImportResult;
  },
};
