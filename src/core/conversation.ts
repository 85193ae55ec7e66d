// A conversation prefix (issue "rerun an agent from any point"): the system prompt, the turns so
// far and the tools declared, in one neutral form that both providers' formats read into and
// are written from. Pure: no SDK, no I/O.
//
// - Blocks keep what the APIs need passed back exactly: a thinking block's signature, a
//   redacted thinking block's data, a tool call's id (results pair with calls by id).
// - A tool call's `arguments` is its JSON value (a string only when the source's arguments did
//   not parse as JSON); a result's `content` is text.
//
// The normal form, which `checkConversation` enforces and the converters rely on:
// - Turns alternate, starting with the user's. The readers (`parseConversation`,
//   `conversationFromTrajectory`) merge consecutive messages of one role into one turn, as
//   Anthropic does with consecutive user turns and as OpenAI's tool messages + the next user
//   message are one turn of the other side; `checkConversation` refuses a hand-built
//   conversation with two turns of one role in a row (`mergeTurns` fixes it).
// - An assistant turn holds text, thinking, redacted thinking and tool calls; a user turn holds
//   tool results first, then text (Anthropic requires results first; OpenAI then gets the tool
//   messages right after the assistant message and the text as a user message after them).
// - Every tool call of an assistant turn is answered in the very next (user) turn, and only
//   there; call ids are unique; every call names a declared tool.
// - The prefix ends with a user turn (text or tool results): the next assistant turn is what is
//   sampled. Ending with an assistant turn is refused — with unanswered calls there is a result
//   missing, without calls there is nothing to answer (an assistant prefill is not supported).
//
// Reading (`parseConversation`): a prefix `{"system"?, "messages": [...], "tools"?: [...]}` (a
// bare array is its messages; a string is JSON text; other top-level keys — model, max_tokens,
// tool_choice… of a pasted request body — are ignored). The format is told from the shapes:
// OpenAI chat (system/developer/tool roles, `tool_calls`, `tool_call_id`, function tools) or
// Anthropic Messages (system as blocks, thinking/tool_use/tool_result/… blocks, `input_schema`
// tools); a prefix with marks of both is refused, naming one of each. A prefix of text turns
// only reads the same either way (reported "anthropic" when it has a top-level system, else
// "openai"). Decisions, each also in `notes` when it drops something:
// - Text only: an image, audio, file or document part is an error naming it (a rerun from a
//   prefix that is not the recorded one would answer a different question); blank text parts
//   are dropped (Anthropic refuses them; OpenAI writes `content: ""` beside tool calls).
// - System: OpenAI system/developer messages before the first turn and a top-level `system`
//   (string, or Anthropic's text blocks) are joined by a blank line; a system message after the
//   first turn is an error (the neutral form has one system prompt).
// - OpenAI `reasoning_content` / `reasoning` (DeepSeek, vLLM…) is dropped and noted: OpenAI-style
//   servers do not take reasoning back, and it has no signature Anthropic could verify.
// - Several text parts of one OpenAI tool message or Anthropic tool_result are joined by a blank
//   line (a result is text); an OpenAI `refusal` is the assistant's text; the legacy
//   `function_call` / role `function`, non-function tools (OpenAI custom tools, Anthropic server
//   tools: web search, bash, text editor…) and server tool blocks are errors.
// - Arguments: an OpenAI arguments string that parses as JSON is its value (blank is {}); one
//   that does not is kept as the raw string. Anthropic's `cache_control` is not kept
//   (`toAnthropic` places its own); OpenAI's `function.strict` is dropped and noted.
// - Each block remembers where it was read from (`sources`), so `checkConversation` names the
//   place in the user's file, not an index of the merged turns.
//
// Writing: `toAnthropic` gives the Messages API's `system`, `messages`, `tools`: thinking blocks
// back exactly with their signature; a thinking block without a signature cannot be verified by
// the API and is dropped (a turn left empty by that is dropped too); a tool call whose arguments
// are not a JSON object cannot be a tool_use `input` and throws (`checkConversation(c,
// "anthropic")` refuses it first). With `cache: true`, `cache_control: {type: "ephemeral"}` on
// the last tool, on the system prompt (as one text block) and on the last block of the last
// message — three of the four breakpoints allowed, so tools, tools + system and the whole prefix
// are each a cached prefix (reruns from different points of one run share the first two).
// With thinking enabled, Anthropic also requires the assistant turn whose tool results end the
// prefix to start with a (signed or redacted) thinking block: `anthropicThinkingProblem` says
// when a prefix cannot meet that (one recorded without thinking, from OpenAI or a τ-bench run),
// so the provider can send it with thinking off, as the API's message advises, or refuse.
// `toOpenAI` gives chat completions' `messages` and `tools`: the system message first; an
// assistant turn as one message, its text (null when it only calls tools) and `tool_calls` with
// arguments as compact JSON of the value in its recorded key order (the raw string when it did
// not parse); each result as a `tool` message, "Error: " put before an error's content (OpenAI
// has no error flag) unless it already starts with "Error"; thinking dropped (OpenAI cannot
// take it back); a user turn's text after its results as one user message.
//
// From a recorded run (`conversationFromTrajectory`): the steps before step `before`, moved back
// to the start of the assistant turn that holds it (the whole turn is resampled: a provider
// cannot continue a half-written turn with tools declared); a tool result or user step there is
// an error (neither is the agent's to sample). Consecutive agent steps are one assistant turn;
// reasoning becomes thinking only with a `signature` (no importer records one yet), else it is
// dropped; a call without an id gets `call_<k>` (k its number among the run's calls), a result
// without an id answers the oldest call still unanswered. Without `tools`, they are inferred from
// every call of the run (`inferTools`): τ-bench's results record none.
import { argumentsValue } from "./trajectory";
import type { TrajectoryStep } from "./types";

/** A tool as declared to the model: its name, what it does, and a JSON Schema of its input. */
export interface ToolSpec {
  name: string;
  description?: string;
  /** JSON Schema of the arguments (Anthropic `input_schema`, OpenAI `function.parameters`). */
  inputSchema: Record<string, unknown>;
}

export type ConversationBlock =
  | { type: "text"; text: string }
  /** Anthropic extended thinking; `signature` must go back unchanged. */
  | { type: "thinking"; thinking: string; signature?: string }
  | { type: "redacted_thinking"; data: string }
  | { type: "tool_call"; id: string; name: string; arguments: unknown }
  | { type: "tool_result"; id: string; content: string; isError?: boolean };

export interface ConversationMessage {
  role: "user" | "assistant";
  content: ConversationBlock[];
  /**
   * Where each block of `content` was read from (same length), e.g. "prefix.json: messages[7]"
   * or "step 12": the readers set it so that `checkConversation`'s messages point into the
   * user's file or run rather than at an index of the merged turns. Optional; the converters
   * ignore it.
   */
  sources?: string[];
}

export interface Conversation {
  system?: string;
  messages: ConversationMessage[];
  tools: ToolSpec[];
}

export type ConversationFormat = "openai" | "anthropic";

export type ParsedConversation =
  | {
      conversation: Conversation;
      format: ConversationFormat;
      /** What was read but left out (reasoning, a tool's `strict`), each with its path. */
      notes: string[];
    }
  | { error: string };

/** The Messages API's params for a prefix (`toAnthropic`). */
export interface AnthropicParams {
  system?: string | Array<{ type: "text"; text: string; cache_control?: { type: "ephemeral" } }>;
  messages: unknown[];
  tools: unknown[];
}

/** Chat completions' params for a prefix (`toOpenAI`). */
export interface OpenAIParams {
  messages: unknown[];
  tools: unknown[];
}

/** A tool name both APIs accept. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** The description of a tool `inferTools` declares. */
export const INFERRED_DESCRIPTION = "inferred from the recorded calls";

// ---------------------------------------------------------------------------------------------
// small helpers

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isBlank = (s: string) => s.trim() === "";

function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "missing";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `a string`;
  if (typeof v === "object") return "an object";
  return `a ${typeof v}`;
}

/** A reading error at a path (caught by parseConversation). */
class Refusal extends Error {}
function fail(path: string, message: string): never {
  throw new Refusal(`${path}: ${message}`);
}

/** Consecutive messages of one role become one turn. */
class Turns {
  readonly messages: ConversationMessage[] = [];
  add(role: "user" | "assistant", block: ConversationBlock, source: string): void {
    const last = this.messages[this.messages.length - 1];
    if (last !== undefined && last.role === role) {
      last.content.push(block);
      last.sources!.push(source);
    } else this.messages.push({ role, content: [block], sources: [source] });
  }
}

/**
 * The conversation with consecutive turns of one role merged into one (blocks and sources in
 * order), as the readers build it; a new object, the input is not changed.
 */
export function mergeTurns(c: Conversation): Conversation {
  const messages: ConversationMessage[] = [];
  for (const m of c.messages) {
    const last = messages[messages.length - 1];
    if (last !== undefined && last.role === m.role) {
      if (last.sources !== undefined || m.sources !== undefined) {
        last.sources = [...(last.sources ?? last.content.map(() => "")), ...(m.sources ?? m.content.map(() => ""))];
      }
      last.content = [...last.content, ...m.content];
    } else {
      const copy: ConversationMessage = { role: m.role, content: [...m.content] };
      if (m.sources !== undefined) copy.sources = [...m.sources];
      messages.push(copy);
    }
  }
  const out: Conversation = { messages, tools: c.tools };
  if (c.system !== undefined) out.system = c.system;
  return out;
}

// ---------------------------------------------------------------------------------------------
// reading: format detection

interface Mark {
  path: string;
  what: string;
}

const OPENAI_ROLES = new Set(["system", "developer", "tool", "function"]);
const OPENAI_MESSAGE_KEYS = ["tool_calls", "tool_call_id", "function_call", "reasoning_content"];
const OPENAI_PARTS = new Set(["image_url", "input_audio", "file", "refusal"]);
const ANTHROPIC_BLOCKS = new Set([
  "thinking",
  "redacted_thinking",
  "tool_use",
  "tool_result",
  "image",
  "document",
  "search_result",
  "server_tool_use",
  "web_search_tool_result",
  "web_fetch_tool_result",
  "code_execution_tool_result",
  "bash_code_execution_tool_result",
  "text_editor_code_execution_tool_result",
  "mcp_tool_use",
  "mcp_tool_result",
  "container_upload",
]);
/** Anthropic's versioned built-in tool types: web_search_20250305, bash_20250124, … */
const ANTHROPIC_TOOL_TYPE = /^[a-z_]+_\d{8}$/;

/** The first mark of each format in a prefix. */
function marks(root: Record<string, unknown>, messages: unknown[], at: (p: string) => string): { openai?: Mark; anthropic?: Mark } {
  let openai: Mark | undefined;
  let anthropic: Mark | undefined;
  const o = (path: string, what: string) => (openai ??= { path: at(path), what });
  const a = (path: string, what: string) => (anthropic ??= { path: at(path), what });
  if (Array.isArray(root.system)) a("system", "system as an array of blocks");
  messages.forEach((m, i) => {
    if (!isObject(m)) return;
    const p = `messages[${i}]`;
    if (typeof m.role === "string" && OPENAI_ROLES.has(m.role)) o(p, `role "${m.role}"`);
    for (const key of OPENAI_MESSAGE_KEYS) if (m[key] !== undefined && m[key] !== null) o(`${p}.${key}`, `"${key}"`);
    if (Array.isArray(m.content)) {
      m.content.forEach((b, j) => {
        if (!isObject(b) || typeof b.type !== "string") return;
        if (OPENAI_PARTS.has(b.type)) o(`${p}.content[${j}]`, `a ${b.type} part`);
        else if (ANTHROPIC_BLOCKS.has(b.type)) a(`${p}.content[${j}]`, `a ${b.type} block`);
      });
    }
  });
  if (Array.isArray(root.tools)) {
    root.tools.forEach((t, k) => {
      if (!isObject(t)) return;
      const p = `tools[${k}]`;
      if (t.type === "function" || t.function !== undefined) o(p, "a function tool");
      else if (t.input_schema !== undefined) a(p, "a tool with input_schema");
      else if (typeof t.type === "string" && (t.type === "custom" || ANTHROPIC_TOOL_TYPE.test(t.type))) a(p, `a ${t.type} tool`);
    });
  }
  const out: { openai?: Mark; anthropic?: Mark } = {};
  if (openai !== undefined) out.openai = openai;
  if (anthropic !== undefined) out.anthropic = anthropic;
  return out;
}

// ---------------------------------------------------------------------------------------------
// reading: OpenAI chat

/** The text of an OpenAI content that must be text (system, tool): a string or text parts, joined by a blank line. */
function openAiText(content: unknown, path: string): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (!Array.isArray(content)) fail(`${path}.content`, `is ${describe(content)}, not text or an array of text parts`);
  const texts: string[] = [];
  content.forEach((part, j) => {
    const p = `${path}.content[${j}]`;
    if (!isObject(part) || typeof part.type !== "string") fail(p, `is ${describe(part)}, not a part with a "type"`);
    if (part.type !== "text") fail(p, `a ${part.type} part: only text is supported here`);
    if (typeof part.text !== "string") fail(p, `a text part whose "text" is ${describe(part.text)}`);
    texts.push(part.text);
  });
  return texts.filter((t) => !isBlank(t)).join("\n\n");
}

function unsupportedPart(type: string): string {
  return `a ${type} part: a conversation prefix holds text only (images, audio and files are not supported), so it cannot be sent as recorded`;
}

function readOpenAI(root: Record<string, unknown>, messages: unknown[], at: (p: string) => string, notes: string[]): Conversation {
  const system: string[] = [];
  if (root.system !== undefined && root.system !== null) {
    if (typeof root.system !== "string") fail(at("system"), `is ${describe(root.system)}, not text`);
    if (!isBlank(root.system)) system.push(root.system);
  }
  const turns = new Turns();
  messages.forEach((m, i) => {
    const p = at(`messages[${i}]`);
    if (!isObject(m)) fail(p, `is ${describe(m)}, not a message`);
    const role = m.role;
    if (role === "system" || role === "developer") {
      if (turns.messages.length > 0) fail(p, `a ${role} message after the first turn: a prefix has one system prompt, before its turns (move it there)`);
      const text = openAiText(m.content, p);
      if (!isBlank(text)) system.push(text);
    } else if (role === "user") {
      let added = 0;
      if (typeof m.content === "string") {
        if (!isBlank(m.content)) {
          turns.add("user", { type: "text", text: m.content }, p);
          added++;
        }
      } else if (Array.isArray(m.content)) {
        m.content.forEach((part, j) => {
          const pp = `${p}.content[${j}]`;
          if (!isObject(part) || typeof part.type !== "string") fail(pp, `is ${describe(part)}, not a part with a "type"`);
          if (part.type === "text") {
            if (typeof part.text !== "string") fail(pp, `a text part whose "text" is ${describe(part.text)}`);
            if (!isBlank(part.text)) {
              turns.add("user", { type: "text", text: part.text }, pp);
              added++;
            }
          } else if (part.type === "image_url" || part.type === "input_audio" || part.type === "file") fail(pp, unsupportedPart(part.type));
          else fail(pp, `a part of type "${part.type}" (expected text)`);
        });
      } else fail(`${p}.content`, `is ${describe(m.content)}, not text or an array of parts`);
      if (added === 0) fail(p, "an empty user message");
    } else if (role === "assistant") {
      let added = 0;
      const reasoning = typeof m.reasoning_content === "string" ? "reasoning_content" : typeof m.reasoning === "string" ? "reasoning" : null;
      if (reasoning !== null && !isBlank(m[reasoning] as string))
        notes.push(`${p}: its ${reasoning} left out (OpenAI-style servers do not take reasoning back, and it has no signature for Anthropic)`);
      const text = (t: string, source: string) => {
        if (isBlank(t)) return;
        turns.add("assistant", { type: "text", text: t }, source);
        added++;
      };
      if (typeof m.content === "string") text(m.content, p);
      else if (Array.isArray(m.content)) {
        m.content.forEach((part, j) => {
          const pp = `${p}.content[${j}]`;
          if (!isObject(part) || typeof part.type !== "string") fail(pp, `is ${describe(part)}, not a part with a "type"`);
          const key = part.type === "text" ? "text" : part.type === "refusal" ? "refusal" : null;
          if (key === null) fail(pp, `a part of type "${part.type}" in an assistant message (expected text or refusal)`);
          if (typeof part[key] !== "string") fail(pp, `a ${part.type} part whose "${key}" is ${describe(part[key])}`);
          text(part[key] as string, pp);
        });
      } else if (m.content !== null && m.content !== undefined) fail(`${p}.content`, `is ${describe(m.content)}, not text, null or an array of parts`);
      if (typeof m.refusal === "string") text(m.refusal, `${p}.refusal`);
      if (m.function_call !== undefined && m.function_call !== null) fail(`${p}.function_call`, "the legacy function_call is not supported (use tool_calls)");
      const calls = m.tool_calls ?? [];
      if (!Array.isArray(calls)) fail(`${p}.tool_calls`, `is ${describe(calls)}, not an array`);
      calls.forEach((c, j) => {
        const pp = `${p}.tool_calls[${j}]`;
        if (!isObject(c)) fail(pp, `is ${describe(c)}, not a tool call`);
        if (c.type !== undefined && c.type !== "function") fail(pp, `a tool call of type ${JSON.stringify(c.type)}: only function calls are supported`);
        if (typeof c.id !== "string" || c.id === "") fail(pp, "a tool call without an id");
        const fn = c.function;
        if (!isObject(fn)) fail(pp, `"function" is ${describe(fn)}, not {name, arguments}`);
        if (typeof fn.name !== "string" || fn.name === "") fail(`${pp}.function`, "a function without a name");
        if (fn.arguments !== undefined && fn.arguments !== null && typeof fn.arguments !== "string")
          fail(`${pp}.function.arguments`, `is ${describe(fn.arguments)}, not a JSON string`);
        turns.add("assistant", { type: "tool_call", id: c.id, name: fn.name, arguments: argumentsValue(fn.arguments) }, pp);
        added++;
      });
      if (added === 0) fail(p, "an assistant message with no text and no tool calls");
    } else if (role === "tool") {
      if (typeof m.tool_call_id !== "string" || m.tool_call_id === "") fail(p, "a tool message without tool_call_id");
      turns.add("user", { type: "tool_result", id: m.tool_call_id, content: openAiText(m.content, p) }, p);
    } else if (role === "function") fail(p, `role "function" (the legacy function result) is not supported: use tool messages`);
    else fail(p, `has role ${JSON.stringify(role)} (expected system, developer, user, assistant or tool)`);
  });
  const tools = readOpenAITools(root.tools, at, notes);
  const out: Conversation = { messages: turns.messages, tools };
  if (system.length > 0) out.system = system.join("\n\n");
  return out;
}

function readOpenAITools(raw: unknown, at: (p: string) => string, notes: string[]): ToolSpec[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) fail(at("tools"), `is ${describe(raw)}, not an array of tools`);
  return raw.map((t, k) => {
    const p = at(`tools[${k}]`);
    if (!isObject(t)) fail(p, `is ${describe(t)}, not a tool`);
    if (t.type !== "function") fail(p, `a tool of type ${JSON.stringify(t.type)}: only function tools ({type: "function", function: {name, description, parameters}}) are supported`);
    const fn = t.function;
    if (!isObject(fn)) fail(p, `"function" is ${describe(fn)}, not {name, description, parameters}`);
    if (typeof fn.name !== "string" || fn.name === "") fail(`${p}.function`, "a function without a name");
    if (fn.description !== undefined && typeof fn.description !== "string") fail(`${p}.function.description`, `is ${describe(fn.description)}, not text`);
    if (fn.parameters !== undefined && !isObject(fn.parameters)) fail(`${p}.function.parameters`, `is ${describe(fn.parameters)}, not a JSON Schema object`);
    if (fn.strict !== undefined) notes.push(`${p}.function.strict left out (a tool is declared by its name, description and schema)`);
    const spec: ToolSpec = { name: fn.name, inputSchema: (fn.parameters as Record<string, unknown> | undefined) ?? { type: "object", properties: {} } };
    if (typeof fn.description === "string") spec.description = fn.description;
    return spec;
  });
}

// ---------------------------------------------------------------------------------------------
// reading: Anthropic Messages

function anthropicResultText(content: unknown, path: string): string {
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) fail(`${path}.content`, `is ${describe(content)}, not text or an array of text blocks`);
  const texts: string[] = [];
  content.forEach((b, l) => {
    const p = `${path}.content[${l}]`;
    if (!isObject(b) || typeof b.type !== "string") fail(p, `is ${describe(b)}, not a block with a "type"`);
    if (b.type !== "text") fail(p, `a ${b.type} block in a tool result: a conversation prefix holds text only, so it cannot be sent as recorded`);
    if (typeof b.text !== "string") fail(p, `a text block whose "text" is ${describe(b.text)}`);
    texts.push(b.text);
  });
  return texts.filter((t) => !isBlank(t)).join("\n\n");
}

function readAnthropic(root: Record<string, unknown>, messages: unknown[], at: (p: string) => string): Conversation {
  let system: string | undefined;
  if (typeof root.system === "string") {
    if (!isBlank(root.system)) system = root.system;
  } else if (Array.isArray(root.system)) {
    const texts = root.system.map((b, j) => {
      const p = at(`system[${j}]`);
      if (!isObject(b) || b.type !== "text" || typeof b.text !== "string") fail(p, `is ${isObject(b) && typeof b.type === "string" ? `a ${b.type} block` : describe(b)}, not a text block`);
      return b.text;
    });
    const joined = texts.filter((t) => !isBlank(t)).join("\n\n");
    if (joined !== "") system = joined;
  } else if (root.system !== undefined && root.system !== null) fail(at("system"), `is ${describe(root.system)}, not text or an array of text blocks`);

  const turns = new Turns();
  messages.forEach((m, i) => {
    const p = at(`messages[${i}]`);
    if (!isObject(m)) fail(p, `is ${describe(m)}, not a message`);
    const role = m.role;
    if (role !== "user" && role !== "assistant") fail(p, `has role ${JSON.stringify(role)} (expected user or assistant; the system prompt is the top-level "system")`);
    let added = 0;
    const add = (b: ConversationBlock, source: string) => {
      turns.add(role, b, source);
      added++;
    };
    if (typeof m.content === "string") {
      if (!isBlank(m.content)) add({ type: "text", text: m.content }, p);
    } else if (Array.isArray(m.content)) {
      m.content.forEach((b, j) => {
        const bp = `${p}.content[${j}]`;
        if (!isObject(b) || typeof b.type !== "string") fail(bp, `is ${describe(b)}, not a block with a "type"`);
        const onlyIn = (r: "user" | "assistant") => {
          if (role !== r) fail(bp, `a ${b.type} block in ${role === "user" ? "a user" : "an assistant"} message (it belongs in ${r === "user" ? "a user" : "an assistant"} message)`);
        };
        switch (b.type) {
          case "text":
            if (typeof b.text !== "string") fail(bp, `a text block whose "text" is ${describe(b.text)}`);
            if (!isBlank(b.text)) add({ type: "text", text: b.text }, bp);
            break;
          case "thinking": {
            onlyIn("assistant");
            if (typeof b.thinking !== "string") fail(bp, `a thinking block whose "thinking" is ${describe(b.thinking)}`);
            if (b.signature !== undefined && typeof b.signature !== "string") fail(bp, `a thinking block whose "signature" is ${describe(b.signature)}`);
            const block: ConversationBlock = { type: "thinking", thinking: b.thinking };
            if (typeof b.signature === "string") block.signature = b.signature;
            add(block, bp);
            break;
          }
          case "redacted_thinking":
            onlyIn("assistant");
            if (typeof b.data !== "string") fail(bp, `a redacted_thinking block whose "data" is ${describe(b.data)}`);
            add({ type: "redacted_thinking", data: b.data }, bp);
            break;
          case "tool_use":
            onlyIn("assistant");
            if (typeof b.id !== "string" || b.id === "") fail(bp, "tool_use without id");
            if (typeof b.name !== "string" || b.name === "") fail(bp, "tool_use without name");
            if (!isObject(b.input)) fail(bp, `tool_use whose "input" is ${describe(b.input)}, not an object`);
            add({ type: "tool_call", id: b.id, name: b.name, arguments: b.input }, bp);
            break;
          case "tool_result": {
            onlyIn("user");
            if (typeof b.tool_use_id !== "string" || b.tool_use_id === "") fail(bp, "tool_result without tool_use_id");
            if (b.is_error !== undefined && typeof b.is_error !== "boolean") fail(bp, `tool_result whose "is_error" is ${describe(b.is_error)}, not true or false`);
            const block: ConversationBlock = { type: "tool_result", id: b.tool_use_id, content: anthropicResultText(b.content, bp) };
            if (b.is_error === true) block.isError = true;
            add(block, bp);
            break;
          }
          case "image":
          case "document":
          case "search_result":
          case "container_upload":
            fail(bp, `a ${b.type} block: a conversation prefix holds text, thinking, tool_use and tool_result blocks only, so it cannot be sent as recorded`);
            break;
          default:
            if (ANTHROPIC_BLOCKS.has(b.type)) fail(bp, `a ${b.type} block: server and MCP tools are not supported (declare custom tools, answered by tool_result)`);
            fail(bp, `a block of type "${b.type}" (expected text, thinking, redacted_thinking, tool_use or tool_result)`);
        }
      });
    } else fail(`${p}.content`, `is ${describe(m.content)}, not text or an array of blocks`);
    if (added === 0) fail(p, `an empty ${role} message`);
  });

  let tools: ToolSpec[] = [];
  if (root.tools !== undefined && root.tools !== null) {
    if (!Array.isArray(root.tools)) fail(at("tools"), `is ${describe(root.tools)}, not an array of tools`);
    tools = root.tools.map((t, k) => {
      const p = at(`tools[${k}]`);
      if (!isObject(t)) fail(p, `is ${describe(t)}, not a tool`);
      if (t.type !== undefined && t.type !== "custom")
        fail(p, `a ${JSON.stringify(t.type)} tool: server and built-in tools (web search, code execution, bash, text editor, computer use…) are not supported; declare custom tools by name, description and input_schema`);
      if (typeof t.name !== "string" || t.name === "") fail(p, "a tool without a name");
      if (!isObject(t.input_schema)) fail(p, `tool ${t.name}: "input_schema" is ${describe(t.input_schema)}, not a JSON Schema object`);
      if (t.description !== undefined && typeof t.description !== "string") fail(`${p}.description`, `is ${describe(t.description)}, not text`);
      const spec: ToolSpec = { name: t.name, inputSchema: t.input_schema };
      if (typeof t.description === "string") spec.description = t.description;
      return spec;
    });
  }
  const out: Conversation = { messages: turns.messages, tools };
  if (system !== undefined) out.system = system;
  return out;
}

/** A value given as itself or as JSON text, or why the text is not JSON. */
function jsonOf(json: unknown, whole: string): { value: unknown } | { error: string } {
  if (typeof json !== "string") return { value: json };
  try {
    return { value: JSON.parse(json) as unknown };
  } catch (e) {
    return { error: `${whole}: not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
}

/**
 * Reads a conversation prefix `{"system"?, "messages": [...], "tools"?: [...]}` in OpenAI chat
 * or Anthropic Messages format (told from its shapes; see the header). `where` (a file name)
 * starts every path of an error and of `sources`. Reading does not judge the conversation as a
 * whole: call `checkConversation` on the result before sending it.
 */
export function parseConversation(json: unknown, where?: string): ParsedConversation {
  const at = (p: string) => (where === undefined || where === "" ? p : `${where}: ${p}`);
  const whole = where === undefined || where === "" ? "the prefix" : where;
  const read = jsonOf(json, whole);
  if ("error" in read) return read;
  const value = read.value;
  const root: Record<string, unknown> | null = Array.isArray(value) ? { messages: value } : isObject(value) ? value : null;
  if (root === null) return { error: `${whole}: is ${describe(value)}, not {"system"?, "messages": [...], "tools": [...]}` };
  if (!Array.isArray(root.messages)) return { error: `${at("messages")}: is ${describe(root.messages)}, not an array of messages` };
  const messages = root.messages as unknown[];
  const found = marks(root, messages, at);
  if (found.openai !== undefined && found.anthropic !== undefined)
    return {
      error: `${whole} mixes the two formats: ${found.openai.path} (${found.openai.what}) is OpenAI chat, ${found.anthropic.path} (${found.anthropic.what}) is Anthropic Messages; a prefix is in one or the other`,
    };
  const format: ConversationFormat = found.anthropic !== undefined ? "anthropic" : found.openai !== undefined ? "openai" : typeof root.system === "string" ? "anthropic" : "openai";
  const notes: string[] = [];
  try {
    const conversation = format === "openai" ? readOpenAI(root, messages, at, notes) : readAnthropic(root, messages, at);
    return { conversation, format, notes };
  } catch (e) {
    if (e instanceof Refusal) return { error: e.message };
    throw e;
  }
}

/**
 * Reads tools as declared to either API — OpenAI function tools (`{"type": "function",
 * "function": {name, description, parameters}}`) or Anthropic tools (`{name, description,
 * input_schema}`) — from an array of them or `{"tools": [...]}` (a string is JSON text): the
 * reading `parseConversation` does of a prefix's `tools`, for tools that come on their own (a
 * prompt file's `tools:`). `where` (a file name) starts every path of an error.
 */
export function parseTools(json: unknown, where?: string): { tools: ToolSpec[]; format: ConversationFormat; notes: string[] } | { error: string } {
  const whole = where === undefined || where === "" ? "the tools" : where;
  const read = jsonOf(json, whole);
  if ("error" in read) return read;
  const value = read.value;
  const tools = Array.isArray(value) ? value : isObject(value) && Array.isArray(value.tools) ? value.tools : null;
  if (tools === null) return { error: `${whole}: expected an array of tools or {"tools": [...]}, not ${describe(value)}` };
  // a tool with neither shape reads as a malformed OpenAI tool: say what either API expects
  for (let k = 0; k < tools.length; k++) {
    const t = tools[k] as unknown;
    if (isObject(t) && t.type === undefined && t.function === undefined && t.input_schema === undefined)
      return {
        error: `${where === undefined || where === "" ? "" : `${where}: `}tools[${k}]${typeof t.name === "string" ? ` (${t.name})` : ""}: neither an OpenAI function tool {"type": "function", "function": {"name", "description", "parameters"}} nor an Anthropic tool {"name", "description", "input_schema"}`,
      };
  }
  const parsed = parseConversation({ messages: [], tools }, where);
  if ("error" in parsed) return parsed;
  return { tools: parsed.conversation.tools, format: parsed.format, notes: parsed.notes };
}

// ---------------------------------------------------------------------------------------------
// checking

function blockWhere(m: ConversationMessage, k: number, j: number): string {
  const s = m.sources?.[j];
  return s !== undefined && s !== "" ? s : `messages[${k}].content[${j}]`;
}

/** Where a turn was read from: its first block's message ("prefix.json: messages[4]", "step 7"). */
function turnWhere(m: ConversationMessage, k: number, j = 0): string {
  const s = m.sources?.[j];
  if (s === undefined || s === "") return `messages[${k}]`;
  const msg = /^.*?messages\[\d+\]/.exec(s);
  return msg !== null ? msg[0] : s;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/**
 * Why the APIs would refuse this prefix, or null when it can be sent (the rules in the header):
 * checked before any request, so a malformed prefix costs nothing. With `target`, also what only
 * that provider refuses ("anthropic": a call's arguments must be a JSON object).
 */
export function checkConversation(c: Conversation, target?: ConversationFormat): string | null {
  const declared = new Map<string, number>();
  for (let k = 0; k < c.tools.length; k++) {
    const t = c.tools[k]!;
    if (typeof t.name !== "string" || !TOOL_NAME.test(t.name)) return `tools[${k}]: the tool name ${JSON.stringify(t.name)} is not 1 to 64 letters, digits, "_" or "-" (as both APIs require)`;
    const first = declared.get(t.name);
    if (first !== undefined) return `tools[${k}]: a second tool named ${t.name} (the first is tools[${first}])`;
    declared.set(t.name, k);
    if (!isObject(t.inputSchema) || t.inputSchema.type !== "object") return `tools[${k}] (${t.name}): its input schema is not a JSON Schema of type "object" (as both APIs require)`;
  }
  if (c.messages.length === 0) return "the conversation has no messages: a prefix needs at least one user turn";

  const calls = new Map<string, { name: string; where: string; answered: boolean }>();
  for (let k = 0; k < c.messages.length; k++) {
    const m = c.messages[k]!;
    const prev = k > 0 ? c.messages[k - 1]! : undefined;
    const tw = turnWhere(m, k);
    if (m.role !== "user" && m.role !== "assistant") return `${tw}: role ${JSON.stringify(m.role)} (expected user or assistant)`;
    if (m.content.length === 0) return `${tw}: an empty ${m.role} turn`;
    if (k === 0 && m.role !== "user") return `${tw}: the conversation starts with an assistant turn; it must start with a user turn`;
    if (prev !== undefined && prev.role === m.role)
      return `${tw}: ${m.role === "user" ? "a user" : "an assistant"} turn right after another (${turnWhere(prev, k - 1)}): consecutive turns of one role must be merged into one`;
    let seenText = false;
    for (let j = 0; j < m.content.length; j++) {
      const b = m.content[j]!;
      const w = blockWhere(m, k, j);
      switch (b.type) {
        case "text":
          if (typeof b.text !== "string" || isBlank(b.text)) return `${w}: an empty text block (Anthropic refuses blank text)`;
          seenText = true;
          break;
        case "thinking":
        case "redacted_thinking":
          if (m.role === "user") return `${w}: a ${b.type} block in a user turn (thinking is the assistant's)`;
          break;
        case "tool_call": {
          if (m.role === "user") return `${w}: a tool call in a user turn (tool calls are the assistant's)`;
          if (typeof b.id !== "string" || b.id === "") return `${w}: a tool call without an id`;
          const dup = calls.get(b.id);
          if (dup !== undefined) return `${w}: a second tool call with the id ${b.id} (the first is at ${dup.where}): call ids must be unique`;
          if (!declared.has(b.name))
            return `${w}: the tool call ${b.id} names ${JSON.stringify(b.name)}, which is not among the tools declared (${c.tools.length === 0 ? "none" : c.tools.map((t) => t.name).join(", ")})`;
          if (target === "anthropic" && !isObject(argumentsValue(b.arguments)))
            return `${w}: the tool call ${b.id} (${b.name}) has arguments that are not a JSON object (${preview(b.arguments)}), which Anthropic's tool_use input cannot hold`;
          calls.set(b.id, { name: b.name, where: w, answered: false });
          break;
        }
        case "tool_result": {
          if (m.role === "assistant") return `${w}: a tool result in an assistant turn (results go in the user turn after the call)`;
          const call = calls.get(b.id);
          if (call === undefined) return `${w}: the tool result for ${JSON.stringify(b.id)} answers no earlier tool call`;
          if (call.answered) return `${w}: a second result for the tool call ${b.id} (${call.name})`;
          // (a call from an earlier turn was answered there, or refused at the end of that turn)
          if (seenText) return `${w}: the result for ${b.id} (${call.name}) comes after text in the same turn: a turn's tool results come first, right after the call, and its text after them`;
          call.answered = true;
          break;
        }
        default:
          return `${w}: a block of type ${JSON.stringify((b as { type: unknown }).type)} (expected text, thinking, redacted_thinking, tool_call or tool_result)`;
      }
    }
    if (m.role === "user" && prev !== undefined) {
      for (const b of prev.content) {
        if (b.type !== "tool_call") continue;
        const call = calls.get(b.id)!;
        if (!call.answered) return `${call.where}: the tool call ${b.id} (${b.name}) has no result in the next turn (${tw}): each call's result must come in the user turn right after it, before any text`;
      }
    }
  }
  const k = c.messages.length - 1;
  const last = c.messages[k]!;
  if (last.role === "assistant") {
    const open = last.content.flatMap((b, j) => (b.type === "tool_call" ? [{ b, j }] : []));
    if (open.length > 0) {
      const ids = open.map((o) => `${o.b.id} (${o.b.name})`).join(", ");
      return `${blockWhere(last, k, open[0]!.j)}: the prefix ends with an assistant turn whose tool ${plural(open.length, "call", "calls")} ${ids} ${plural(open.length, "has", "have")} no result: add a user turn with ${plural(open.length, "its result", "their results")} so that the next assistant turn can be sampled`;
    }
    return `${turnWhere(last, k, last.content.length - 1)}: the prefix ends with an assistant turn, so there is nothing for a next assistant turn to answer: end it with a user turn or tool results`;
  }
  return null;
}

function preview(v: unknown): string {
  const s = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? "undefined";
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
}

/**
 * The assistant message that opened the tool-use loop a prefix ends in, when it does not start
 * with a thinking block passed back with its signature (or a redacted one); null when the prefix
 * is fine or does not end in tool results. With thinking enabled, Claude refuses such a prefix:
 * "a final `assistant` message must start with a thinking block (preceeding the lastmost set of
 * `tool_use` and `tool_result` blocks)" (its 400 invalid_request_error; the docs' "Extended
 * thinking with tool use", "Preserving thinking blocks"). The loop starts after the last user
 * turn that said something of its own (not only tool results): the assistant turns after it are
 * one assistant turn to the API, and only the first of them carries the thinking.
 */
export function unthoughtToolTurn(c: Conversation): number | null {
  const last = c.messages.at(-1);
  if (!last || last.role !== "user" || !last.content.some((b) => b.type === "tool_result")) return null;
  let i = c.messages.length - 1;
  while (i > 0 && !(c.messages[i - 1]!.role === "user" && c.messages[i - 1]!.content.some((b) => b.type !== "tool_result"))) i--;
  const opener = c.messages.findIndex((m, k) => k >= i && m.role === "assistant");
  if (opener < 0) return null;
  const first = c.messages[opener]!.content[0];
  const thought = first !== undefined && ((first.type === "thinking" && !!first.signature) || first.type === "redacted_thinking");
  return thought ? null : opener;
}

/** Why Anthropic would refuse this prefix with extended thinking enabled (unthoughtToolTurn), or null. */
export function anthropicThinkingProblem(c: Conversation): string | null {
  const k = unthoughtToolTurn(c);
  if (k === null) return null;
  const turn = c.messages[k]!;
  return `${turnWhere(turn, k)}: with thinking enabled, Anthropic requires the assistant turn that opened the tool-use loop the prefix ends in to start with a thinking block passed back with its signature, and this one has none (it was recorded without thinking${turn.content.some((b) => b.type === "thinking") ? ", or its thinking has no signature" : ""}): sample with thinking off`;
}

// ---------------------------------------------------------------------------------------------
// writing

/** A call's arguments as OpenAI's `function.arguments`: the raw string as it is, else compact JSON ({} when absent). */
function openAiArguments(args: unknown): string {
  if (typeof args === "string") return args;
  if (args === undefined || args === null) return "{}";
  return JSON.stringify(args);
}

const EPHEMERAL = { type: "ephemeral" } as const;

/**
 * The Messages API's `system`, `messages` and `tools` for a prefix (see the header: thinking
 * passed back with its signature, unsigned thinking dropped, `cache: true` marks the last tool,
 * the system prompt and the prefix's last block). Throws when a call's arguments are not a JSON
 * object (`checkConversation(c, "anthropic")` says so first).
 */
export function toAnthropic(c: Conversation, opts: { cache?: boolean } = {}): AnthropicParams {
  const cache = opts.cache === true;
  const messages: Array<{ role: string; content: Array<Record<string, unknown>> }> = [];
  for (const m of c.messages) {
    const content: Array<Record<string, unknown>> = [];
    for (const b of m.content) {
      switch (b.type) {
        case "text":
          content.push({ type: "text", text: b.text });
          break;
        case "thinking":
          if (typeof b.signature === "string" && b.signature !== "") content.push({ type: "thinking", thinking: b.thinking, signature: b.signature });
          break;
        case "redacted_thinking":
          content.push({ type: "redacted_thinking", data: b.data });
          break;
        case "tool_call": {
          const input = argumentsValue(b.arguments);
          if (!isObject(input)) throw new Error(`tool call ${b.id} (${b.name}): its arguments are not a JSON object (${preview(b.arguments)}), which Anthropic's tool_use input cannot hold`);
          content.push({ type: "tool_use", id: b.id, name: b.name, input });
          break;
        }
        case "tool_result": {
          const r: Record<string, unknown> = { type: "tool_result", tool_use_id: b.id, content: b.content };
          if (b.isError === true) r.is_error = true;
          content.push(r);
          break;
        }
      }
    }
    if (content.length > 0) messages.push({ role: m.role, content });
  }
  const tools: Array<Record<string, unknown>> = c.tools.map((t) => {
    const out: Record<string, unknown> = { name: t.name };
    if (t.description !== undefined) out.description = t.description;
    out.input_schema = t.inputSchema;
    return out;
  });
  const params: AnthropicParams = { messages, tools };
  const hasSystem = c.system !== undefined && c.system !== "";
  if (cache) {
    if (tools.length > 0) tools[tools.length - 1]!.cache_control = EPHEMERAL;
    if (hasSystem) params.system = [{ type: "text", text: c.system!, cache_control: EPHEMERAL }];
    const last = messages[messages.length - 1];
    if (last !== undefined) {
      // thinking blocks cannot carry cache_control: the last block that can
      for (let j = last.content.length - 1; j >= 0; j--) {
        const b = last.content[j]!;
        if (b.type === "thinking" || b.type === "redacted_thinking") continue;
        b.cache_control = EPHEMERAL;
        break;
      }
    }
  } else if (hasSystem) params.system = c.system!;
  return params;
}

/**
 * Chat completions' `messages` and `tools` for a prefix (see the header: system first, tool
 * results as tool messages right after their assistant message, "Error: " before an error's
 * result, thinking dropped).
 */
export function toOpenAI(c: Conversation): OpenAIParams {
  const messages: Array<Record<string, unknown>> = [];
  if (c.system !== undefined && c.system !== "") messages.push({ role: "system", content: c.system });
  const textContent = (texts: string[]) => (texts.length === 1 ? texts[0] : texts.map((text) => ({ type: "text", text })));
  for (const m of c.messages) {
    if (m.role === "assistant") {
      const texts: string[] = [];
      const calls: Array<Record<string, unknown>> = [];
      for (const b of m.content) {
        if (b.type === "text") texts.push(b.text);
        else if (b.type === "tool_call") calls.push({ id: b.id, type: "function", function: { name: b.name, arguments: openAiArguments(b.arguments) } });
      }
      if (texts.length === 0 && calls.length === 0) continue; // thinking only: nothing OpenAI can take
      const msg: Record<string, unknown> = { role: "assistant", content: texts.length === 0 ? null : textContent(texts) };
      if (calls.length > 0) msg.tool_calls = calls;
      messages.push(msg);
      continue;
    }
    let texts: string[] = [];
    const flush = () => {
      if (texts.length > 0) messages.push({ role: "user", content: textContent(texts) });
      texts = [];
    };
    for (const b of m.content) {
      if (b.type === "text") texts.push(b.text);
      else if (b.type === "tool_result") {
        flush();
        const content = b.isError === true && !/^\s*error\b/i.test(b.content) ? `Error: ${b.content}` : b.content;
        messages.push({ role: "tool", tool_call_id: b.id, content });
      }
    }
    flush();
  }
  const tools = c.tools.map((t) => {
    const fn: Record<string, unknown> = { name: t.name };
    if (t.description !== undefined) fn.description = t.description;
    fn.parameters = t.inputSchema;
    return { type: "function", function: fn };
  });
  return { messages, tools };
}

// ---------------------------------------------------------------------------------------------
// from a recorded run

const AGENT_KINDS = new Set(["reasoning", "text", "tool_call"]);

/**
 * The step where the assistant turn holding step `before` starts (consecutive reasoning, text
 * and tool-call steps are one turn): a rerun "from" a step resamples its whole turn. `before`
 * itself when it is not the agent's step or starts its turn.
 */
export function assistantTurnStart(steps: TrajectoryStep[], before: number): number {
  if (before >= steps.length || !AGENT_KINDS.has(steps[before]!.kind)) return before;
  let k = before;
  while (k > 0 && AGENT_KINDS.has(steps[k - 1]!.kind)) k--;
  return k;
}

const JSON_TYPES = ["object", "array", "string", "number", "boolean", "null"] as const;

function jsonType(v: unknown): (typeof JSON_TYPES)[number] | null {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return "number";
  if (typeof v === "boolean") return "boolean";
  return null;
}

/** A JSON Schema that the values seen fit: their types, an object's keys (required when in every one), an array's items. */
function schemaOf(values: unknown[]): Record<string, unknown> {
  const types = new Set<string>();
  const objects: Record<string, unknown>[] = [];
  const elements: unknown[] = [];
  for (const v of values) {
    const t = jsonType(v);
    if (t === null) continue;
    types.add(t);
    if (t === "object") objects.push(v as Record<string, unknown>);
    else if (t === "array") elements.push(...(v as unknown[]));
  }
  const list = JSON_TYPES.filter((t) => types.has(t));
  if (list.length === 0) return {};
  const schema: Record<string, unknown> = { type: list.length === 1 ? list[0] : list };
  if (types.has("object")) Object.assign(schema, objectSchema(objects));
  if (types.has("array")) schema.items = schemaOf(elements);
  return schema;
}

function objectSchema(objects: Record<string, unknown>[]): { properties: Record<string, unknown>; required?: string[] } {
  const keys: string[] = [];
  for (const o of objects) for (const key of Object.keys(o)) if (o[key] !== undefined && !keys.includes(key)) keys.push(key);
  const properties: Record<string, unknown> = {};
  for (const key of keys) properties[key] = schemaOf(objects.filter((o) => o[key] !== undefined).map((o) => o[key]));
  const required = keys.filter((key) => objects.every((o) => o[key] !== undefined));
  return required.length > 0 ? { properties, required } : { properties };
}

/**
 * Tools declared from the calls a run made (its source declared none, as τ-bench's results):
 * one per tool name in order of first call, its input schema of type "object" with each argument
 * key seen (its type from the values: several types give a list, arrays their items, objects
 * their keys; a key in every call is required), described as "inferred from the recorded calls".
 * Calls whose arguments are not a JSON object add the tool but no keys.
 */
export function inferTools(steps: TrajectoryStep[]): ToolSpec[] {
  const seen = new Map<string, Record<string, unknown>[]>();
  for (const s of steps) {
    if (s.kind !== "tool_call" || typeof s.name !== "string" || s.name === "") continue;
    const list = seen.get(s.name) ?? [];
    seen.set(s.name, list);
    const args = argumentsValue(s.arguments);
    if (isObject(args)) list.push(args);
  }
  return [...seen].map(([name, objects]) => ({ name, description: INFERRED_DESCRIPTION, inputSchema: { type: "object", ...objectSchema(objects) } }));
}

/**
 * The prefix of a recorded run before its step `before` — the view's "Rerun from here" (see the
 * header: moved back to the start of the assistant turn holding that step; ids made up for
 * calls without one; tools inferred when `opts.tools` is not given). An error when `before` is
 * not a step an agent's turn can be sampled at, or when the prefix would be refused
 * (`checkConversation`), saying why.
 */
export function conversationFromTrajectory(
  steps: TrajectoryStep[],
  before: number,
  opts: {
    system?: string;
    tools?: ToolSpec[];
    /** How a step is named in messages and `sources` (default "step i"): a caller that put steps before the run's names them its own way. */
    where?: (i: number) => string;
  } = {},
): Conversation | { error: string } {
  const where = opts.where ?? ((i: number) => `step ${i}`);
  if (!Number.isInteger(before) || before < 0 || before > steps.length)
    return { error: `step ${before} is not a step of the run (it has ${steps.length} ${plural(steps.length, "step", "steps")}, numbered from 0)` };
  const at = steps[before];
  if (at !== undefined && at.kind === "tool_result")
    return { error: `${where(before)} is a tool's result, not the agent's: rerun from the call it answers, or from the step after it` };
  if (at !== undefined && at.kind === "user") return { error: `${where(before)} is a user turn, not the agent's: rerun from the agent's step after it` };
  const end = assistantTurnStart(steps, before);

  // call ids: as recorded, else call_<k> (k the call's number in the run), never one the run uses
  const used = new Set(steps.flatMap((s) => (s.kind === "tool_call" && typeof s.id === "string" && s.id !== "" ? [s.id] : [])));
  const turns = new Turns();
  const open: string[] = [];
  let callNo = 0;
  for (let i = 0; i < end; i++) {
    const s = steps[i]! as TrajectoryStep & { signature?: unknown };
    const src = where(i);
    switch (s.kind) {
      case "user":
        if (typeof s.text === "string" && !isBlank(s.text)) turns.add("user", { type: "text", text: s.text }, src);
        break;
      case "text":
        if (typeof s.text === "string" && !isBlank(s.text)) turns.add("assistant", { type: "text", text: s.text }, src);
        break;
      case "reasoning":
        if (typeof s.signature === "string" && s.signature !== "") turns.add("assistant", { type: "thinking", thinking: s.text ?? "", signature: s.signature }, src);
        break;
      case "tool_call": {
        if (typeof s.name !== "string" || s.name === "") return { error: `${src}: a tool call without a tool name` };
        let id = typeof s.id === "string" && s.id !== "" ? s.id : `call_${callNo}`;
        if (id !== s.id) while (used.has(id)) id = `${id}_`;
        used.add(id);
        callNo++;
        turns.add("assistant", { type: "tool_call", id, name: s.name, arguments: argumentsValue(s.arguments) }, src);
        open.push(id);
        break;
      }
      case "tool_result": {
        const id = typeof s.id === "string" && s.id !== "" ? s.id : open[0];
        if (id === undefined) return { error: `${src}: a tool result without an id, and no call left for it to answer` };
        const k = open.indexOf(id);
        if (k >= 0) open.splice(k, 1);
        const block: ConversationBlock = { type: "tool_result", id, content: s.text ?? "" };
        if (s.isError === true) block.isError = true;
        turns.add("user", block, src);
        break;
      }
    }
  }
  if (turns.messages.length === 0) return { error: `nothing before ${where(before)} to rerun from: a prefix starts with a user turn` };
  const conversation: Conversation = { messages: turns.messages, tools: opts.tools ?? inferTools(steps) };
  if (opts.system !== undefined && !isBlank(opts.system)) conversation.system = opts.system;
  const problem = checkConversation(conversation);
  if (problem !== null) return { error: `the prefix before ${where(before)} cannot be sent: ${problem}` };
  return conversation;
}

/**
 * A conversation's turns as a trajectory's steps, in order (what `conversationFromTrajectory`
 * reads back): user text → user, assistant text → text, thinking → reasoning with its signature,
 * a call → tool_call with its id, a result → tool_result with its id and error flag. A redacted
 * thinking block has no step (its data cannot be shown, and the rerun prefix drops it as it drops
 * unsigned thinking).
 */
export function stepsFromConversation(c: Conversation): TrajectoryStep[] {
  const out: TrajectoryStep[] = [];
  for (const m of c.messages)
    for (const b of m.content) {
      if (b.type === "text") out.push({ kind: m.role === "user" ? "user" : "text", text: b.text });
      else if (b.type === "thinking") out.push({ kind: "reasoning", text: b.thinking, ...(b.signature ? { signature: b.signature } : {}) } as TrajectoryStep);
      else if (b.type === "tool_call") out.push({ kind: "tool_call", name: b.name, arguments: b.arguments, id: b.id });
      else if (b.type === "tool_result") out.push({ kind: "tool_result", text: b.content, id: b.id, ...(b.isError ? { isError: true } : {}) });
    }
  return out;
}

/**
 * The prefix of a recorded run, up to just before its step `before` (the view's "Rerun from
 * here"): an imported trajectory (`system` its prompt's; the first user message is a step of
 * it), or a sample of a run file — a next-action run's sample continues the run's own prefix
 * (`conversation`: its steps are the turns after it), any other's answers the run's `prompt`.
 * Tools: the prefix's declared ones, else inferred from the calls (this run's and `calls`:
 * every run of the agent the caller has); a call of a tool the declared ones lack (a model that
 * named one it was not given) gets an inferred declaration.
 */
export function conversationAtStep(
  steps: TrajectoryStep[],
  before: number,
  base: {
    conversation?: Conversation;
    system?: string;
    prompt?: string;
    /** More recorded calls to infer undeclared tools from: every run of the same agent (a trace set's), so that a rerun may call a tool this run happened not to. */
    calls?: readonly TrajectoryStep[];
  },
): Conversation | { error: string } {
  if (!Number.isInteger(before) || before < 0 || before > steps.length)
    return { error: `step ${before} is not a step of the run (it has ${steps.length} ${plural(steps.length, "step", "steps")}, numbered from 0)` };
  let all = steps;
  let head: TrajectoryStep[] = [];
  let headName = "";
  if (base.conversation) {
    head = stepsFromConversation(base.conversation);
    headName = "the run's prefix";
  } else if (base.prompt !== undefined && !isBlank(base.prompt) && !steps.slice(0, before).some((s) => s.kind === "user")) {
    head = [{ kind: "user", text: base.prompt }];
    headName = "the run's prompt";
  }
  if (head.length > 0) all = [...head, ...steps];
  const at = head.length + before;
  // messages name the run's own steps, not the steps put before them
  const where = (i: number) => (i < head.length ? headName : `step ${i - head.length}`);
  const declared = base.conversation?.tools ?? [];
  const inferred = inferTools(base.calls ? [...all, ...base.calls] : all);
  const tools = declared.length === 0 ? inferred : [...declared, ...inferred.filter((t) => !declared.some((d) => d.name === t.name))];
  const system = base.conversation?.system ?? base.system;
  return conversationFromTrajectory(all, at, { tools, where, ...(system !== undefined ? { system } : {}) });
}

/** What a next-action run's header says its prompt is: where the prefix came from and where it stops. */
export function conversationLabel(where: string, c: Conversation): string {
  const last = c.messages[c.messages.length - 1];
  const lastText = last?.content.map((b) => (b.type === "text" ? b.text : b.type === "tool_result" ? `[result of ${b.id}] ${b.content}` : "")).join(" ").replace(/\s+/g, " ").trim() ?? "";
  const cut = lastText.length > 120 ? lastText.slice(0, 119) + "…" : lastText;
  return `The next turn of the conversation in ${where} (${c.messages.length} message${c.messages.length === 1 ? "" : "s"}, ${c.tools.length} tool${c.tools.length === 1 ? "" : "s"} declared), after: ${cut}`;
}
