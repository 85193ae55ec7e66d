// Answer specs (issue 16): how the answer of an open-ended reply is extracted and how two
// answers are compared, so that a prompt asking for JSON, code, a list or a number with some
// slack gets answer classes that mean something (METRICS.md §2–3 define the default: the §2
// extraction and the §2 key). Pure: text in, answers and class keys out.
//
// Compact form (front matter `answer:` / `compare:`, CLI `--answer` / `--compare`):
//   answer:  regex:/PATTERN/FLAGS[:GROUP] | json:PATH | last-line | code-block[:LANG]
//   compare: exact | numeric[:TOL | :TOL%] | json | set[:SEPARATOR]
import { normalizeAnswer, numberKey } from "./answers";

export type ExtractSpec =
  | { kind: "regex"; pattern: string; flags?: string; group?: number | string }
  | { kind: "json"; path: string }
  | { kind: "last-line" }
  | { kind: "code-block"; lang?: string };

export type CompareSpec =
  | { kind: "exact" }
  /** Values within `tolerance` are one class; `relative`: tolerance is a fraction of the larger magnitude. */
  | { kind: "numeric"; tolerance: number; relative?: boolean }
  | { kind: "json" }
  | { kind: "set"; separator?: string };

export interface AnswerSpec {
  extract?: ExtractSpec;
  compare?: CompareSpec;
}

export class AnswerSpecError extends Error {}

const EXTRACT_FORMS = "regex:/PATTERN/FLAGS, json:$.path, last-line or code-block[:LANG]";
const COMPARE_FORMS = "exact, numeric:TOLERANCE (e.g. numeric:0.01 or numeric:1%), json or set[:SEPARATOR]";
const REGEX_FLAGS = /^[imsu]*$/;

/** The number of capturing groups of a pattern, and its group names. */
function groupsOf(re: RegExp): { count: number; names: string[] } {
  const m = new RegExp(`${re.source}|`, re.flags.replace(/[gy]/g, "")).exec("")!;
  return { count: m.length - 1, names: Object.keys(m.groups ?? {}) };
}

/** Checks a regex extraction (compiles, flags, group) and returns it; throws AnswerSpecError. */
function checkRegex(x: { pattern: string; flags?: string; group?: number | string }): ExtractSpec {
  const flags = x.flags ?? "";
  if (!REGEX_FLAGS.test(flags)) throw new AnswerSpecError(`regex flags are i, m, s or u, not "${flags}" (every match is tried; the last one counts)`);
  if (x.pattern === "") throw new AnswerSpecError("the regex is empty: regex:/Answer:\\s*(.+)/i");
  let re: RegExp;
  try {
    re = new RegExp(x.pattern, flags);
  } catch (e) {
    throw new AnswerSpecError(`the regex /${x.pattern}/ does not compile: ${(e as Error).message.replace(/^Invalid regular expression: /, "")}`);
  }
  const { count, names } = groupsOf(re);
  if (typeof x.group === "number" && (!Number.isInteger(x.group) || x.group < 0 || x.group > count))
    throw new AnswerSpecError(`the regex /${x.pattern}/ has ${count} group${count === 1 ? "" : "s"}, no group ${x.group}`);
  if (typeof x.group === "string" && !names.includes(x.group)) throw new AnswerSpecError(`the regex /${x.pattern}/ has no group named "${x.group}"`);
  return { kind: "regex", pattern: x.pattern, ...(flags ? { flags } : {}), ...(x.group !== undefined ? { group: x.group } : {}) };
}

/** A JSON path's segments: `$`, `.key`, `[0]`, `["key"]` / `['key']`. Throws AnswerSpecError. */
export function parseJsonPath(path: string): (string | number)[] {
  const p = path.trim();
  if (!p.startsWith("$")) throw new AnswerSpecError(`a JSON path starts with $: json:$.label, json:$.items[0].name (not "${path}")`);
  const out: (string | number)[] = [];
  let i = 1;
  while (i < p.length) {
    if (p[i] === ".") {
      const m = /^[A-Za-z_$][\w$-]*/.exec(p.slice(i + 1));
      if (!m) throw new AnswerSpecError(`the JSON path ${p} has no key after the "." at ${i + 1} (write ["key"] for other keys)`);
      out.push(m[0]);
      i += 1 + m[0].length;
    } else if (p[i] === "[") {
      const m = /^\[(?:(\d+)|"((?:[^"\\]|\\.)*)"|'([^']*)')\]/.exec(p.slice(i));
      if (!m) throw new AnswerSpecError(`the JSON path ${p}: at ${i + 1} expected [N] or ["key"]`);
      out.push(m[1] !== undefined ? Number(m[1]) : m[2] !== undefined ? (JSON.parse(`"${m[2]}"`) as string) : m[3]!);
      i += m[0].length;
    } else throw new AnswerSpecError(`the JSON path ${p}: unexpected "${p[i]}" at ${i + 1} (paths are $.key, $[0], $["key"])`);
  }
  return out;
}

/** Parses the compact form of an extraction (`answer:`). Throws AnswerSpecError with the forms it knows. */
export function parseExtract(text: string): ExtractSpec {
  const s = text.trim();
  const colon = s.indexOf(":");
  const kind = (colon < 0 ? s : s.slice(0, colon)).trim().toLowerCase();
  const arg = colon < 0 ? null : s.slice(colon + 1);
  switch (kind) {
    case "regex": {
      if (arg === null || arg.trim() === "") throw new AnswerSpecError("regex needs a pattern: regex:/Answer:\\s*(.+)/i");
      const a = arg.trim();
      if (!a.startsWith("/")) return checkRegex({ pattern: a });
      const end = a.lastIndexOf("/");
      if (end === 0) throw new AnswerSpecError(`the regex ${a} has no closing "/": regex:/PATTERN/FLAGS`);
      const tail = /^([A-Za-z]*)(?::(\w+))?$/.exec(a.slice(end + 1));
      if (!tail) throw new AnswerSpecError(`after the regex's closing "/" come its flags and an optional :GROUP (regex:/(\\d+) of (\\d+)/i:2), not "${a.slice(end + 1)}"`);
      const g = tail[2];
      return checkRegex({ pattern: a.slice(1, end), flags: tail[1]!, ...(g !== undefined ? { group: /^\d+$/.test(g) ? Number(g) : g } : {}) });
    }
    case "json": {
      const path = arg === null || arg.trim() === "" ? "$" : arg.trim();
      parseJsonPath(path);
      return { kind: "json", path };
    }
    case "last-line":
      if (arg !== null && arg.trim() !== "") throw new AnswerSpecError(`last-line takes nothing after it, not "${arg.trim()}"`);
      return { kind: "last-line" };
    case "code-block": {
      const lang = arg?.trim() ?? "";
      if (lang !== "" && !/^[\w+#.-]+$/.test(lang)) throw new AnswerSpecError(`code-block's language is a word (code-block:python), not "${lang}"`);
      return lang ? { kind: "code-block", lang } : { kind: "code-block" };
    }
    default:
      throw new AnswerSpecError(s === "" ? `the answer spec is empty: use ${EXTRACT_FORMS}` : `unknown answer extraction "${kind}": use ${EXTRACT_FORMS}`);
  }
}

/** Parses the compact form of a comparison (`compare:`). Throws AnswerSpecError. */
export function parseCompare(text: string): CompareSpec {
  const s = text.trim();
  const colon = s.indexOf(":");
  const kind = (colon < 0 ? s : s.slice(0, colon)).trim().toLowerCase();
  const arg = colon < 0 ? null : s.slice(colon + 1);
  switch (kind) {
    case "exact":
    case "json":
      if (arg !== null && arg.trim() !== "") throw new AnswerSpecError(`${kind} takes nothing after it, not "${arg.trim()}"`);
      return { kind };
    case "numeric": {
      const a = (arg ?? "0").trim();
      const m = /^(\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(%)?$/.exec(a);
      if (!m) throw new AnswerSpecError(`numeric's tolerance is a number ≥ 0, absolute (numeric:0.01) or relative (numeric:1%), not "${a}"`);
      const x = Number(m[2] ? a.slice(0, -1) : a);
      if (!Number.isFinite(x)) throw new AnswerSpecError(`numeric's tolerance "${a}" is not a finite number`);
      if (m[2]) {
        if (x >= 100) throw new AnswerSpecError(`a relative tolerance is under 100%, not ${a}`);
        return { kind: "numeric", tolerance: x / 100, relative: true };
      }
      return { kind: "numeric", tolerance: x };
    }
    case "set": {
      if (arg === null || arg === "") return { kind: "set" };
      // trimmed, unless it is only blanks (set: with a space: the items are words)
      const sep = arg.trim() === "" ? arg : arg.trim();
      return { kind: "set", separator: sep };
    }
    default:
      throw new AnswerSpecError(s === "" ? `the comparison is empty: use ${COMPARE_FORMS}` : `unknown comparison "${kind}": use ${COMPARE_FORMS}`);
  }
}

/** An answer spec from its two compact forms (either may be absent). Throws AnswerSpecError, naming which one. */
export function parseAnswerSpec(forms: { answer?: string; compare?: string }): AnswerSpec {
  const spec: AnswerSpec = {};
  if (forms.answer !== undefined) {
    try {
      spec.extract = parseExtract(forms.answer);
    } catch (e) {
      throw new AnswerSpecError(`answer: ${(e as Error).message}`);
    }
  }
  if (forms.compare !== undefined) {
    try {
      spec.compare = parseCompare(forms.compare);
    } catch (e) {
      throw new AnswerSpecError(`compare: ${(e as Error).message}`);
    }
  }
  return spec;
}

/** The compact form of an extraction (parseExtract's inverse). */
export function formatExtract(e: ExtractSpec): string {
  switch (e.kind) {
    case "regex":
      return `regex:/${e.pattern}/${e.flags ?? ""}${e.group !== undefined ? `:${e.group}` : ""}`;
    case "json":
      return e.path === "$" ? "json" : `json:${e.path}`;
    case "last-line":
      return "last-line";
    case "code-block":
      return e.lang ? `code-block:${e.lang}` : "code-block";
  }
}

/** The compact form of a comparison (parseCompare's inverse). */
export function formatCompare(c: CompareSpec): string {
  switch (c.kind) {
    case "numeric":
      return c.relative ? `numeric:${+(c.tolerance * 100).toPrecision(12)}%` : `numeric:${c.tolerance}`;
    case "set":
      return c.separator !== undefined ? `set:${c.separator}` : "set";
    default:
      return c.kind;
  }
}

/**
 * Which comparison produced a prompt's classes, for people and the analysis's `comparison`:
 * "exact", "numeric ±0.01", "numeric ±1%", "json equality", "set equality".
 */
export function comparisonLabel(spec: AnswerSpec | undefined): string {
  const c = effectiveCompare(spec);
  switch (c.kind) {
    case "exact":
      return "exact";
    case "numeric":
      return c.relative ? `numeric ±${+(c.tolerance * 100).toPrecision(12)}%` : `numeric ±${c.tolerance}`;
    case "json":
      return "json equality";
    case "set":
      return "set equality";
  }
}

/** The comparison a spec uses: its own, else exact. */
export function effectiveCompare(spec: AnswerSpec | undefined): CompareSpec {
  return spec?.compare ?? { kind: "exact" };
}

/**
 * The extraction a spec uses, or null for METRICS.md §2's (last `\boxed{}`, `Answer:` line,
 * last number): its own; else, comparing JSON, the whole reply as JSON (`json:$`).
 */
export function effectiveExtract(spec: AnswerSpec | undefined): ExtractSpec | null {
  if (spec?.extract) return spec.extract;
  if (spec?.compare?.kind === "json") return { kind: "json", path: "$" };
  return null;
}

/** `over`'s parts where it has them, else `base`'s (a CLI flag over a file's spec). Undefined when neither has any. */
export function mergeAnswerSpecs(base: AnswerSpec | undefined, over: AnswerSpec | undefined): AnswerSpec | undefined {
  const extract = over?.extract ?? base?.extract;
  const compare = over?.compare ?? base?.compare;
  if (!extract && !compare) return undefined;
  return { ...(extract ? { extract } : {}), ...(compare ? { compare } : {}) };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/**
 * Reads an answer spec as a trace-set line or a run header stores it (JSON): either the object
 * form `{"extract": {"kind": "json", "path": "$.label"}, "compare": {"kind": "json"}}` or the
 * compact strings `{"answer": "json:$.label", "compare": "json"}`. Unknown fields are ignored.
 */
export function readAnswerSpec(v: unknown): { spec: AnswerSpec } | { problem: string } {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return { problem: `is ${describe(v)}, not an object like {"extract": {"kind": "json", "path": "$.label"}, "compare": {"kind": "exact"}}` };
  const o = v as Record<string, unknown>;
  const spec: AnswerSpec = {};
  try {
    const ex = o.extract ?? o.answer;
    if (typeof ex === "string") spec.extract = parseExtract(ex);
    else if (ex !== undefined && ex !== null) spec.extract = extractOf(ex);
    const cmp = o.compare;
    if (typeof cmp === "string") spec.compare = parseCompare(cmp);
    else if (cmp !== undefined && cmp !== null) spec.compare = compareOf(cmp);
  } catch (e) {
    return { problem: (e as Error).message };
  }
  return { spec };
}

function extractOf(v: unknown): ExtractSpec {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new AnswerSpecError(`extract is ${describe(v)}, not an object with a "kind"`);
  const o = v as Record<string, unknown>;
  switch (o.kind) {
    case "regex":
      if (typeof o.pattern !== "string") throw new AnswerSpecError(`extract (regex) needs a "pattern" string`);
      if (o.flags !== undefined && typeof o.flags !== "string") throw new AnswerSpecError(`extract (regex): "flags" is ${describe(o.flags)}, not a string`);
      if (o.group !== undefined && typeof o.group !== "number" && typeof o.group !== "string") throw new AnswerSpecError(`extract (regex): "group" is a number or a name`);
      return checkRegex({ pattern: o.pattern, ...(o.flags !== undefined ? { flags: o.flags as string } : {}), ...(o.group !== undefined ? { group: o.group as number | string } : {}) });
    case "json": {
      const path = o.path === undefined ? "$" : o.path;
      if (typeof path !== "string") throw new AnswerSpecError(`extract (json): "path" is ${describe(path)}, not a string`);
      parseJsonPath(path);
      return { kind: "json", path };
    }
    case "last-line":
      return { kind: "last-line" };
    case "code-block":
      if (o.lang !== undefined && typeof o.lang !== "string") throw new AnswerSpecError(`extract (code-block): "lang" is ${describe(o.lang)}, not a string`);
      return typeof o.lang === "string" && o.lang !== "" ? { kind: "code-block", lang: o.lang } : { kind: "code-block" };
    default:
      throw new AnswerSpecError(`extract has kind ${JSON.stringify(o.kind) ?? "missing"}: use regex, json, last-line or code-block`);
  }
}

function compareOf(v: unknown): CompareSpec {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new AnswerSpecError(`compare is ${describe(v)}, not an object with a "kind"`);
  const o = v as Record<string, unknown>;
  switch (o.kind) {
    case "exact":
    case "json":
      return { kind: o.kind };
    case "numeric": {
      const t = o.tolerance ?? 0;
      if (typeof t !== "number" || !Number.isFinite(t) || t < 0) throw new AnswerSpecError(`compare (numeric): "tolerance" is a number ≥ 0, not ${JSON.stringify(t)}`);
      if (o.relative === true && t >= 1) throw new AnswerSpecError(`compare (numeric): a relative tolerance is under 1 (a fraction), not ${t}`);
      return o.relative === true ? { kind: "numeric", tolerance: t, relative: true } : { kind: "numeric", tolerance: t };
    }
    case "set":
      if (o.separator !== undefined && (typeof o.separator !== "string" || o.separator === "")) throw new AnswerSpecError(`compare (set): "separator" is a non-empty string`);
      return typeof o.separator === "string" ? { kind: "set", separator: o.separator } : { kind: "set" };
    default:
      throw new AnswerSpecError(`compare has kind ${JSON.stringify(o.kind) ?? "missing"}: use exact, numeric, json or set`);
  }
}

// ---------------------------------------------------------------------------------------------
// Extraction

export type ExtractResult = { answer: string; reason?: undefined } | { answer: null; reason: string };

const FENCE = /^(`{3,}|~{3,})[ \t]*([^\n`]*)\n([\s\S]*?)\n?^\1[ \t]*$/gm;

/** The fenced code blocks of a text, in order: their language (the info string's first word, lower-cased) and content. */
function codeBlocks(text: string): { lang: string; body: string }[] {
  const out: { lang: string; body: string }[] = [];
  for (const m of text.replace(/\r\n/g, "\n").matchAll(FENCE)) out.push({ lang: (m[2] ?? "").trim().split(/\s+/)[0]!.toLowerCase(), body: m[3] ?? "" });
  return out;
}

function tryJson(text: string): { value: unknown } | null {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return null;
  }
}

/**
 * The JSON document of a reply: the whole reply; else the last fenced block that parses; else
 * the span from the first `{` (or `[`) to the last `}` (`]`), when it parses.
 */
export function findJson(text: string): { value: unknown } | null {
  const whole = tryJson(text.trim());
  if (whole) return whole;
  const blocks = codeBlocks(text);
  for (let i = blocks.length - 1; i >= 0; i--) {
    const v = tryJson(blocks[i]!.body.trim());
    if (v) return v;
  }
  for (const [open, close] of [
    ["{", "}"],
    ["[", "]"],
  ] as const) {
    const a = text.indexOf(open);
    const b = text.lastIndexOf(close);
    if (a >= 0 && b > a) {
      const v = tryJson(text.slice(a, b + 1));
      if (v) return v;
    }
  }
  return null;
}

/** JSON with object keys sorted at every depth: equal for two values that differ only in key order. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(",")}}`;
}

/**
 * Extracts the answer of a reply by a spec's extraction, or null with the reason it was not
 * found. A regex's last match counts (its group: the one named, else group 1 when the pattern
 * has groups, else the whole match); a JSON path's value is the answer (a string as is, other
 * values as canonical JSON; null is no answer); `last-line` is the last non-blank line; a code
 * block is the last fenced block (of the language, when one is named).
 */
export function extractAnswer(text: string, extract: ExtractSpec): ExtractResult {
  switch (extract.kind) {
    case "regex": {
      const re = new RegExp(extract.pattern, `${extract.flags ?? ""}g`);
      const group = extract.group ?? (groupsOf(re).count > 0 ? 1 : 0);
      let last: string | null = null;
      for (const m of text.matchAll(re)) {
        const g = typeof group === "number" ? m[group] : m.groups?.[group];
        if (g !== undefined && g.trim() !== "") last = g.trim();
      }
      return last !== null ? { answer: last } : { answer: null, reason: `no match of /${extract.pattern}/${extract.flags ?? ""} in the reply` };
    }
    case "json": {
      const doc = findJson(text);
      if (!doc) return { answer: null, reason: "no JSON in the reply" };
      let v: unknown = doc.value;
      const walked: string[] = ["$"];
      for (const seg of parseJsonPath(extract.path)) {
        const here = walked.join("");
        if (typeof seg === "number") {
          if (!Array.isArray(v)) return { answer: null, reason: `${here} is ${describe(v)}, not an array` };
          if (seg >= v.length) return { answer: null, reason: `${here} has ${v.length} item${v.length === 1 ? "" : "s"}, no [${seg}]` };
          v = v[seg];
          walked.push(`[${seg}]`);
        } else {
          if (v === null || typeof v !== "object" || Array.isArray(v)) return { answer: null, reason: `${here} is ${describe(v)}, not an object` };
          if (!Object.hasOwn(v, seg)) return { answer: null, reason: `${here} has no key "${seg}"` };
          v = (v as Record<string, unknown>)[seg];
          walked.push(/^[A-Za-z_$][\w$-]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`);
        }
      }
      if (v === null || v === undefined) return { answer: null, reason: `${extract.path} is null` };
      const answer = typeof v === "string" ? v : canonicalJson(v);
      return answer.trim() === "" ? { answer: null, reason: `${extract.path} is empty` } : { answer };
    }
    case "last-line": {
      const lines = text.split(/\r?\n/);
      for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.trim() !== "") return { answer: lines[i]!.trim() };
      return { answer: null, reason: "the reply is empty" };
    }
    case "code-block": {
      const want = extract.lang?.toLowerCase();
      const blocks = codeBlocks(text).filter((b) => want === undefined || b.lang === want);
      const b = blocks[blocks.length - 1];
      if (!b || b.body.trim() === "") return { answer: null, reason: want ? `no \`\`\`${want} block in the reply` : "no fenced code block in the reply" };
      return { answer: b.body.replace(/\s+$/, "") };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Class keys

/** The value of an answer as a number (by its §2 key), or null when it is not one. */
function numericValue(raw: unknown): number | null {
  const k = normalizeAnswer(raw);
  if (k === null) return null;
  const x = Number(k);
  return /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/.test(k) && Number.isFinite(x) ? x : null;
}

/** Whether y is within the tolerance of x. */
function within(x: number, y: number, c: { tolerance: number; relative?: boolean }): boolean {
  const d = Math.abs(x - y);
  return c.relative ? d <= c.tolerance * Math.max(Math.abs(x), Math.abs(y)) : d <= c.tolerance + 1e-12 * Math.max(1, Math.abs(x), Math.abs(y));
}

/** A JSON value of an answer: the answer parsed as JSON, else the answer as a string (trimmed). */
function jsonValue(raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  const t = raw.trim();
  const v = tryJson(t);
  return v ? v.value : t;
}

/** The items of a set answer: a JSON array's items, else the text split at the separator. */
function setItems(raw: unknown, separator: string): unknown[] {
  if (typeof raw === "number") return [raw];
  const t = String(raw).trim();
  if (t.startsWith("[")) {
    const v = tryJson(t);
    if (v && Array.isArray(v.value)) return v.value;
  }
  return t.split(separator);
}

/** The class key of one answer by a comparison that has one key per answer (not numeric with a tolerance). */
function keyOf(raw: unknown, c: CompareSpec): string | null {
  if (raw === undefined || raw === null) return null;
  switch (c.kind) {
    case "exact":
    case "numeric":
      return normalizeAnswer(raw);
    case "json":
      if (typeof raw === "string" && raw.trim() === "") return null;
      return canonicalJson(jsonValue(raw));
    case "set": {
      const items = new Set<string>();
      for (const it of setItems(raw, c.separator ?? ",")) {
        const k = typeof it === "string" || typeof it === "number" ? normalizeAnswer(it) : it === null || it === undefined ? null : canonicalJson(it);
        if (k !== null) items.add(k);
      }
      if (items.size === 0 && String(raw).trim() === "") return null;
      return canonicalJson([...items].sort());
    }
  }
}

export interface ClassKeys {
  /** Each answer's class key (null: no answer). */
  keys: (string | null)[];
  /** The reference's key by the same comparison (null without one). */
  referenceKey: string | null;
}

/**
 * The class key of every answer of a prompt, and of its reference, by one comparison:
 * - exact: METRICS.md §2's key;
 * - json: canonical JSON (keys sorted at every depth) of the answer parsed as JSON (a string
 *   that does not parse is a JSON string);
 * - set: the sorted, de-duplicated §2 keys of its items (a JSON array's items, else the text
 *   split at the separator, "," by default), as a JSON array;
 * - numeric with a tolerance: answers that are not numbers keep their §2 key; numbers within
 *   the tolerance of the reference are in the reference's class; the others are clustered by a
 *   fixed rule: sorted ascending, a class starts at its smallest value a and takes every next
 *   value x with x − a ≤ tolerance (relative: ≤ tolerance · max(|a|, |x|)); the first value
 *   that is further starts the next class. A class's key is its smallest value.
 */
export function classKeys(raws: readonly unknown[], compare: CompareSpec, reference?: unknown): ClassKeys {
  const referenceKey = reference === undefined || reference === null ? null : keyOf(reference, compare);
  if (compare.kind !== "numeric") return { keys: raws.map((r) => keyOf(r, compare)), referenceKey };
  const keys = raws.map((r) => normalizeAnswer(r));
  const refValue = reference === undefined || reference === null ? null : numericValue(reference);
  const values: { i: number; x: number }[] = [];
  raws.forEach((r, i) => {
    const x = numericValue(r);
    if (x === null) return;
    if (refValue !== null && within(refValue, x, compare)) keys[i] = referenceKey;
    else values.push({ i, x });
  });
  values.sort((a, b) => a.x - b.x || a.i - b.i);
  let start: number | null = null;
  for (const { i, x } of values) {
    if (start === null || !within(start, x, compare)) start = x;
    keys[i] = numberKey(start);
  }
  return { keys, referenceKey };
}
