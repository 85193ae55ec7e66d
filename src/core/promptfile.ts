// Prompt files (`*.prompt`, `*.prompt.md`): one or more prompts, each with optional YAML front
// matter that overrides the settings for it, optional role sections, and {{variables}}.
//
//   ---
//   n: 8
//   model: claude-sonnet-5-5
//   reference: 18
//   answer: regex:/Answer:\s*(.+)/i     (how the answer is extracted: src/core/answerspec.ts)
//   compare: numeric:0.01               (how answers are compared)
//   vars: { eggs: 16 }
//   ---
//   system:
//   You are careful with arithmetic.
//   user:
//   Janet's ducks lay {{eggs}} eggs a day…
//   ===
//   (the next prompt)
//
// Prompts are separated by a line of three or more `=` and nothing else. Front matter is a block
// between two `---` lines at the very start of a prompt. Role sections start at a line that is
// exactly `system:` or `user:` (text may follow on the same line); without them the whole body
// is the user message. Everything keeps its offsets, for editors. Pure: no I/O.
//
// A prompt can also hold an agent's conversation so far, whose NEXT assistant turn a run samples
// (with the tools declared), as `hotmess run --conversation FILE` does:
//
//   ---
//   tools: airline-tools.json          (or inline JSON: tools: [{"name": …, "input_schema": …}])
//   ---
//   system:
//   You are an airline agent. Look a reservation up before you change it.
//   user:
//   Cancel my reservation NO6JO3, please.
//   assistant:
//   Let me look it up.
//   call get_reservation_details {"reservation_id": "NO6JO3"}
//   tool get_reservation_details:
//   {"reservation_id": "NO6JO3", "status": "confirmed", "insurance": "no"}
//   user:
//   Why is it taking so long?
//
// - `assistant:` opens an assistant turn. In it, a line `call NAME {JSON arguments}` is a tool
//   call (the JSON may continue over the following lines until it parses; it is an object; `call
//   NAME` alone calls with {}; `call NAME [ID] {…}` gives the call's id, else ids are `call_1`,
//   `call_2`… in order); the other lines are its text. Only a line that is exactly that shape is
//   a call: `call me later` stays text. Variables are filled in inside the JSON's strings.
// - `tool:` is the result of the oldest call still waiting for one (calls are answered in
//   order); `tool NAME:` names the tool, and is an error when that call is another tool's; `tool
//   error:` / `tool NAME error:` is an error result. Text may follow the colon, as for the other
//   roles. A call's results come right after its assistant turn: a `user:` or `assistant:`
//   section while calls wait, a result with no call waiting, or the prompt ending with calls
//   unanswered or with an assistant turn are errors, each at its line.
// - Front matter `tools:` declares the tools: a JSON file relative to the prompt file, or JSON on
//   the line (it may continue over the next lines until it parses): OpenAI function tools or
//   Anthropic tools, an array or {"tools": [...]} (parseTools). The parser does not read files:
//   the caller passes `readToolsFile`, and a prompt's `tools` says where they came from. A call
//   of a tool not declared is an error. Without `tools:`, the tools are inferred from the calls
//   (inferTools: names and argument keys, no descriptions) and a warning says so.
// - A prompt is a conversation prompt when it has an `assistant:` or `tool:` section or declares
//   tools; `conversation` is then its prefix (neutral form, checked as the APIs would:
//   checkConversation), `user` the label its runs record as their prompt — the last turn in a
//   few words and a digest of the whole prefix, tools included — and `hash` covers all of it, so
//   an edited tool description is another prompt. A prompt with only `system:` / `user:`
//   sections and no `tools:` is read exactly as before (same text, same hash).
// - In a conversation prompt the system sections come before the turns (a conversation has one
//   system prompt, sent first); `reference:` is not used (its runs class the next actions, with
//   no expected one in the editor) and is flagged.
import { checkConversation, inferTools, mergeTurns, parseTools, type Conversation, type ConversationBlock, type ConversationMessage, type ToolSpec } from "./conversation";
import { parseCompare, parseExtract, type AnswerSpec } from "./answerspec";
import type { TrajectoryStep } from "./types";

/** Keys a prompt's front matter may set. */
export const FRONT_MATTER_KEYS = ["n", "provider", "model", "reference", "answer", "compare", "temperature", "thinking", "thinking_budget", "max_tokens", "vars", "id", "tools"] as const;
export const PROVIDER_NAMES = ["auto", "simulated", "anthropic", "openai", "vscode-lm"];

export interface Range {
  /** 0-based line and character (UTF-16), end exclusive: the LSP's convention. */
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface FrontMatterProblem {
  message: string;
  range: Range;
  severity: "error" | "warning";
  /** What to write at `range` instead (a misspelt key's closest known key): a quick fix. */
  replace?: string;
}

/** Edit distance of two short strings (insertions, deletions, substitutions, adjacent swaps). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

/**
 * The known front-matter key a misspelt one most likely meant ("refrence", "Reference",
 * "max-tokens", "temprature"), or null when none is close (at most 2 edits, and fewer than half
 * its letters; one key only: two as close are a guess, not a fix).
 */
export function closestKey(key: string): string | null {
  const k = key.toLowerCase().replace(/-/g, "_");
  if ((FRONT_MATTER_KEYS as readonly string[]).includes(k)) return k;
  let best: string | null = null;
  let bestD = Infinity;
  let tie = false;
  for (const known of FRONT_MATTER_KEYS) {
    const d = distance(k, known);
    if (d < bestD) [best, bestD, tie] = [known, d, false];
    else if (d === bestD) tie = true;
  }
  return best !== null && !tie && bestD <= 2 && bestD * 2 < Math.max(k.length, 2) ? best : null;
}

export interface PromptSettings {
  n?: number;
  provider?: string;
  model?: string;
  reference?: string | number;
  /** `answer:` (how the answer is extracted) and `compare:` (how answers are compared), parsed (src/core/answerspec.ts). */
  answerSpec?: AnswerSpec;
  temperature?: number;
  thinking?: string;
  thinkingBudget?: number;
  maxTokens?: number;
  vars?: Record<string, string>;
  id?: string;
}

export interface FilePrompt {
  /** 0-based position in the file. */
  index: number;
  /** The whole prompt, front matter included, and its body (without it). */
  range: Range;
  bodyRange: Range;
  settings: PromptSettings;
  system?: string;
  /** The user message, variables filled in. */
  user: string;
  /** Variables used but not defined in `vars`, with their ranges. */
  unresolved: { name: string; range: Range }[];
  problems: FrontMatterProblem[];
  /** Hash of the text as it would be sent (see src/sampling/store.ts promptHash; same function). */
  hash: string;
  /**
   * A conversation prompt (`assistant:` / `tool:` sections, or `tools:` declared): the prefix
   * whose next assistant turn a run samples, in the neutral form, tools declared (sources left
   * out: where a block sits in the file is not part of the prompt). `user` is then the label its
   * runs record as their prompt and `system` its system prompt.
   */
  conversation?: Conversation;
  /** Where a conversation prompt's tools come from. */
  tools?: ToolsSource;
}

/** A conversation prompt's tools: the front matter's file or inline JSON (the range of its value), or inferred from the calls. */
export type ToolsSource = { from: "file"; path: string; range: Range } | { from: "inline"; range: Range } | { from: "inferred" };

/** Reads the tools file a prompt names (`tools: FILE`, the path as written: relative to the prompt file). */
export type ToolsFileReader = (path: string) => { text: string } | { error: string };

export interface PromptFileOptions {
  /** How to read a tools file; without it a prompt that names one gets an error saying it was not read. */
  readToolsFile?: ToolsFileReader;
}

const SEPARATOR = /^={3,}\s*$/;
const FENCE = /^---\s*$/;
const ROLE = /^(system|user|assistant):\s?(.*)$/;
/** `tool:`, `tool NAME:`, `tool error:`, `tool NAME error:` (a tool named error: `tool error error:`). */
const TOOL_ROLE = /^tool(?:[ \t]+([A-Za-z0-9_-]+))??(?:[ \t]+(error))?:\s?(.*)$/;
/** `call NAME`, `call NAME {…`, `call NAME [ID] {…` in an assistant section. */
const CALL = /^call[ \t]+([A-Za-z0-9_-]+)(?:[ \t]+\[([^\]]*)\])?[ \t]*(\{.*)?$/;
const CALL_ID = /^[A-Za-z0-9_-]{1,64}$/;
const VARIABLE = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

const pos = (line: number, character: number) => ({ line, character });
const range = (l1: number, c1: number, l2: number, c2: number): Range => ({ start: pos(l1, c1), end: pos(l2, c2) });

/** A small YAML subset for front matter: `key: value` lines, values as numbers, quoted or plain strings, or `{a: 1, b: x}` maps. */
function parseValue(raw: string): unknown {
  const v = raw.trim();
  if (v === "") return "";
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) return v.slice(1, -1);
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) return Number(v);
  if (v === "true" || v === "false") return v === "true";
  if (v === "null" || v === "~") return null;
  if (v.startsWith("{") && v.endsWith("}")) {
    const out: Record<string, unknown> = {};
    for (const part of v.slice(1, -1).split(",")) {
      if (part.trim() === "") continue;
      const at = part.indexOf(":");
      if (at < 0) throw new Error(`"${part.trim()}" is not key: value`);
      out[part.slice(0, at).trim().replace(/^["']|["']$/g, "")] = parseValue(part.slice(at + 1));
    }
    return out;
  }
  return v;
}

/** The front matter's `tools:` as written: a file's path, or inline JSON. */
type ToolsDecl = { kind: "file"; path: string; range: Range } | { kind: "inline"; json: string; range: Range };

interface FrontMatter {
  settings: PromptSettings;
  tools?: ToolsDecl;
  /** Where `reference:` is (a conversation prompt checks that it names a declared tool). */
  referenceRange?: Range;
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function frontMatter(lines: string[], from: number, to: number, problems: FrontMatterProblem[]): FrontMatter {
  const s: PromptSettings = {};
  const out: FrontMatter = { settings: s };
  let mapKey: string | null = null; // a block map (vars:\n  a: 1)
  for (let i = from; i < to; i++) {
    const line = lines[i]!;
    if (line.trim() === "" || line.trim().startsWith("#")) continue;
    const indented = /^\s+/.test(line);
    const m = /^(\s*)([A-Za-z_][\w-]*)\s*:(.*)$/.exec(line);
    if (!m) {
      problems.push({ message: `front matter lines are "key: value"`, range: range(i, 0, i, line.length), severity: "error" });
      continue;
    }
    const key = m[2]!;
    const keyRange = range(i, m[1]!.length, i, m[1]!.length + key.length);
    const valueStart = line.indexOf(":") + 1;
    const valueRange = range(i, valueStart + (m[3]!.length - m[3]!.trimStart().length), i, line.length);
    if (key === "tools" && !indented) {
      // not YAML: a path, or JSON that may continue over the next lines until it parses
      mapKey = null;
      const raw = m[3]!.trim();
      const at = valueRange.start.character;
      if (raw === "") problems.push({ message: `tools is a JSON file of tool declarations (relative to this file) or JSON on the line: tools: [{"name": …, "input_schema": …}]`, range: keyRange, severity: "error" });
      else if (raw.startsWith("[") || raw.startsWith("{")) {
        let json = raw;
        let end = i;
        if (!parsesAsJson(json)) {
          let more = json;
          for (let j = i + 1; j < to; j++) {
            more += `\n${lines[j]!}`;
            if (parsesAsJson(more)) {
              json = more;
              end = j;
              break;
            }
          }
        }
        // never parses: the line alone, whose error parseTools reports
        out.tools = { kind: "inline", json, range: end === i ? range(i, at, i, at + raw.length) : range(i, at, end, lines[end]!.trimEnd().length) };
        i = end;
      } else out.tools = { kind: "file", path: raw.replace(/^(["'])(.*)\1$/, "$2"), range: range(i, at, i, at + raw.length) };
      continue;
    }
    if (key === "reference" && !indented) out.referenceRange = range(i, m[1]!.length, i, line.trimEnd().length);
    if ((key === "answer" || key === "compare") && !indented) {
      // not YAML: the compact form as written (a regex's `:` `{` `#` are its own), quotes dropped
      mapKey = null;
      const raw = m[3]!.trim().replace(/^(["'])(.*)\1$/, "$2");
      try {
        if (key === "answer") s.answerSpec = { ...s.answerSpec, extract: parseExtract(raw) };
        else s.answerSpec = { ...s.answerSpec, compare: parseCompare(raw) };
      } catch (e) {
        problems.push({ message: `${key}: ${(e as Error).message}`, range: valueRange, severity: "error" });
      }
      continue;
    }
    let value: unknown;
    try {
      value = parseValue(m[3]!);
    } catch (e) {
      problems.push({ message: `${key}: ${(e as Error).message}`, range: valueRange, severity: "error" });
      continue;
    }
    if (indented && mapKey === "vars") {
      (s.vars ??= {})[key] = String(value);
      continue;
    }
    mapKey = null;
    const fail = (message: string) => problems.push({ message, range: valueRange, severity: "error" });
    switch (key) {
      case "n":
        if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 1000) fail(`n must be a whole number from 1 to 1000, not ${JSON.stringify(m[3]!.trim())}`);
        else s.n = value;
        break;
      case "provider":
        if (typeof value !== "string" || !PROVIDER_NAMES.includes(value)) fail(`unknown provider ${JSON.stringify(value)}: use one of ${PROVIDER_NAMES.join(", ")}`);
        else s.provider = value;
        break;
      case "model":
      case "id":
        if (typeof value !== "string" && typeof value !== "number") fail(`${key} is a name`);
        else s[key] = String(value);
        break;
      case "reference":
        if (typeof value !== "string" && typeof value !== "number") fail("reference is the correct answer: a number or a string");
        else s.reference = value;
        break;
      case "temperature":
        if (typeof value !== "number" || value < 0 || value > 2) fail("temperature is a number from 0 to 2");
        else s.temperature = value;
        break;
      case "thinking":
        if (typeof value !== "string" || !["auto", "adaptive", "budget", "off"].includes(value)) fail("thinking is auto, adaptive, budget or off");
        else s.thinking = value;
        break;
      case "thinking_budget":
        if (typeof value !== "number" || !Number.isInteger(value) || value < 1024) fail("thinking_budget is a whole number of tokens, at least 1024");
        else s.thinkingBudget = value;
        break;
      case "max_tokens":
        if (typeof value !== "number" || !Number.isInteger(value) || value < 1) fail("max_tokens is a whole number of tokens");
        else s.maxTokens = value;
        break;
      case "vars":
        if (value === "") mapKey = "vars";
        else if (typeof value !== "object" || value === null) fail("vars is a map: vars: { name: value }");
        else s.vars = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
        break;
      default:
      {
        const near = closestKey(key);
        problems.push({ message: `unknown key "${key}": ${near ? `did you mean "${near}"? (` : "use "}${FRONT_MATTER_KEYS.join(", ")}${near ? ")" : ""}`, range: keyRange, severity: "error", ...(near ? { replace: near } : {}) });
      }
    }
  }
  return out;
}

interface Part {
  text: string;
  line: number;
  offset: number;
}

interface Section {
  role: "system" | "user" | "assistant" | "tool";
  /** The line of its header; null for text before the first one (the user's). */
  header: number | null;
  lines: Part[];
  /** `tool NAME:` / `tool … error:`. */
  name?: { text: string; range: Range };
  isError?: boolean;
}

/** Fills {{variables}} in and lists the undefined ones. */
class Variables {
  readonly unresolved: { name: string; range: Range }[] = [];
  constructor(private readonly vars: Record<string, string>) {}
  /** Records the undefined variables of these parts. */
  scan(parts: readonly Part[]): void {
    for (const p of parts) {
      VARIABLE.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = VARIABLE.exec(p.text))) if (!(m[1]! in this.vars)) this.unresolved.push({ name: m[1]!, range: range(p.line, p.offset + m.index, p.line, p.offset + m.index + m[0].length) });
    }
  }
  fill(text: string): string {
    return text.replace(VARIABLE, (whole, name: string) => (name in this.vars ? this.vars[name]! : whole));
  }
  /** The parts' text, joined and trimmed, variables filled in (and the undefined ones listed). */
  text(parts: readonly Part[]): string {
    this.scan(parts);
    return this.fill(parts.map((p) => p.text).join("\n").trim());
  }
  /** A JSON value with variables filled in inside its strings. */
  deep(v: unknown): unknown {
    if (typeof v === "string") return this.fill(v);
    if (Array.isArray(v)) return v.map((x) => this.deep(x));
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.deep(x)]));
    return v;
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const cut = (text: string, max: number) => {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/** The conversation's last turn in a few words: its text, else which tools' results it holds. */
export function lastTurnText(c: Conversation, max = 100): string {
  const last = c.messages[c.messages.length - 1];
  if (!last) return "";
  const text = last.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join(" ");
  if (text.trim() !== "") return cut(text, max);
  const names = new Map(c.messages.flatMap((m) => m.content.flatMap((b) => (b.type === "tool_call" ? [[b.id, b.name] as const] : []))));
  const results = last.content.flatMap((b) => (b.type === "tool_result" ? [names.get(b.id) ?? b.id] : []));
  return results.length > 0 ? `the result of ${[...new Set(results)].join(", ")}` : "";
}

/** What the editor calls a run of a conversation prompt: "next action after: <its last turn>". */
export function nextActionTitle(c: Conversation, max = 40): string {
  return `next action after: ${lastTurnText(c, max)}`;
}

/**
 * The label a conversation prompt's runs record as their prompt: its last turn in a few words,
 * its size, and a digest of the whole prefix (system, turns and tools), so that the prompt hash
 * (computed from this label and the system prompt, as for any run) covers all of it.
 */
function conversationLabel(c: Conversation, inferred: boolean, hash: (user: string, system?: string) => string): string {
  const digest = hash(JSON.stringify({ messages: c.messages, tools: c.tools }), c.system).slice(0, 12);
  const tools = `${plural(c.tools.length, "tool")} ${inferred ? "inferred from the calls" : "declared"}`;
  return `Next action after: ${lastTurnText(c)} (${plural(c.messages.length, "message")}, ${tools}; prefix ${digest})`;
}

/** V8's JSON.parse message without its position (the range says where). */
function jsonMessage(e: unknown): { message: string; position: number | null } {
  const raw = e instanceof Error ? e.message : String(e);
  const at = / in JSON at position (\d+)(?: \(line \d+ column \d+\))?/.exec(raw);
  return { message: raw.replace(/ in JSON at position \d+(?: \(line \d+ column \d+\))?/, ""), position: at ? Number(at[1]) : null };
}

interface ReadContext {
  lines: string[];
  sections: Section[];
  decl: ToolsDecl | undefined;
  front: FrontMatter;
  vars: Variables;
  problems: FrontMatterProblem[];
  options: PromptFileOptions;
  /** The first line of the body (where a problem of the whole conversation goes). */
  body: number;
}

interface CallRecord {
  block: Extract<ConversationBlock, { type: "tool_call" }>;
  /** `call NAME`, and NAME alone. */
  range: Range;
  nameRange: Range;
  given?: { id: string; range: Range };
  results: Extract<ConversationBlock, { type: "tool_result" }>[];
}

/** A conversation prompt's prefix, its tools and where they came from, every problem at its line. */
function readConversation(cx: ReadContext): { conversation: Conversation; tools: ToolsSource } {
  const { lines, problems, vars } = cx;
  const errorsBefore = problems.filter((p) => p.severity === "error").length;
  const error = (message: string, r: Range) => problems.push({ message, range: r, severity: "error" });
  const lineRange = (l: number) => range(l, 0, l, lines[l]!.trimEnd().length);
  const headerRange = (s: Section) => (s.header !== null ? lineRange(s.header) : s.lines[0] ? lineRange(s.lines[0].line) : lineRange(cx.body));
  const at = (l: number) => `line ${l + 1}`;

  const system: Part[] = [];
  const messages: ConversationMessage[] = [];
  /** Each block's source ("line N") → its range, to place checkConversation's problems. */
  const where = new Map<string, Range>();
  const add = (role: "user" | "assistant", block: ConversationBlock, r: Range) => {
    const source = at(r.start.line);
    where.set(source, r);
    messages.push({ role, content: [block], sources: [source] });
  };
  const calls: CallRecord[] = [];
  let waiting: CallRecord[] = [];
  /** The calls still waiting when a turn other than their results begins. */
  const unanswered = (why: string) => {
    for (const c of waiting) error(`the call of ${c.block.name} (${at(c.range.start.line)}) has no result ${why}: add a tool: section with its result right after the assistant turn that makes it`, c.range);
    waiting = [];
  };
  let lastTurn: { role: "user" | "assistant"; section: Section } | null = null;
  let startedWithAssistant = false;

  for (const s of cx.sections) {
    switch (s.role) {
      case "system":
        if (lastTurn !== null) error("a system: section after the conversation's first turn: a conversation has one system prompt, sent before its turns; move this text to the system: section at the top", headerRange(s));
        else system.push(...s.lines);
        break;
      case "user": {
        if (waiting.length > 0) unanswered(`before the user turn at ${at(headerRange(s).start.line)}`);
        const text = vars.text(s.lines);
        if (text === "") error("an empty user: section: write the user's turn, or remove the line", headerRange(s));
        else add("user", { type: "text", text }, headerRange(s));
        lastTurn = { role: "user", section: s };
        break;
      }
      case "assistant": {
        if (lastTurn === null && !startedWithAssistant) {
          startedWithAssistant = true;
          error("the conversation starts with an assistant turn: it must start with the user's (a user: section, or text before the first section)", headerRange(s));
        }
        // results were given for some calls only, and now the assistant speaks again
        if (waiting.length > 0 && lastTurn?.role === "user") unanswered(`before the assistant turn at ${at(headerRange(s).start.line)}`);
        let blocks = 0;
        let text: Part[] = [];
        const flush = () => {
          const t = vars.text(text);
          if (t !== "") {
            add("assistant", { type: "text", text: t }, range(text[0]!.line, text[0]!.offset, text[text.length - 1]!.line, lines[text[text.length - 1]!.line]!.trimEnd().length));
            blocks++;
          }
          text = [];
        };
        for (let k = 0; k < s.lines.length; k++) {
          const part = s.lines[k]!;
          const m = CALL.exec(part.text);
          if (!m) {
            text.push(part);
            continue;
          }
          flush();
          const name = m[1]!;
          const callRange = range(part.line, part.offset, part.line, part.offset + "call".length + part.text.slice(4).indexOf(name) + name.length);
          const nameRange = range(part.line, callRange.end.character - name.length, part.line, callRange.end.character);
          let args: unknown = {};
          if (m[3] !== undefined) {
            // the JSON, over the following lines until it parses (never past another call)
            const jsonAt = part.offset + part.text.length - m[3].length;
            const jsonParts: Part[] = [{ text: m[3], line: part.line, offset: jsonAt }];
            let json = m[3];
            let parsed: { value: unknown } | { error: unknown } | null = null;
            let used = k;
            for (let j = k; ; j++) {
              if (j > k) {
                const next = s.lines[j];
                if (next === undefined || /^call[ \t]/.test(next.text)) break;
                json += `\n${next.text}`;
                jsonParts.push(next);
              }
              try {
                parsed = { value: JSON.parse(json) as unknown };
                used = j;
                break;
              } catch (e) {
                parsed = { error: e };
              }
            }
            if (parsed !== null && "value" in parsed) {
              k = used;
              vars.scan(jsonParts);
              args = vars.deep(parsed.value);
            } else {
              // never parses: the error where JSON.parse stopped reading, else the call's line
              const { message, position } = jsonMessage(parsed?.error);
              let r = range(part.line, jsonAt, part.line, lines[part.line]!.trimEnd().length);
              if (position !== null) {
                let left = position;
                for (const jp of jsonParts) {
                  if (left <= jp.text.length) {
                    const c = jp.offset + Math.min(left, Math.max(0, jp.text.length - 1));
                    r = range(jp.line, c, jp.line, Math.max(c + 1, lines[jp.line]!.trimEnd().length));
                    break;
                  }
                  left -= jp.text.length + 1;
                }
              }
              error(`the arguments of call ${name} are not JSON: ${message} (they run from the { after the name until the JSON parses, never past the next call or section)`, r);
            }
          }
          const record: CallRecord = { block: { type: "tool_call", id: "", name, arguments: args }, range: callRange, nameRange, results: [] };
          if (m[2] !== undefined) {
            const idAt = part.offset + part.text.indexOf(`[${m[2]}]`, 4 + name.length) + 1;
            record.given = { id: m[2].trim(), range: range(part.line, idAt, part.line, idAt + m[2].length) };
          }
          calls.push(record);
          waiting.push(record);
          add("assistant", record.block, callRange);
          blocks++;
        }
        flush();
        if (blocks === 0) error("an empty assistant: section: write the assistant's text or a call NAME {arguments} line, or remove the line", headerRange(s));
        lastTurn = { role: "assistant", section: s };
        break;
      }
      case "tool": {
        const call = waiting.shift();
        const r = s.name?.range ?? headerRange(s);
        const content = vars.text(s.lines);
        if (call === undefined) {
          const answered = calls.length > 0 && lastTurn !== null;
          error(`this tool result answers no call: ${answered ? "every call above already has its result, or a user: turn came between" : "no call NAME {…} line comes before it"} (a tool: section answers the oldest call still waiting for its result)`, headerRange(s));
        } else {
          if (s.name !== undefined && s.name.text !== call.block.name)
            error(`tool ${s.name.text}: the call waiting for this result is ${call.block.name} (${at(call.range.start.line)}): results answer the calls in order`, r);
          const block: Extract<ConversationBlock, { type: "tool_result" }> = { type: "tool_result", id: "", content };
          if (s.isError === true) block.isError = true;
          call.results.push(block);
          add("user", block, headerRange(s));
        }
        lastTurn = { role: "user", section: s };
        break;
      }
    }
  }
  if (waiting.length > 0) unanswered("before the prompt ends (the next turn is sampled after the last result)");
  else if (lastTurn?.role === "assistant")
    error("the conversation ends with an assistant turn: there is nothing for the next turn to answer; end it with a user: section or the tool: results of its calls", headerRange(lastTurn.section));
  if (messages.length === 0 && lastTurn === null) error("a conversation prompt needs a user turn: add a user: section", lineRange(cx.body));

  // call ids: as given (unique, as the APIs require), else call_1, call_2… skipping those given
  const given = new Map<string, CallRecord>();
  for (const c of calls) {
    if (c.given === undefined) continue;
    if (!CALL_ID.test(c.given.id)) error(`the call id [${c.given.id}] is not 1 to 64 letters, digits, "_" or "-" (as both APIs require)`, c.given.range);
    else if (given.has(c.given.id)) error(`a second call with the id ${c.given.id} (the first is at ${at(given.get(c.given.id)!.range.start.line)}): call ids must be unique`, c.given.range);
    else given.set(c.given.id, c);
  }
  let k = 0;
  for (const c of calls) {
    let id = c.given !== undefined && given.get(c.given.id) === c ? c.given.id : "";
    if (id === "") {
      do id = `call_${++k}`;
      while (given.has(id));
    }
    c.block.id = id;
    for (const r of c.results) r.id = id;
  }

  // the tools: declared (a file, inline JSON), else inferred from the calls
  let tools: ToolSpec[] = [];
  let source: ToolsSource;
  let declared = false;
  const decl = cx.decl;
  if (decl === undefined) {
    source = { from: "inferred" };
    // as a recorded run's tools are inferred, but undescribed: a description would be text the prompt does not have
    tools = inferTools(calls.map((c): TrajectoryStep => ({ kind: "tool_call", name: c.block.name, arguments: c.block.arguments }))).map(({ description: _, ...t }) => t);
    if (calls.length > 0)
      problems.push({
        message: `no tools declared: ${tools.map((t) => t.name).join(", ")} ${tools.length === 1 ? "is" : "are"} inferred from the calls, so the model sees undocumented tools (names and argument keys only, no descriptions); declare them with tools: in the front matter (a JSON file, or JSON on the line)`,
        range: calls[0]!.nameRange,
        severity: "warning",
      });
  } else {
    let read: { text: string } | { error: string };
    let where: string | undefined;
    if (decl.kind === "inline") {
      source = { from: "inline", range: decl.range };
      read = { text: decl.json };
    } else {
      source = { from: "file", path: decl.path, range: decl.range };
      where = decl.path;
      read = cx.options.readToolsFile ? cx.options.readToolsFile(decl.path) : { error: "no tools file is read here" };
    }
    if ("error" in read) error(`cannot read the tools file ${decl.kind === "file" ? decl.path : ""}: ${read.error}`, decl.range);
    else {
      const parsed = parseTools(read.text, where);
      if ("error" in parsed) error(decl.kind === "file" ? `the tools file cannot be used: ${parsed.error}` : `the tools cannot be used: ${parsed.error}`, decl.range);
      else {
        tools = parsed.tools;
        declared = true;
      }
    }
  }
  if (declared) {
    const names = new Set(tools.map((t) => t.name));
    for (const c of calls)
      if (!names.has(c.block.name))
        error(`${c.block.name} is not a tool declared in ${decl!.kind === "file" ? decl!.path : "the front matter"} (${tools.length === 0 ? "none is" : tools.map((t) => t.name).join(", ")}): the API would refuse the call`, c.nameRange);
  }

  const systemText = system.length > 0 ? vars.text(system) : "";
  const merged = mergeTurns({ messages, tools, ...(systemText !== "" ? { system: systemText } : {}) });
  // what the APIs would refuse that the lines above did not say (tool names and schemas, …)
  if (problems.filter((p) => p.severity === "error").length === errorsBefore) {
    const refused = checkConversation(merged);
    if (refused !== null) {
      const m = /^(line \d+): (.*)$/s.exec(refused);
      const tm = /^tools\[\d+\]/.test(refused);
      const r = m && where.has(m[1]!) ? where.get(m[1]!)! : tm && decl ? decl.range : tm && calls[0] ? calls[0].nameRange : lineRange(cx.body);
      error(m ? m[2]! : refused, r);
    }
  }
  // a conversation's reference is its expected next action: a tool's name, or a full call
  // `name{…}` / `name(…)`; one that names no declared tool can never be taken
  const expected = cx.front.settings.reference;
  if (cx.front.referenceRange && expected !== undefined) {
    const text = String(expected).trim();
    const at = text.search(/[({]/);
    const name = at < 0 ? text : text.slice(0, at);
    if (tools.length > 0 && !tools.some((t) => t.name === name))
      problems.push({
        message: `the expected next action names no declared tool: "${name}" (declared: ${tools.map((t) => t.name).join(", ")}). In a conversation prompt, reference is the expected action: a tool's name or a full call`,
        range: cx.front.referenceRange,
        severity: "warning",
      });
  }
  const conversation: Conversation = { messages: merged.messages.map((m) => ({ role: m.role, content: m.content })), tools };
  if (merged.system !== undefined) conversation.system = merged.system;
  return { conversation, tools: source };
}

/**
 * Splits a prompt file into its prompts. `hash(user, system)` is the run store's prompt hash
 * (passed in: core stays free of node:crypto).
 */
export function parsePromptFile(text: string, hash: (user: string, system?: string) => string, options: PromptFileOptions = {}): FilePrompt[] {
  const lines = text.split(/\r?\n/);
  const blocks: [number, number][] = [];
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    if (SEPARATOR.test(lines[i]!)) {
      blocks.push([start, i]);
      start = i + 1;
    }
  }
  blocks.push([start, lines.length]);
  const prompts: FilePrompt[] = [];
  for (const [from, to] of blocks) {
    let first = from;
    while (first < to && lines[first]!.trim() === "") first++;
    if (first >= to) continue; // an empty block
    const problems: FrontMatterProblem[] = [];
    let body = first;
    let front: FrontMatter = { settings: {} };
    if (FENCE.test(lines[first]!)) {
      let close = -1;
      for (let i = first + 1; i < to; i++)
        if (FENCE.test(lines[i]!)) {
          close = i;
          break;
        }
      if (close < 0) problems.push({ message: "the front matter is not closed: end it with a line ---", range: range(first, 0, first, lines[first]!.length), severity: "error" });
      else {
        front = frontMatter(lines, first + 1, close, problems);
        body = close + 1;
      }
    }
    const settings = front.settings;
    // role sections
    const sections: Section[] = [];
    let current: Section | null = null;
    for (let i = body; i < to; i++) {
      const m = ROLE.exec(lines[i]!);
      const t = m ? null : TOOL_ROLE.exec(lines[i]!);
      if (m || t) {
        const rest = m ? m[2]! : t![3]!;
        current = { role: m ? (m[1] as Section["role"]) : "tool", header: i, lines: [] };
        if (t?.[1] !== undefined) {
          const nameAt = lines[i]!.indexOf(t[1], 4);
          current.name = { text: t[1], range: range(i, nameAt, i, nameAt + t[1].length) };
        }
        if (t?.[2] !== undefined) current.isError = true;
        sections.push(current);
        if (rest.trim() !== "") current.lines.push({ text: rest, line: i, offset: lines[i]!.length - rest.length });
        continue;
      }
      if (!current) {
        current = { role: "user", header: null, lines: [] };
        sections.push(current);
      }
      current.lines.push({ text: lines[i]!, line: i, offset: 0 });
    }
    const variables = new Variables(settings.vars ?? {});
    let userText: string;
    let systemText: string | undefined;
    let conversation: { conversation: Conversation; tools: ToolsSource } | null = null;
    if (front.tools !== undefined || sections.some((x) => x.role === "assistant" || x.role === "tool")) {
      conversation = readConversation({ lines, sections, decl: front.tools, front, vars: variables, problems, options, body: Math.min(body, to - 1) });
      systemText = conversation.conversation.system;
      userText = conversationLabel(conversation.conversation, conversation.tools.from === "inferred", hash);
    } else {
      // a plain prompt: every user section is the user message, every system section the system prompt
      const join = (role: string) => sections.filter((x) => x.role === role).flatMap((x) => x.lines);
      userText = variables.text(join("user"));
      const system = join("system");
      systemText = system.length > 0 ? variables.text(system) : undefined;
    }
    const unresolved = variables.unresolved;
    let last = to - 1;
    while (last > first && lines[last]!.trim() === "") last--;
    const p: FilePrompt = {
      index: prompts.length,
      range: range(first, 0, last, lines[last]!.length),
      bodyRange: range(Math.min(body, last), 0, last, lines[last]!.length),
      settings,
      user: userText,
      unresolved,
      problems,
      hash: hash(userText, systemText),
    };
    if (systemText) p.system = systemText;
    if (conversation) {
      p.conversation = conversation.conversation;
      p.tools = conversation.tools;
    }
    prompts.push(p);
  }
  return prompts;
}

/**
 * A front-matter value as the parser reads it back (parseValue): a number as written, else the
 * text in double quotes (single when it holds a double quote); null when it cannot be written on
 * one line (a line break, or both kinds of quote).
 */
export function frontMatterValue(v: string): string | null {
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) return v;
  if (/[\r\n]/.test(v)) return null;
  if (!v.includes('"')) return `"${v}"`;
  if (!v.includes("'")) return `'${v}'`;
  return null;
}

/**
 * The edit that makes `value` the `reference:` of prompt `index` of a prompt file: the line
 * replaced when the prompt's front matter has one, else added before the front matter's closing
 * `---`, else a front matter of its own put before the prompt. An error when there is no such
 * prompt or the value cannot be written on one line. Pure: the caller applies it (a
 * WorkspaceEdit, so the user can undo it).
 */
export function referenceEdit(text: string, index: number, value: string): { range: Range; newText: string } | { error: string } {
  const written = frontMatterValue(value);
  if (written === null) return { error: `the answer cannot be written as a one-line reference: ${value.length > 40 ? value.slice(0, 39) + "…" : value}` };
  const prompts = parsePromptFile(text, () => "");
  const p = prompts.find((x) => x.index === index);
  if (!p) return { error: `the prompt file has no prompt #${index + 1} (it has ${prompts.length}): was it edited since the run?` };
  const lines = text.split("\n");
  const first = p.range.start.line;
  const at = (line: number, character = 0): Range => ({ start: { line, character }, end: { line, character } });
  if (/^---\s*$/.test(lines[first] ?? "")) {
    let close = -1;
    for (let i = first + 1; i < lines.length; i++)
      if (/^---\s*$/.test(lines[i]!)) {
        close = i;
        break;
      }
    if (close > 0) {
      for (let i = first + 1; i < close; i++) {
        const line = lines[i]!.replace(/\r$/, "");
        if (/^reference\s*:/.test(line)) return { range: { start: { line: i, character: 0 }, end: { line: i, character: line.length } }, newText: `reference: ${written}` };
      }
      return { range: at(close), newText: `reference: ${written}\n` };
    }
  }
  return { range: at(first, p.range.start.character), newText: `---\nreference: ${written}\n---\n` };
}
