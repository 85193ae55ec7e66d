// What the importers share: reading a file's bytes as text, the steps of OpenAI- and
// Anthropic-style chat messages, the plain-text rendering of a trajectory that each sample also
// carries (the analysis of today reads a sample's `text`; the steps are the trajectory itself),
// and the one-sentence summary every importer ends with.
import { numberKey } from "../core/answers";
import type { PromptRecord, TrajectoryStep } from "../core/types";
import type { InputFile } from "./types";

const DECODER = new TextDecoder("utf-8");

/** A file's bytes as text (UTF-8, without a byte-order mark). */
export function fileText(file: InputFile): string {
  const text = DECODER.decode(file.bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The first `n` characters of a file, for the cheap checks of `detect`. */
export function fileHead(file: InputFile, n = 64 * 1024): string {
  const text = DECODER.decode(file.bytes.subarray(0, Math.min(file.bytes.length, n * 4)));
  return (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).slice(0, n);
}

/** How a JSON value is named in a message: "null", "an array", "an object", "a string". */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "missing";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** A JSON.parse error in a few words. */
export function jsonError(e: unknown): string {
  // on one line: Node quotes the text around the error, newlines included
  return `not valid JSON (${(e instanceof Error ? e.message.replace(/^JSON\.parse: /, "") : String(e)).replace(/\s+/g, " ")})`;
}

/** A call's arguments as a JSON value: a JSON string parsed, a string that does not parse kept as it is, anything else as it is. */
export function parseArguments(raw: unknown): unknown {
  if (typeof raw !== "string") return raw ?? {};
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * The text of a message's `content`: a string; or an array of parts, the text of its `text`
 * parts (OpenAI `{type: "text", text}`, Anthropic `{type: "text", text}`) joined by newlines;
 * null or absent: "". Parts that are not text are counted in `leftOut` by their type.
 */
export function contentText(content: unknown, leftOut?: Map<string, number>): string | null {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return null;
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === "string") texts.push(part);
    else if (isObject(part) && (part.type === "text" || part.type === "input_text" || part.type === "output_text") && typeof part.text === "string") texts.push(part.text);
    else if (leftOut) {
      const type = isObject(part) && typeof part.type === "string" ? part.type : describe(part);
      leftOut.set(type, (leftOut.get(type) ?? 0) + 1);
    }
  }
  return texts.join("\n");
}

/** "image ×2, document": what a record had that is not text, for a problem's message. */
export function leftOutWords(leftOut: Map<string, number>): string {
  return [...leftOut].map(([type, n]) => (n > 1 ? `${type} ×${n}` : type)).join(", ");
}

/**
 * The system prompt of a conversation: the text of its system / developer messages (OpenAI) and
 * a top-level `system` (Anthropic: a string or text blocks), joined by a blank line; null when it
 * has none. Kept beside the trajectory (the trace set's `system`) so a rerun from a point of a
 * run sends the policy the agent ran under.
 */
export function systemText(messages: readonly unknown[], top?: unknown): string | null {
  const parts: string[] = [];
  const unused = new Map<string, number>();
  if (top !== undefined && top !== null) {
    const t = contentText(top, unused);
    if (t !== null && t.trim() !== "") parts.push(t);
  }
  for (const m of messages) {
    if (!isObject(m) || (m.role !== "system" && m.role !== "developer")) continue;
    const t = contentText(m.content, unused);
    if (t !== null && t.trim() !== "") parts.push(t);
  }
  return parts.length > 0 ? parts.join("\n\n") : null;
}

/** Steps of one OpenAI chat-completions message, or the reason it cannot be read. System and developer messages give no step. */
export function openAiMessageSteps(m: Record<string, unknown>, leftOut: Map<string, number>): TrajectoryStep[] | string {
  const role = m.role;
  const steps: TrajectoryStep[] = [];
  if (role === "system" || role === "developer") return steps;
  if (role === "user") {
    const text = contentText(m.content, leftOut);
    if (text === null) return `"content" is ${describe(m.content)}, not text`;
    steps.push({ kind: "user", text });
    return steps;
  }
  if (role === "assistant") {
    // reasoning as some OpenAI-compatible servers return it (DeepSeek, vLLM: reasoning_content)
    const reasoning = typeof m.reasoning_content === "string" ? m.reasoning_content : typeof m.reasoning === "string" ? m.reasoning : "";
    if (reasoning.trim() !== "") steps.push({ kind: "reasoning", text: reasoning });
    const text = contentText(m.content, leftOut);
    if (text === null) return `"content" is ${describe(m.content)}, not text`;
    if (text.trim() !== "") steps.push({ kind: "text", text });
    const calls = m.tool_calls ?? [];
    if (!Array.isArray(calls)) return `"tool_calls" is ${describe(calls)}, not an array`;
    for (let k = 0; k < calls.length; k++) {
      const c = calls[k] as unknown;
      const fn = isObject(c) ? c.function : undefined;
      if (!isObject(c) || !isObject(fn) || typeof fn.name !== "string" || fn.name === "")
        return `tool_calls[${k}] has no function name (expected {id, type: "function", function: {name, arguments}})`;
      const step: TrajectoryStep = { kind: "tool_call", name: fn.name, arguments: parseArguments(fn.arguments) };
      if (typeof c.id === "string") step.id = c.id;
      steps.push(step);
    }
    // the legacy single call
    if (isObject(m.function_call) && typeof m.function_call.name === "string")
      steps.push({ kind: "tool_call", name: m.function_call.name, arguments: parseArguments(m.function_call.arguments) });
    return steps;
  }
  if (role === "tool" || role === "function") {
    const text = contentText(m.content, leftOut);
    if (text === null) return `"content" is ${describe(m.content)}, not text`;
    const step: TrajectoryStep = { kind: "tool_result", text };
    if (typeof m.tool_call_id === "string") step.id = m.tool_call_id;
    if (typeof m.name === "string") step.name = m.name;
    steps.push(step);
    return steps;
  }
  return `has role ${JSON.stringify(role)} (expected system, user, assistant or tool)`;
}

/** Block types only Anthropic's Messages format has: a message with one of them is read as Anthropic's. */
const ANTHROPIC_BLOCKS = new Set(["thinking", "redacted_thinking", "tool_use", "tool_result", "server_tool_use"]);

/** Whether a message is in Anthropic's Messages shape (content blocks of its own kinds). */
export function isAnthropicMessage(m: Record<string, unknown>): boolean {
  return Array.isArray(m.content) && m.content.some((b) => isObject(b) && typeof b.type === "string" && ANTHROPIC_BLOCKS.has(b.type));
}

/**
 * Steps of one Anthropic Messages message, or the reason it cannot be read: `text` blocks (user
 * turns in a user message, visible text in an assistant's), `thinking` (reasoning), `tool_use`
 * (a call: name, input, id), `tool_result` (tool_use_id, its text content, is_error). Other
 * blocks (images, redacted thinking) are counted in `leftOut`.
 */
export function anthropicMessageSteps(m: Record<string, unknown>, leftOut: Map<string, number>): TrajectoryStep[] | string {
  const role = m.role;
  if (role === "system") return [];
  if (role !== "user" && role !== "assistant") return `has role ${JSON.stringify(role)} (expected user or assistant)`;
  const textKind = role === "user" ? "user" : "text";
  if (typeof m.content === "string") return [{ kind: textKind, text: m.content }];
  if (!Array.isArray(m.content)) return `"content" is ${describe(m.content)}, not text or an array of blocks`;
  const steps: TrajectoryStep[] = [];
  for (let k = 0; k < m.content.length; k++) {
    const b = m.content[k] as unknown;
    const type = isObject(b) ? b.type : undefined;
    if (!isObject(b) || typeof type !== "string") return `content[${k}] is ${describe(b)}, not a block with a "type"`;
    if (type === "text") {
      if (typeof b.text !== "string") return `content[${k}] (text) has no "text"`;
      if (b.text.trim() !== "" || role === "user") steps.push({ kind: textKind, text: b.text });
    } else if (type === "thinking") {
      if (typeof b.thinking !== "string") return `content[${k}] (thinking) has no "thinking"`;
      steps.push({ kind: "reasoning", text: b.thinking });
    } else if (type === "tool_use" || type === "server_tool_use") {
      if (typeof b.name !== "string" || b.name === "") return `content[${k}] (${type}) has no "name"`;
      const step: TrajectoryStep = { kind: "tool_call", name: b.name, arguments: parseArguments(b.input) };
      if (typeof b.id === "string") step.id = b.id;
      steps.push(step);
    } else if (type === "tool_result") {
      const text = contentText(b.content, leftOut);
      if (text === null) return `content[${k}] (tool_result) has "content" ${describe(b.content)}, not text`;
      const step: TrajectoryStep = { kind: "tool_result", text };
      if (typeof b.tool_use_id === "string") step.id = b.tool_use_id;
      if (b.is_error === true) step.isError = true;
      steps.push(step);
    } else leftOut.set(type, (leftOut.get(type) ?? 0) + 1);
  }
  return steps;
}

/** Steps of a chat message in either shape (Anthropic's when it has Anthropic blocks, else OpenAI's). */
export function chatMessageSteps(m: Record<string, unknown>, leftOut: Map<string, number>): TrajectoryStep[] | string {
  return isAnthropicMessage(m) ? anthropicMessageSteps(m, leftOut) : openAiMessageSteps(m, leftOut);
}

/** Gives each tool result without a name the name of the call it answers (the latest earlier call with its id). */
export function nameResults(steps: TrajectoryStep[]): void {
  const names = new Map<string, string>();
  for (const s of steps) {
    if (s.kind === "tool_call" && s.id !== undefined && s.name !== undefined) names.set(s.id, s.name);
    else if (s.kind === "tool_result" && s.name === undefined && s.id !== undefined) {
      const name = names.get(s.id);
      if (name !== undefined) s.name = name;
    }
  }
}

/** Characters of a tool result shown in the text rendering (the step keeps all of it). */
export const RESULT_PREVIEW = 300;

function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/**
 * A trajectory as plain text, one paragraph per step, for the analysis that reads a sample's
 * `text`: user turns as "User: …", reasoning as "(thinking) …", visible text as it is, a tool
 * call as "→ name {arguments as JSON}", a result as "← name: …" (its first 300 characters on
 * one line; "← name (error): …" for an error).
 */
export function renderSteps(steps: TrajectoryStep[]): string {
  const out: string[] = [];
  for (const s of steps) {
    if (s.kind === "user") out.push(`User: ${s.text ?? ""}`);
    else if (s.kind === "reasoning") out.push(`(thinking) ${s.text ?? ""}`);
    else if (s.kind === "text") out.push(s.text ?? "");
    else if (s.kind === "tool_call") out.push(`→ ${s.name ?? "tool"} ${typeof s.arguments === "string" ? s.arguments : JSON.stringify(s.arguments ?? {})}`);
    else out.push(`← ${s.name ?? "result"}${s.isError ? " (error)" : ""}: ${oneLine(s.text ?? "", RESULT_PREVIEW)}`);
  }
  return out.join("\n\n");
}

/** The answer that makes answer classes mean outcome: "reward=1", "reward=0", "reward=0.5" (a key that normalises to itself, so the class reads as it was written). */
export function rewardAnswer(reward: number): string {
  return `reward=${numberKey(reward)}`;
}

/** Whether a value is a reward: a finite number in [0, 1]. */
export const isReward = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Tool calls over every sample of every prompt. */
export function countToolCalls(prompts: PromptRecord[]): number {
  let n = 0;
  for (const p of prompts) for (const s of p.samples) for (const step of s.steps ?? []) if (step.kind === "tool_call") n++;
  return n;
}

/**
 * The sentence that says what was found: "25 tasks × 4 runs, 577 tool calls; format τ-bench"
 * ("2–4 runs" when prompts differ), then what was skipped ("; 1 record skipped").
 */
export function summarize(o: { prompts: PromptRecord[]; unit: string; format: string; skipped?: { count: number; unit: string }; note?: string }): string {
  const counts = o.prompts.map((p) => p.samples.length);
  const lo = counts.length ? Math.min(...counts) : 0;
  const hi = counts.length ? Math.max(...counts) : 0;
  const runs = lo === hi ? plural(hi, "run") : `${lo}–${hi} runs`;
  let s = `${plural(o.prompts.length, o.unit)} × ${runs}, ${plural(countToolCalls(o.prompts), "tool call")}; format ${o.format}`;
  if (o.note) s += ` (${o.note})`;
  if (o.skipped && o.skipped.count > 0) s += `; ${plural(o.skipped.count, o.skipped.unit)} skipped`;
  return s;
}
