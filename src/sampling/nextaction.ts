// The simulated reasoner's next action in a conversation with tools declared (issue 15: rerun an
// agent from any point, offline). Not a model: a few rules over what the conversation says,
// deterministic, and seeded only where a rerun draws its action.
//
// - What it knows of the conversation (`factsOf`): the ids, codes, dates, airports, payment
//   methods and numbers in the user turns and the tool results (a result that is JSON is read
//   key by key), what the latest user turn asks for (cancel, change, bags, …, by its words),
//   and which lookups were made.
// - The actions it ranks (`rankActions`): the most plausible first, then 2–3 alternatives.
//   With τ-bench airline tools declared (airline.ts) it follows the desk's order: a code or user
//   id the customer gave that nobody looked up is looked up; a lookup is acted on (a search, an
//   update, a cancellation, as the customer asked); a search's flights are offered; a write is
//   reported. Its alternatives are the ways real agents part there (see agent.ts): asking first
//   instead of acting or acting before asking, another code or flight, a lookup skipped or
//   added, a `think`, a transfer. With other tools, the declared tool whose name and description
//   share most words with the latest user turn, then the next ones, or a text reply.
// - Arguments fit the tool's input schema (every required key, its type, an enum member): the
//   values come from the conversation where they can (the latest seen under the same key, or an
//   id / date / code of the kind the key names), else a placeholder of the type.
// - A rerun takes the most plausible action with probability 1 − spread, else one of the
//   alternatives, weighted 0.55 / 0.3 / 0.15 and then reshaped by the prefix's own hash, so
//   different points split differently among the alternatives (`chooseAction`).
import type { Rng } from "../core/bootstrap";
import { hashSeed, mulberry32 } from "../core/bootstrap";
import type { Conversation, ToolSpec } from "../core/conversation";
import { canonicalJson } from "../core/trajectory";
import { AIRPORTS, writesDatabase } from "./airline";

/** One possible next assistant turn: a tool call, or a text reply. */
export interface NextAction {
  /** The tool call it makes (absent for a text reply). */
  call?: { name: string; arguments: Record<string, unknown> };
  /** The reply when it answers or asks instead of calling a tool. */
  reply?: string;
  /** A short visible line it may say before its call ("Let me look up reservation NO6JO3."). */
  preface?: string;
  /** Why, in one line: the simulated thinking. */
  why: string;
}

/** The key of an action: a call's name and canonical arguments, or `text:` and the reply. */
export function actionKeyOf(a: NextAction): string {
  return a.call ? `${a.call.name}${canonicalJson(a.call.arguments)}` : `text:${a.reply ?? ""}`;
}

// ---------------------------------------------------------------------------------------------
// What the conversation says

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

interface Call {
  id: string;
  name: string;
  args: Json;
  result?: { content: string; isError: boolean; parsed: unknown };
}

type Intent = "transfer" | "cancel" | "baggage" | "passengers" | "cabin" | "change" | "compensation" | "book";

const INTENTS: [Intent, RegExp][] = [
  ["transfer", /\b(human|real person|representative|supervisor|manager|live agent)\b/],
  ["cancel", /\bcancel/],
  ["baggage", /\b(bag|bags|baggage|baggages|luggage|suitcases?)\b/],
  ["passengers", /\b(passengers?|travell?ers?)\b.*\b(change|update|replace|correct|name)|\b(change|update|correct)\b.*\bname\b/],
  ["cabin", /\b(upgrade|downgrade)\b|\bto (basic economy|economy|business)( class)?\b/],
  ["change", /\b(change|move|modify|reschedule|switch|postpone|earlier flight|later flight)\b/],
  ["compensation", /\b(compensat\w*|delayed|delay|voucher)\b/],
  ["book", /\b(book|new reservation|fly from|flight from|want to fly|one[- ]way|round[- ]trip)\b/],
];

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH = "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
/** Upper-case words of six letters that are not reservation codes. */
const NOT_CODES = new Set(["PLEASE", "THANKS", "HELLO", "REFUND", "CANCEL", "CHANGE", "TRAVEL", "FLIGHT", "ANSWER", "SUMMARY", "STOP"]);
const STOPWORDS = new Set(
  "the a an and or of to in on for with my me i you your is are be it this that can could would will please want like need get do does from at by as about have has what which how when where who there their them they its was were not no yes hi hello thanks thank just also some any all".split(" "),
);

interface Facts {
  /** Every user turn's text, in order. */
  userTexts: string[];
  /** The latest user text ("" when there is none). */
  lastUserText: string;
  /** All the conversation's user text and tool results, for mentions. */
  allText: string;
  /** Values seen under each key (lower case) in JSON tool calls and results, latest last. */
  byKey: Map<string, unknown[]>;
  userIds: string[];
  /** Reservation codes, each once, in the order first seen. */
  reservations: string[];
  /** Of them, those the user turns name (the codes as said, dashes and case kept). */
  reservationsSaid: string[];
  flights: string[];
  dates: string[];
  /** Airports the user turns name, in the order named (codes, or cities read as codes). */
  airports: string[];
  paymentIds: string[];
  emails: string[];
  /** Numbers the latest user turn gives (not inside an id, code or date). */
  numbers: number[];
  calls: Call[];
  /** The calls the last message answers (when it is tool results). */
  answered: Call[];
  /** Whether the last message has user text (not only tool results). */
  lastIsUserText: boolean;
  /** The last assistant text before the latest user text. */
  lastAssistantText: string;
  intent: Intent | null;
  /** The latest user turn agrees to an action the assistant just proposed. */
  confirmed: boolean;
  tools: Map<string, ToolSpec>;
  /** The reason of the action whose arguments are being filled (a `thought` argument says it). */
  why: string;
}

const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];
const matches = (text: string, re: RegExp): string[] => [...text.matchAll(re)].map((m) => m[0]);

function parseJson(s: string): unknown {
  const t = s.trim();
  if (!t.startsWith("{") && !t.startsWith("[")) return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}

/** Records every scalar under its key (and an id-like object key under `payment_id`). */
function collect(v: unknown, key: string, into: Map<string, unknown[]>): void {
  const add = (k: string, x: unknown) => {
    const list = into.get(k.toLowerCase()) ?? [];
    list.push(x);
    into.set(k.toLowerCase(), list);
  };
  if (Array.isArray(v)) for (const x of v) collect(x, key, into);
  else if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (/^(credit_card|gift_card|certificate|paypal)_\d+$/.test(k)) add("payment_id", k);
      collect(x, k, into);
    }
  } else if (v !== null && v !== undefined && key) add(key, v);
}

function textOf(blocks: { type: string; text?: string }[]): string {
  return blocks
    .filter((b) => b.type === "text")
    .map((b) => b.text ?? "")
    .join("\n")
    .trim();
}

/** Dates a text gives: ISO, or a month and day ("May 20th", "20 May") in the conversation's year. */
function datesIn(text: string, year: number): string[] {
  const out: { at: number; date: string }[] = [];
  for (const m of text.matchAll(/\b(20\d\d)-(\d\d)-(\d\d)\b/g)) out.push({ at: m.index, date: m[0] });
  const iso = (mon: string, day: string) => `${year}-${String(MONTHS.indexOf(mon.slice(0, 3).toLowerCase()) + 1).padStart(2, "0")}-${day.padStart(2, "0")}`;
  for (const m of text.matchAll(new RegExp(`\\b${MONTH}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b`, "gi"))) out.push({ at: m.index, date: iso(m[1]!, m[2]!) });
  for (const m of text.matchAll(new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}\\b`, "gi"))) out.push({ at: m.index, date: iso(m[2]!, m[1]!) });
  return out.sort((a, b) => a.at - b.at).map((d) => d.date);
}

/** Airports a text names, in order: IATA codes of the domain, or its cities. */
function airportsIn(text: string): string[] {
  const found: { at: number; code: string }[] = [];
  for (const m of text.matchAll(/\b[A-Z]{3}\b/g)) if (AIRPORTS[m[0]]) found.push({ at: m.index, code: m[0] });
  const lower = text.toLowerCase();
  for (const [code, cities] of Object.entries(AIRPORTS))
    for (const city of cities) for (const m of lower.matchAll(new RegExp(`\\b${city}\\b`, "g"))) found.push({ at: m.index, code });
  return found.sort((a, b) => a.at - b.at).map((f) => f.code);
}

/** Reservation codes as a text gives them: six capitals and digits (not a flight number), or "abc-123". */
function codesIn(text: string): string[] {
  const strict = matches(text, /\b[A-Z0-9]{6}\b/g).filter((c) => /[A-Z]/.test(c) && !/^HAT\d{3}$/.test(c) && !NOT_CODES.has(c) && !/^\d+$/.test(c));
  const loose = matches(text, /\b[A-Za-z0-9]{3}-[A-Za-z0-9]{3}\b/g).filter((c) => /\d/.test(c) && /[A-Za-z]/.test(c));
  return [...strict, ...loose];
}

const normalCode = (c: string) => c.replace(/[-\s]/g, "").toUpperCase();

/**
 * What a user turn asks for: a human agent if it asks for one, else what it names last ("thanks
 * for the cancellation; I also want to upgrade" asks for an upgrade). "A change of plans" is a
 * reason, not a request.
 */
function intentOf(text: string): Intent | null {
  const t = text.toLowerCase().replace(/\bchanges? (of|in) (plans?|mind)\b/g, "");
  if (INTENTS[0]![1].test(t)) return "transfer";
  let best: { intent: Intent; at: number } | null = null;
  for (const [intent, re] of INTENTS.slice(1)) {
    const all = [...t.matchAll(new RegExp(re.source, "g"))];
    const at = all.at(-1)?.index;
    if (at !== undefined && (best === null || at > best.at)) best = { intent, at };
  }
  return best?.intent ?? null;
}

/** What the conversation says, read once. */
function factsOf(conv: Conversation): Facts {
  const byKey = new Map<string, unknown[]>();
  const calls: Call[] = [];
  const answered: Call[] = [];
  const userTexts: string[] = [];
  const resultTexts: string[] = [];
  let lastAssistantText = "";
  let lastAssistantBeforeUser = "";
  for (const m of conv.messages) {
    if (m.role === "assistant") {
      const t = textOf(m.content);
      if (t) lastAssistantText = t;
      for (const b of m.content)
        if (b.type === "tool_call") {
          const raw = typeof b.arguments === "string" ? parseJson(b.arguments) : b.arguments;
          const args = isObj(raw) ? raw : {};
          calls.push({ id: b.id, name: b.name, args });
          collect(args, "", byKey);
        }
    } else {
      for (const b of m.content)
        if (b.type === "tool_result") {
          const parsed = parseJson(b.content);
          // the latest call of that id still unanswered (logs reuse ids now and then)
          const same = calls.filter((c) => c.id === b.id);
          const call = same.filter((c) => !c.result).at(-1) ?? same.at(-1);
          if (call) {
            call.result = { content: b.content, isError: b.isError === true || /^error\b/i.test(b.content.trim()), parsed };
            if (m === conv.messages.at(-1)) answered.push(call);
          }
          resultTexts.push(b.content);
          if (parsed !== undefined) collect(parsed, "", byKey);
        }
      const t = textOf(m.content);
      if (t) {
        userTexts.push(t);
        lastAssistantBeforeUser = lastAssistantText;
      }
    }
  }
  const last = conv.messages.at(-1);
  const lastIsUserText = last?.role === "user" && textOf(last.content) !== "";
  const lastUserText = userTexts.at(-1) ?? "";
  const userText = userTexts.join("\n");
  const allText = [conv.system ?? "", userText, ...resultTexts].join("\n");
  const year = Number(/\b(20\d\d)-\d\d-\d\d\b/.exec(allText)?.[1] ?? 2024);
  const strings = (k: string) => (byKey.get(k) ?? []).filter((v): v is string => typeof v === "string");
  const said = codesIn(userText);
  const numbers = matches(
    lastUserText.replace(/\b[a-z]+(?:_[a-z]+)+_\d+\b|\b[A-Z0-9]{6}\b|\b\d{4}-\d\d-\d\d\b|\bHAT\d{3}\b/g, " "),
    /(?<![\w.-])\d+(?:\.\d+)?(?![\w-])/g,
  ).map(Number);
  let intent: Intent | null = null;
  for (let i = userTexts.length - 1; i >= 0 && intent === null; i--) intent = intentOf(userTexts[i]!);
  const proposes = /\?\s*(\(yes\/no\))?\s*$|\b(shall i|should i|would you like me to|do you want me to|please confirm|confirm|proceed)\b/i.test(lastAssistantBeforeUser);
  const agrees = /^\s*(yes|yeah|yep|sure|ok(ay)?|please do|go ahead|proceed|confirm(ed)?|that'?s (fine|right|correct))\b|\b(yes|go ahead|please proceed|proceed with)\b/i.test(lastUserText);
  return {
    userTexts,
    lastUserText,
    allText,
    byKey,
    userIds: uniq([...matches(userText, /\b[a-z]+(?:_[a-z]+)+_\d{2,}\b/g), ...strings("user_id")]),
    reservations: uniq([...said.map(normalCode), ...strings("reservation_id"), ...strings("reservations")]),
    reservationsSaid: uniq(said),
    flights: uniq([...matches(userText, /\bHAT\d{3}\b/g), ...strings("flight_number")]),
    dates: uniq(datesIn(userText, year)),
    airports: airportsIn(userText),
    paymentIds: uniq([...matches(userText, /\b(?:credit_card|gift_card|certificate|paypal)_\d+\b/g), ...strings("payment_id"), ...strings("id").filter((s) => /^(credit_card|gift_card|certificate|paypal)_\d+$/.test(s))]),
    emails: uniq(matches(allText, /\b[\w.+-]+@[\w-]+\.[\w.]+\b/g)),
    numbers,
    calls,
    answered,
    lastIsUserText,
    lastAssistantText: lastAssistantBeforeUser,
    intent,
    confirmed: proposes && agrees,
    tools: new Map(conv.tools.map((t) => [t.name, t])),
    why: "",
  };
}

// ---------------------------------------------------------------------------------------------
// Arguments from a schema

type Schema = Json;
const schemaOf = (v: unknown): Schema => (isObj(v) ? v : {});

function typeOf(s: Schema): string {
  const t = s.type;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) return (t.find((x) => x !== "null") as string | undefined) ?? "null";
  if (isObj(s.properties)) return "object";
  if (s.items !== undefined) return "array";
  if (Array.isArray(s.enum) && s.enum.length) return typeof s.enum[0];
  return "string";
}

/** Whether a value fits a schema as far as this simulator fills them: type, enum, required keys, items. */
function fits(v: unknown, schemaIn: unknown): boolean {
  const s = schemaOf(schemaIn);
  if (s.const !== undefined) return canonicalJson(s.const) === canonicalJson(v);
  if (Array.isArray(s.enum) && !s.enum.some((e) => canonicalJson(e) === canonicalJson(v))) return false;
  const t = s.type === undefined && !isObj(s.properties) && s.items === undefined ? null : typeOf(s);
  if (Array.isArray(s.type) && s.type.includes("null") && v === null) return true;
  switch (t) {
    case null:
      return true;
    case "string":
      return typeof v === "string";
    case "integer":
      return Number.isInteger(v);
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "boolean":
      return typeof v === "boolean";
    case "null":
      return v === null;
    case "array":
      return Array.isArray(v) && (s.items === undefined || v.every((x) => fits(x, s.items))) && v.length >= (typeof s.minItems === "number" ? s.minItems : 0);
    case "object": {
      if (!isObj(v)) return false;
      const props = schemaOf(s.properties);
      const req = Array.isArray(s.required) ? (s.required as string[]) : [];
      return req.every((k) => k in v) && Object.entries(v).every(([k, x]) => props[k] === undefined || fits(x, props[k]));
    }
    default:
      return true;
  }
}

const short = (s: string, n: number) => {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

/** Capitalised words of a text that do not start it or a sentence (names of places, people, things). */
function properWords(text: string): string[] {
  return matches(text, /(?<![.!?]\s|^)\b[A-Z][a-z]{2,}\b/g).filter((w) => !STOPWORDS.has(w.toLowerCase()));
}

/** The payment method the latest user turn points at (gift card, certificate, "card ending in 7447"), else the first seen. */
function paymentFor(f: Facts, variant: number): string | undefined {
  const ids = f.paymentIds;
  const t = f.lastUserText.toLowerCase();
  const all = f.userTexts.join("\n").toLowerCase();
  const of = (kind: string) => ids.filter((id) => id.startsWith(kind));
  // a card the profile lists with the last four digits the customer gives ("my 7447 card")
  for (const m of t.replace(/\b[a-z]+(?:_[a-z]+)+_\d+\b/g, "").matchAll(/\b(\d{4})\b/g)) {
    const card = ids.find((id) => id.startsWith("credit_card") && new RegExp(`"${id}"[^}]*"last_four":\\s*"${m[1]}"`).test(f.allText));
    if (card) return card;
  }
  for (const text of [t, all]) {
    if (/gift card/.test(text) && of("gift_card").length) return of("gift_card")[variant % of("gift_card").length];
    if (/certificate/.test(text) && of("certificate").length) return of("certificate")[variant % of("certificate").length];
    if (/paypal/.test(text) && of("paypal").length) return of("paypal")[0];
  }
  const cards = of("credit_card");
  return (cards.length ? cards : ids)[variant % Math.max(1, (cards.length ? cards : ids).length)];
}

/** A string for a key, from the conversation where it can (the kind of value the key names), else a placeholder. */
function stringFor(key: string, s: Schema, f: Facts, variant: number): string {
  const k = key.toLowerCase();
  const pickOf = (xs: string[]) => xs.at(-1 - (variant % Math.max(1, xs.length)));
  const text = f.lastUserText || f.userTexts.at(-1) || "";
  const email = /e-?mail|^(to|cc|bcc|recipient|sender|from)$/.test(k) && (f.emails.length || /e-?mail/.test(k)) ? true : s.format === "email";
  let v: string | undefined;
  if (email) v = pickOf(f.emails) ?? "user@example.com";
  else if (/user.?(id|name)|customer.?id|^username$/.test(k)) v = pickOf(f.userIds) ?? "unknown_user";
  else if (/reservation|booking|confirmation|pnr/.test(k)) v = pickOf(f.reservations) ?? "UNKNOWN";
  else if (/flight.?(number|no|id)/.test(k)) v = pickOf(f.flights) ?? "HAT000";
  else if (/dob|birth/.test(k)) v = pickOf(strings(f, "dob")) ?? "1990-01-01";
  else if (/date|day/.test(k) || s.format === "date") v = f.dates.at(variant % Math.max(1, f.dates.length)) ?? "2024-05-15";
  else if (/^(origin|from|source)$|departure/.test(k)) v = f.airports[0] ?? pickOf(strings(f, "origin")) ?? properWords(text)[0];
  else if (/^(destination|to|dest)$|arrival/.test(k)) v = f.airports[1] ?? pickOf(strings(f, "destination")) ?? properWords(text)[1];
  else if (/payment/.test(k)) v = paymentFor(f, variant) ?? "credit_card";
  else if (s.format === "uri" || /url|link/.test(k)) v = "https://example.com";
  else if (/expression|formula/.test(k)) v = f.numbers.length >= 2 ? f.numbers.join(" + ") : "0";
  else if (/summary/.test(k)) v = `The user asks: ${short(text, 160)}`;
  else if (/thought|reason|reasoning|plan/.test(k)) v = f.why || `The user asks: ${short(text, 120)}`;
  else if (/subject|title|headline/.test(k)) v = short(text, 60) || "Hello";
  else if (/query|question|prompt|search|keyword|topic|text|message|content|body|description|note|comment|input/.test(k)) v = short(text, 120) || "help";
  else if (/city|location|place|country|address|region|destination|origin/.test(k)) v = properWords(text).at(variant % Math.max(1, properWords(text).length));
  else if (/first.?name/.test(k)) v = pickOf(strings(f, "first_name"));
  else if (/last.?name/.test(k)) v = pickOf(strings(f, "last_name"));
  else if (/name/.test(k)) v = pickOf(strings(f, "name")) ?? properWords(text)[0];
  else if (/(^|_)(id|code)$|identifier/.test(k)) v = pickOf(uniq([...f.reservations, ...f.userIds, ...matches(text, /\b[A-Za-z]+[-_]?\d{2,}\b/g)]));
  return v ?? pickOf(strings(f, key)) ?? "unknown";
}

const strings = (f: Facts, key: string) => (f.byKey.get(key.toLowerCase()) ?? []).filter((v): v is string => typeof v === "string");

/** A number for a key: one the latest user turn gives, else one seen under the key, else 1; within its bounds. */
function numberFor(key: string, s: Schema, f: Facts, integer: boolean, variant: number): number {
  const seen = (f.byKey.get(key.toLowerCase()) ?? []).filter((v): v is number => typeof v === "number");
  let n = f.numbers.at(variant % Math.max(1, f.numbers.length)) ?? seen.at(-1) ?? 1;
  if (typeof s.minimum === "number") n = Math.max(n, s.minimum);
  if (typeof s.maximum === "number") n = Math.min(n, s.maximum);
  return integer ? Math.round(n) : n;
}

/** An enum member the conversation's user turns mention (the longest that does), else the first. */
function enumFor(members: unknown[], f: Facts): unknown {
  const text = f.userTexts.join("\n").toLowerCase();
  const words = members.filter((m): m is string => typeof m === "string" && m.length > 3).sort((a, b) => b.length - a.length);
  for (const m of words) if (new RegExp(`\\b${m.toLowerCase().replace(/[_-]/g, "[ _-]").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`).test(text)) return m;
  return members[0];
}

function valueFor(key: string, schemaIn: unknown, f: Facts, variant: number, depth: number): unknown {
  const s = schemaOf(schemaIn);
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return enumFor(s.enum, f);
  const t = typeOf(s);
  switch (t) {
    case "integer":
    case "number":
      return numberFor(key, s, f, t === "integer", variant);
    case "boolean":
      return false;
    case "null":
      return null;
    case "array": {
      if (depth > 4) return [];
      const one = valueFor(key.replace(/ies$/, "y").replace(/s$/, ""), s.items, f, variant, depth + 1);
      return Array.from({ length: Math.max(1, typeof s.minItems === "number" ? s.minItems : 1) }, () => one);
    }
    case "object":
      return depth > 4 ? {} : fillArguments(s, f, {}, variant, depth + 1);
    default:
      return stringFor(key, s, f, variant);
  }
}

/**
 * Arguments for a schema: the overrides that fit it, then every other required key from the
 * conversation (or a placeholder of its type), and optional keys whose value the conversation
 * gives under the same name. `variant` > 0 picks other values where there are several.
 */
function fillArguments(schemaIn: unknown, f: Facts, overrides: Json = {}, variant = 0, depth = 0): Json {
  const s = schemaOf(schemaIn);
  const props = schemaOf(s.properties);
  const required = Array.isArray(s.required) ? (s.required.filter((k) => typeof k === "string") as string[]) : [];
  const out: Json = {};
  for (const key of uniq([...Object.keys(props), ...required])) {
    const ps = props[key] ?? { type: "string" };
    if (key in overrides && overrides[key] !== undefined && fits(overrides[key], ps)) out[key] = overrides[key];
    else if (required.includes(key)) out[key] = valueFor(key, ps, f, variant, depth);
    else {
      const seen = (f.byKey.get(key.toLowerCase()) ?? []).filter((v) => fits(v, ps));
      if (seen.length && typeof seen.at(-1) !== "object") out[key] = seen.at(-1);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Ranking the next actions

const WEIGHTS = [0.55, 0.3, 0.15];
const MAX_ALTERNATIVES = 3;

class Ranking {
  readonly actions: NextAction[] = [];
  private readonly keys = new Set<string>();
  constructor(readonly f: Facts) {}

  /** Adds a call of a declared tool (nothing when it is not declared, or already ranked). */
  call(name: string, overrides: Json, why: string, preface?: string, variant = 0): void {
    const spec = this.f.tools.get(name);
    if (!spec) return;
    this.f.why = why;
    this.add({ call: { name, arguments: fillArguments(spec.inputSchema, this.f, overrides, variant) }, why, ...(preface ? { preface } : {}) });
  }
  say(reply: string, why: string): void {
    this.add({ reply, why });
  }
  private add(a: NextAction): void {
    const key = actionKeyOf(a);
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.actions.push(a);
  }
  get full(): boolean {
    return this.actions.length >= 1 + MAX_ALTERNATIVES;
  }
}

const AIRLINE_NAMES = ["get_user_details", "get_reservation_details", "search_direct_flight", "search_onestop_flight", "cancel_reservation", "update_reservation_flights", "book_reservation", "update_reservation_baggages", "update_reservation_passengers", "send_certificate"];

/** Whether a lookup of this tool with this key's value was made (and did not fail). */
function lookedUp(f: Facts, name: string, key: string, value: string): boolean {
  return f.calls.some((c) => c.name === name && typeof c.args[key] === "string" && normalCode(c.args[key] as string) === normalCode(value) && !c.result?.isError);
}

function flightSegments(v: unknown): { flight_number: string; date: string }[] {
  return Array.isArray(v) ? v.filter(isObj).flatMap((x) => (typeof x.flight_number === "string" && typeof x.date === "string" ? [{ flight_number: x.flight_number, date: x.date }] : [])) : [];
}

/** A search's flights with a price for the cabin, in the order listed (a flight's number as `flight_number`, or `number` as agent.ts lists them). */
function offers(call: Call, cabin: string): { flight_number: string; date: string; price: number }[] {
  const list = Array.isArray(call.result?.parsed) ? (call.result.parsed as unknown[]) : [];
  const date = typeof call.args.date === "string" ? call.args.date : "";
  return list.filter(isObj).flatMap((x) => {
    const flight_number = typeof x.flight_number === "string" ? x.flight_number : typeof x.number === "string" ? x.number : null;
    if (flight_number === null) return [];
    const prices = isObj(x.prices) ? (Object.values(x.prices).filter((p) => typeof p === "number") as number[]) : [];
    const price = typeof x.price === "number" ? x.price : isObj(x.prices) && typeof x.prices[cabin] === "number" ? (x.prices[cabin] as number) : prices.length ? Math.min(...prices) : 0;
    return [{ flight_number, date: typeof x.date === "string" ? x.date : date, price }];
  });
}

/** The cabin the customer asks for: the latest "to <cabin>", else the latest cabin named, else the reservation's. */
function cabinOf(f: Facts, reservation?: Json): string {
  const texts = [...f.userTexts].reverse().map((t) => t.toLowerCase());
  for (const t of texts) {
    const to = /\bto (basic economy|economy|business)\b/.exec(t);
    if (to) return to[1]!.replace(" ", "_");
  }
  for (const t of texts) {
    if (/basic economy/.test(t)) return "basic_economy";
    if (/business/.test(t)) return "business";
    if (/\beconomy\b/.test(t)) return "economy";
  }
  return typeof reservation?.cabin === "string" ? reservation.cabin : "economy";
}

/** The τ-bench airline desk's next actions. */
function rankAirline(r: Ranking): void {
  const f = r.f;
  const intent = f.intent;
  const user = f.userIds.at(-1);
  const latest = f.answered.at(-1);
  // the codes the customer gave that nobody looked up (nor tried as said)
  const unseenCodes = f.reservationsSaid.filter((c) => !lookedUp(f, "get_reservation_details", "reservation_id", c) && !f.calls.some((x) => x.name === "get_reservation_details" && x.args.reservation_id === c));
  const payment = () => paymentFor(f, 0);
  // the codes the customer named; the reservations the profile lists that nobody looked up yet
  // (gone through one by one when the customer names none)
  const named = new Set(f.reservations.filter((c) => f.reservationsSaid.some((x) => normalCode(x) === c)));
  const profile = uniq(f.calls.filter((c) => c.name === "get_user_details" && isObj(c.result?.parsed)).flatMap((c) => ((c.result!.parsed as Json).reservations as unknown[] | undefined) ?? []).filter((x): x is string => typeof x === "string"));
  const unseenProfile = profile.filter((c) => !f.calls.some((x) => x.name === "get_reservation_details" && typeof x.args.reservation_id === "string" && normalCode(x.args.reservation_id) === c));
  const confirmAsk = (what: string) => r.say(`${what} Shall I go ahead? (yes/no)`, `The policy asks for the customer's yes before a change: ask first.`);

  /** The write a reservation and the customer's request call for (then, unless they said yes already, asking first). */
  const actOn = (res: Json, agreed = false) => {
    const id = typeof res.reservation_id === "string" ? res.reservation_id : (f.reservations.at(-1) ?? "");
    const flights = flightSegments(res.flights);
    switch (intent) {
      case "cancel":
        r.call("cancel_reservation", { reservation_id: id }, `The customer asked to cancel ${id}, and its details are in: cancel it.`, `I'll cancel reservation ${id} now.`);
        if (!agreed) confirmAsk(`Reservation ${id} can be cancelled.`);
        break;
      case "change": {
        const date = f.dates.at(-1) ?? flights[0]?.date;
        const args = { origin: f.airports[0] ?? res.origin, destination: f.airports[1] ?? res.destination, ...(date ? { date } : {}) };
        r.call("search_direct_flight", args, `The customer wants other flights for ${id}: search direct ones from ${String(args.origin)} to ${String(args.destination)}.`, "Let me search for flights.");
        r.call("search_onestop_flight", args, "Search one-stop flights as well.", "Let me search for flights with a stop.");
        break;
      }
      case "cabin":
        r.call("update_reservation_flights", { reservation_id: id, cabin: cabinOf(f), flights, payment_id: payment() }, `The customer wants ${id} in another cabin: same flights, new cabin.`);
        if (!agreed) confirmAsk(`I can move reservation ${id} to ${cabinOf(f).replace("_", " ")}.`);
        break;
      case "baggage": {
        const total = (typeof res.total_baggages === "number" ? res.total_baggages : 0) + (f.numbers.find((n) => n > 0 && n < 10) ?? 1);
        const nonfree = typeof res.nonfree_baggages === "number" ? res.nonfree_baggages : 0;
        r.call("update_reservation_baggages", { reservation_id: id, total_baggages: total, nonfree_baggages: nonfree, payment_id: payment() }, `The customer wants a bag added to ${id}.`);
        if (!agreed) confirmAsk(`I can add the bag to reservation ${id}.`);
        break;
      }
      case "passengers":
        r.call("update_reservation_passengers", { reservation_id: id, passengers: res.passengers }, `The customer wants the passengers of ${id} changed.`);
        if (!agreed) confirmAsk(`I can update the passengers of reservation ${id}.`);
        break;
      case "compensation":
        r.call("send_certificate", { user_id: typeof res.user_id === "string" ? res.user_id : user, amount: f.numbers.find((n) => n >= 50) ?? 100 }, "The customer complains of a delay: offer a certificate.");
        r.call("transfer_to_human_agents", {}, "Compensation is for a human agent to decide.");
        break;
      default:
        r.say(`Reservation ${id}: ${flights.map((x) => `${x.flight_number} on ${x.date}`).join(", ") || "found"}. What would you like to do with it?`, `The details are in; the customer has not said what to do.`);
    }
  };

  /** The customer said yes to what was proposed: the write it was about (after the profile, when the payment needs it). */
  const actOnYes = () => {
    // the reservation the yes is about: one the turn names, else the latest looked up
    const named = codesIn(f.lastUserText).map(normalCode);
    const lookups = [...f.calls].reverse().filter((c) => c.name === "get_reservation_details" && !c.result?.isError && isObj(c.result?.parsed));
    const looked = lookups.find((c) => named.includes(normalCode(String(c.args.reservation_id)))) ?? lookups[0];
    const searched = [...f.calls].reverse().find((c) => c.name.startsWith("search_") && offers(c, cabinOf(f)).length);
    const pays = intent === "book" || intent === "change" || intent === "cabin" || intent === "baggage";
    if (pays && !f.paymentIds.length && user && !lookedUp(f, "get_user_details", "user_id", user))
      r.call("get_user_details", { user_id: user }, "The change is paid for, and the profile's payment methods are not known yet: look it up first.", "Let me check your payment methods.");
    if (searched && (intent === "book" || intent === "change")) {
      const list = offers(searched, cabinOf(f));
      const cheapest = list.reduce((x, y) => (y.price < x.price ? y : x));
      const seg = [{ flight_number: cheapest.flight_number, date: cheapest.date }];
      if (intent === "book")
        r.call("book_reservation", { user_id: user, origin: searched.args.origin, destination: searched.args.destination, cabin: cabinOf(f), flights: seg, payment_methods: [{ payment_id: payment(), amount: cheapest.price }], total_baggages: 0, nonfree_baggages: 0, insurance: "no" }, "The customer said yes: book it.");
      else r.call("update_reservation_flights", { reservation_id: looked?.args.reservation_id ?? f.reservations.at(-1), cabin: cabinOf(f, isObj(looked?.result?.parsed) ? looked.result.parsed : undefined), flights: seg, payment_id: payment() }, "The customer said yes: change the flights.");
    } else if (looked) actOn(looked.result!.parsed as Json, true);
  };

  if (latest && !f.lastIsUserText) {
    // after a tool result
    const res = latest.result;
    if (res?.isError) {
      const retried = Object.fromEntries(Object.entries(latest.args).map(([k, v]) => [k, typeof v === "string" && /reservation|code/.test(k) ? normalCode(v) : v]));
      if (canonicalJson(retried) !== canonicalJson(latest.args)) r.call(latest.name, retried, `${latest.name} failed with the code as said; try it in capitals without the dash.`, "Let me try that code again.");
      else if (writesDatabase(latest.name)) r.call(latest.name, latest.args, `${latest.name} failed; try it again.`, "Let me try that again.");
      r.say(`I could not find that: ${short(res.content, 80)} Could you check the details?`, "The call failed: ask the customer.");
      r.call("transfer_to_human_agents", {}, "The call failed: hand over to a human agent.");
      return;
    }
    const parsed = isObj(res?.parsed) ? res.parsed : {};
    switch (latest.name) {
      case "get_user_details": {
        if (f.confirmed) actOnYes();
        if (unseenCodes[0]) r.call("get_reservation_details", { reservation_id: unseenCodes[0] }, `The customer gave ${unseenCodes[0]}: look it up.`, `Let me look up reservation ${unseenCodes[0]}.`);
        const theirs = Array.isArray(parsed.reservations) ? (parsed.reservations.filter((x) => typeof x === "string") as string[]) : [];
        if ((intent === "book" || intent === "change") && f.airports.length >= 2 && f.dates.length) {
          r.call("search_direct_flight", { origin: f.airports[0], destination: f.airports[1], date: f.dates[0] }, "The profile is in; search the flights the customer asked for.", "Let me search for flights.");
          r.call("search_onestop_flight", { origin: f.airports[0], destination: f.airports[1], date: f.dates[0] }, "Search one-stop flights too.");
        }
        const walk = theirs.filter((c) => unseenProfile.includes(c));
        if (intent && intent !== "book" && walk.length && !named.size) {
          // no code given: go through the profile's reservations, as agents do (or ask which)
          r.call("get_reservation_details", { reservation_id: walk[0] }, `The customer gave no code: look up the profile's reservations, ${walk[0]} first.`, "Let me look up your reservations.");
          r.say(`I see reservations ${theirs.join(", ")} in your profile. Which one is it?`, "Several reservations: ask which one.");
          r.call("get_reservation_details", { reservation_id: walk.at(-1) }, `Start from the latest of the profile's reservations, ${walk.at(-1)}.`);
        }
        r.say(intent === "book" ? "Where are you flying from and to, and on which date?" : "Thank you. What can I do for you today?", "The profile is in; ask what is needed.");
        return;
      }
      case "get_reservation_details": {
        if (unseenCodes[0]) r.call("get_reservation_details", { reservation_id: unseenCodes[0] }, `The customer also gave ${unseenCodes[0]}: look it up too.`);
        const id = typeof parsed.reservation_id === "string" ? normalCode(parsed.reservation_id) : "";
        if (!named.has(id) && unseenProfile[0]) r.call("get_reservation_details", { reservation_id: unseenProfile[0] }, `The customer named no reservation: go on through the profile's, ${unseenProfile[0]} next.`);
        actOn(parsed);
        return;
      }
      case "search_direct_flight":
      case "search_onestop_flight": {
        const cabin = cabinOf(f);
        const list = offers(latest, cabin);
        if (!list.length) {
          if (latest.name === "search_direct_flight") r.call("search_onestop_flight", latest.args, "No direct flight: search one-stop ones.", "No direct flights; let me look for one-stop flights.");
          r.say("I found no flights for that route and date. Would another date work?", "No flights: ask for another date.");
          return;
        }
        const cheapest = list.reduce((x, y) => (y.price < x.price ? y : x));
        r.say(`The cheapest option is ${cheapest.flight_number} on ${cheapest.date} for $${cheapest.price}. Shall I go ahead? (yes/no)`, "Offer the cheapest flight and ask before booking.");
        const write = (o: { flight_number: string; date: string; price: number }, why: string) => {
          const seg = [{ flight_number: o.flight_number, date: o.date }];
          if (intent === "book") r.call("book_reservation", { user_id: user, origin: latest.args.origin, destination: latest.args.destination, flight_type: /round[- ]trip/i.test(f.allText) ? "round_trip" : "one_way", cabin, flights: seg, payment_methods: [{ payment_id: payment(), amount: o.price }], total_baggages: 0, nonfree_baggages: 0, insurance: "no" }, why);
          else r.call("update_reservation_flights", { reservation_id: f.reservations.at(-1), cabin, flights: seg, payment_id: payment() }, why);
        };
        write(cheapest, `Take the cheapest, ${cheapest.flight_number}, without asking first.`);
        if (list[0]!.flight_number !== cheapest.flight_number) write(list[0]!, `Take the first flight listed, ${list[0]!.flight_number}.`);
        if (latest.name === "search_direct_flight") r.call("search_onestop_flight", latest.args, "Look at one-stop flights too before offering.");
        return;
      }
      case "list_all_airports":
        if (f.airports.length >= 2 && f.dates.length) r.call("search_direct_flight", { origin: f.airports[0], destination: f.airports[1], date: f.dates[0] }, "The airports are known: search.");
        r.say("Which airports are you flying from and to, and on which date?", "Ask for the route.");
        return;
      case "transfer_to_human_agents":
        r.say("I have transferred you to a human agent; they will be with you shortly.", "The transfer is made: say so.");
        return;
      default:
        if (writesDatabase(latest.name)) {
          const id = typeof parsed.reservation_id === "string" ? parsed.reservation_id : f.reservations.at(-1);
          // "all of them": the next reservation looked up and not yet changed this way; else report
          const all = /\b(all|both|each|every)\b/i.test(f.lastUserText);
          const done = new Set(f.calls.filter((x) => x.name === latest.name && typeof x.args.reservation_id === "string").map((x) => normalCode(x.args.reservation_id as string)));
          const pending = f.calls.filter((x) => x.name === "get_reservation_details" && isObj(x.result?.parsed) && !x.result.isError && !done.has(normalCode(String(x.args.reservation_id))));
          if (all && pending[0]) actOn(pending[0].result!.parsed as Json, true);
          r.say(`Done: ${latest.name.replace(/_/g, " ")}${id ? ` for ${id}` : ""} went through. Is there anything else?`, "The change went through: report it.");
          const nextNamed = pending.find((x) => named.has(normalCode(String(x.args.reservation_id))));
          if (nextNamed) actOn(nextNamed.result!.parsed as Json, true);
          if (id) r.call("get_reservation_details", { reservation_id: id }, `Check ${id} after the change.`);
          return;
        }
        // another tool (one declared beside the airline's): tell what it said
        r.say(`Here is where we stand: ${short(res?.content || f.why || "noted", 80)}`, "After working it out, tell the customer.");
        return;
    }
  }

  // after a user turn: look up what was given, act on a yes, search a route, else ask
  if (intent === "transfer") r.call("transfer_to_human_agents", {}, "The customer asks for a human agent.", "I'll transfer you to a human agent.");
  if (unseenCodes.length) {
    r.call("get_reservation_details", { reservation_id: unseenCodes[0] }, `The customer gave reservation ${unseenCodes[0]}, not looked up yet: look it up.`, `Let me look up reservation ${unseenCodes[0]}.`);
    if (unseenCodes[1]) r.call("get_reservation_details", { reservation_id: unseenCodes[1] }, `Look up the other code first, ${unseenCodes[1]}.`);
  }
  const userUnseen = f.userIds.filter((u) => f.lastUserText.includes(u) && !lookedUp(f, "get_user_details", "user_id", u));
  if (userUnseen[0]) r.call("get_user_details", { user_id: userUnseen[0] }, `The customer gave user id ${userUnseen[0]}: look up the profile.`, "Let me pull up your profile.");
  if (f.confirmed) actOnYes();
  const route = f.airports.length >= 2 && f.dates.length > 0;
  if (intent === "book" && !user) r.say("I can help you book that. Could you give me your user id first?", "A booking needs the customer's profile: ask for the user id.");
  if ((intent === "book" || intent === "change") && route && !f.calls.some((c) => c.name.startsWith("search_"))) {
    r.call("search_direct_flight", { origin: f.airports[0], destination: f.airports[1], date: f.dates[0] }, "The customer gave a route and a date: search direct flights.", "Let me search for flights.");
    r.call("search_onestop_flight", { origin: f.airports[0], destination: f.airports[1], date: f.dates[0] }, "Search one-stop flights.");
  }
  if (intent === "book" && f.airports.length < 2) r.call("list_all_airports", {}, "The customer named a place that is not an airport code: list the airports.");
  if (!user) r.say("I can help with that. Could you give me your user id?", "No user id yet: ask for it.");
  else if (intent && intent !== "book" && !f.reservations.length) r.say("Could you give me the reservation code?", "No reservation code yet: ask for it.");
  else if (!lookedUp(f, "get_user_details", "user_id", user)) r.call("get_user_details", { user_id: user }, `Look up the profile of ${user} first.`);
  r.say("Could you tell me more about what you need?", "Ask what the customer needs.");
}

/** Extra alternatives any airline desk has: ask first, skip or add a lookup, think, transfer. */
function airlineFallbacks(r: Ranking): void {
  const f = r.f;
  const user = f.userIds.at(-1);
  if (user && !lookedUp(f, "get_user_details", "user_id", user)) r.call("get_user_details", { user_id: user }, `Look up the profile of ${user} first.`, "Let me pull up your profile.");
  const top = r.actions[0];
  if (!r.full) r.call("think", { thought: top ? `Next: ${top.why}` : "What does the customer need?" }, "Think it over before acting.");
  if (!r.full) r.say("Before I go on, could you confirm that this is what you want?", "Ask the customer before acting.");
  if (!r.full) r.call("transfer_to_human_agents", {}, "Hand the request over to a human agent.");
}

const wordsOf = (s: string): Set<string> =>
  new Set(
    s
      .replace(/([a-z])([A-Z])/g, "$1 $2")
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length >= 3 && !STOPWORDS.has(w))
      .map((w) => w.replace(/(ies)$/, "y").replace(/(?<!s)s$/, "")),
  );

/** Any toolset: the declared tools that share most words with the latest user turn. */
function rankGeneric(r: Ranking): void {
  const f = r.f;
  const query = wordsOf(f.lastUserText);
  const scored = [...f.tools.values()]
    .map((t, i) => {
      const w = wordsOf(`${t.name} ${t.description ?? ""}`);
      return { t, i, score: [...query].filter((q) => w.has(q)).length };
    })
    .sort((a, b) => b.score - a.score || a.i - b.i);
  const latest = f.answered.at(-1);
  if (latest && !f.lastIsUserText) {
    const next = scored.find((s) => s.score > 0 && !f.calls.some((c) => c.name === s.t.name));
    if (next) r.call(next.t.name, {}, `The request also needs ${next.t.name}.`);
    r.say(latest.result?.isError ? `That did not work: ${short(latest.result.content, 80)}` : `Here is what I found: ${short(latest.result?.content ?? "", 120)}`, "The tool answered: tell the user.");
    r.call(latest.name, {}, `Call ${latest.name} again (with other arguments where the conversation gives them).`, undefined, 1);
  } else {
    const best = scored[0];
    if (best && best.score > 0) r.call(best.t.name, {}, `${best.t.name} fits the request best (its name and description share ${best.score} word${best.score === 1 ? "" : "s"} with it).`);
    else r.say("Could you tell me a bit more about what you need?", "No declared tool fits the request: ask.");
  }
  for (const s of scored.filter((x) => x.score > 0)) if (!r.full) r.call(s.t.name, {}, `${s.t.name} might fit the request too.`);
  const top = r.actions[0]?.call;
  if (top && !r.full) r.call(top.name, {}, `${top.name} with other arguments.`, undefined, 1);
  if (!r.full) r.say(f.lastUserText ? `I can help with that: ${short(f.lastUserText, 80)}` : "How can I help?", "Answer directly, without a tool.");
  for (const s of scored) if (r.actions.length < 3) r.call(s.t.name, {}, `Try ${s.t.name}.`);
}

/**
 * The next actions of a conversation, the most plausible first, then up to three alternatives.
 * Every call is of a declared tool, with arguments that fit its schema. Without tools: one text reply.
 */
export function rankActions(conv: Conversation): NextAction[] {
  // a `think` or `calculate` changes nothing: after one, go on as before it (or tell its result)
  const last = conv.messages.at(-1);
  const before = conv.messages.at(-2);
  const aside = (b: { type: string; name?: string }) => b.type === "tool_call" && (b.name === "think" || b.name === "calculate");
  if (conv.messages.length > 2 && before?.role === "assistant" && before.content.some(aside) && before.content.every((b) => aside(b) || b.type === "text") && last?.role === "user" && last.content.length > 0 && last.content.every((b) => b.type === "tool_result")) {
    const ranked = rankActions({ ...conv, messages: conv.messages.slice(0, -2) }).filter((a) => a.call?.name !== "think" && a.call?.name !== "calculate");
    const result = last.content.map((b) => (b.type === "tool_result" ? b.content.trim() : "")).find((t) => t);
    if (result && before.content.some((b) => b.type === "tool_call" && b.name === "calculate")) ranked.splice(1, 0, { reply: `That comes to ${short(result, 40)}.`, why: "Tell the customer what it comes to." });
    if (ranked.length) return ranked.slice(0, 1 + MAX_ALTERNATIVES);
  }
  const r = new Ranking(factsOf(conv));
  if (conv.tools.length === 0) {
    r.say(r.f.lastUserText ? `I can help with that: ${short(r.f.lastUserText, 80)}` : "How can I help?", "No tools are declared: answer in text.");
    return r.actions;
  }
  if (conv.tools.some((t) => AIRLINE_NAMES.includes(t.name))) {
    rankAirline(r);
    if (r.actions.length) airlineFallbacks(r);
  }
  if (r.actions.length < 3) rankGeneric(r);
  return r.actions.slice(0, 1 + MAX_ALTERNATIVES);
}

/** A hash of the conversation (its system prompt, turns and tools): the point it is rerun from. */
export function conversationHash(conv: Conversation, seed = 0): number {
  return hashSeed(seed, canonicalJson({ system: conv.system ?? null, messages: conv.messages, tools: conv.tools }));
}

/**
 * The weights of the alternatives at a point (they sum to 1): 0.55 / 0.3 / 0.15 over those there
 * are, each scaled by a factor in [0.5, 1.5) drawn from the point's hash, so different points
 * split differently among their alternatives, and the same point always the same way.
 */
export function alternativeWeights(count: number, point: number): number[] {
  const rng = mulberry32(hashSeed(point, "alternatives"));
  const w = WEIGHTS.slice(0, count).map((x) => x * (0.5 + rng()));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / sum);
}

/**
 * One rerun's next action: the most plausible with probability 1 − spread, else an alternative
 * by its weight. `rng` is the rerun's own stream, `point` the conversation's hash.
 */
export function chooseAction(actions: NextAction[], spread: number, rng: Rng, point: number): { action: NextAction; rank: number } {
  const u = rng();
  if (actions.length === 1 || u >= spread) return { action: actions[0]!, rank: 0 };
  const w = alternativeWeights(actions.length - 1, point);
  let v = rng();
  for (let i = 0; i < w.length; i++) if ((v -= w[i]!) < 0) return { action: actions[i + 1]!, rank: i + 1 };
  return { action: actions.at(-1)!, rank: actions.length - 1 };
}
