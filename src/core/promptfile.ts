// Prompt files (`*.prompt`, `*.prompt.md`): one or more prompts, each with optional YAML front
// matter that overrides the settings for it, optional role sections, and {{variables}}.
//
//   ---
//   n: 8
//   model: claude-sonnet-5-5
//   reference: 18
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

/** Keys a prompt's front matter may set. */
export const FRONT_MATTER_KEYS = ["n", "provider", "model", "reference", "temperature", "thinking", "thinking_budget", "max_tokens", "vars", "id"] as const;
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
}

export interface PromptSettings {
  n?: number;
  provider?: string;
  model?: string;
  reference?: string | number;
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
}

const SEPARATOR = /^={3,}\s*$/;
const FENCE = /^---\s*$/;
const ROLE = /^(system|user):\s?(.*)$/;
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

function frontMatter(lines: string[], from: number, to: number, problems: FrontMatterProblem[]): PromptSettings {
  const s: PromptSettings = {};
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
        problems.push({ message: `unknown key "${key}": use ${FRONT_MATTER_KEYS.join(", ")}`, range: keyRange, severity: "error" });
    }
  }
  return s;
}

/**
 * Splits a prompt file into its prompts. `hash(user, system)` is the run store's prompt hash
 * (passed in: core stays free of node:crypto).
 */
export function parsePromptFile(text: string, hash: (user: string, system?: string) => string): FilePrompt[] {
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
    let settings: PromptSettings = {};
    if (FENCE.test(lines[first]!)) {
      let close = -1;
      for (let i = first + 1; i < to; i++)
        if (FENCE.test(lines[i]!)) {
          close = i;
          break;
        }
      if (close < 0) problems.push({ message: "the front matter is not closed: end it with a line ---", range: range(first, 0, first, lines[first]!.length), severity: "error" });
      else {
        settings = frontMatter(lines, first + 1, close, problems);
        body = close + 1;
      }
    }
    // role sections
    const sections: { role: string; lines: { text: string; line: number; offset: number }[] }[] = [];
    let current: (typeof sections)[number] | null = null;
    for (let i = body; i < to; i++) {
      const m = ROLE.exec(lines[i]!);
      if (m) {
        current = { role: m[1]!, lines: [] };
        sections.push(current);
        if (m[2]!.trim() !== "") current.lines.push({ text: m[2]!, line: i, offset: lines[i]!.length - m[2]!.length });
        continue;
      }
      if (!current) {
        current = { role: "user", lines: [] };
        sections.push(current);
      }
      current.lines.push({ text: lines[i]!, line: i, offset: 0 });
    }
    const join = (role: string) => {
      const parts = sections.filter((s) => s.role === role).flatMap((s) => s.lines);
      return { text: parts.map((p) => p.text).join("\n").trim(), parts };
    };
    const user = join("user");
    const system = join("system");
    const vars = settings.vars ?? {};
    const unresolved: { name: string; range: Range }[] = [];
    const fill = (t: { text: string; parts: { text: string; line: number; offset: number }[] }) => {
      for (const p of t.parts) {
        VARIABLE.lastIndex = 0;
        let m: RegExpExecArray | null;
        while ((m = VARIABLE.exec(p.text))) if (!(m[1]! in vars)) unresolved.push({ name: m[1]!, range: range(p.line, p.offset + m.index, p.line, p.offset + m.index + m[0].length) });
      }
      return t.text.replace(VARIABLE, (whole, name: string) => (name in vars ? vars[name]! : whole));
    };
    const userText = fill(user);
    const systemText = system.parts.length > 0 ? fill(system) : undefined;
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
    prompts.push(p);
  }
  return prompts;
}
