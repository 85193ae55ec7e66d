// What a step says, in a form that can be compared fast (METRICS.md §9): the computations it
// performs (numbers and operators, with + and × commutative), the numbers it mentions and its
// content words. Two steps are *equivalent* when they perform the same computations; steps
// without any computation are equivalent when they mention the same numbers and mostly the
// same words. `4 + 8 = 12` ≡ `8 + 4 = 12` ≡ `she has 12 after 4 + 8`, but ≢ `4 * 6 = 24`,
// however similar the words.
import { numberKey } from "./answers";
import { textContent, textContentKey } from "./textcontent";
import { TRAJECTORY_STEP_KINDS, type TrajectoryStepKind } from "./types";

export interface StepFeatures {
  /** Dense id of the distinct normalised text (equal texts share one features object). */
  id: number;
  /** Sorted canonical computations, e.g. ["(+ 4 8)=12"]; empty when the step computes nothing. */
  comps: string[];
  /** Equivalence key for exact lookups: the computations when there are any, else the text. */
  key: string;
  /** `key` and `numbersKey` interned to small integers, for fast comparison within `space`. */
  space: number;
  keyId: number;
  numbersId: number;
  /**
   * Numbers mentioned, as a sorted multiset key ("3 13 16"); for a trajectory's text step with
   * content (see `acts`), "e:" and its content, so that only steps of one content are compared
   * for equivalence by their words.
   */
  numbersKey: string;
  /**
   * What the step establishes, for telling a fork from rewording: its computations when it has
   * any, else the numbers it states ("Janet starts with 16 eggs" and "The ducks lay 16 eggs"
   * differ in words, not in substance), else null (a step of words only).
   */
  substance: string | null;
  compIds: Int32Array;
  numberIds: Int32Array;
  wordIds: Int32Array;
  /**
   * The kind of a trajectory's step (1 + its index in TRAJECTORY_STEP_KINDS), 0 for a step of
   * segmented text. Steps of different kinds are never equivalent nor alike.
   */
  kind: number;
  /**
   * A tool call: 1 + the number of its tool's name (0 for anything else). A call's key is its
   * action key, so equal calls are equivalent; its wordIds are its arguments' top-level entries.
   */
  tool: number;
  /**
   * A trajectory's text step (`text`, `user`, `reasoning`) that names something or acts
   * (textcontent.ts): its acts, joined by commas ("" for none); null for any other step and for
   * a text step of words only. Such a step's key and substance are its content, not its words.
   */
  acts: string | null;
  /** That step's entities (textcontent.ts), interned; empty for any other step. */
  entityIds: Int32Array;
}

/** `kind` of a trajectory step of each kind. */
export const TRAJECTORY_KIND_NUMBER: Readonly<Record<TrajectoryStepKind, number>> = Object.fromEntries(
  TRAJECTORY_STEP_KINDS.map((k, i) => [k, i + 1]),
) as Record<TrajectoryStepKind, number>;

// A Map, not an object: a step saying "constructor" read Object's constructor as a number word.
const NUMBER_WORDS = new Map<string, string>(
  Object.entries({
    zero: "0", one: "1", two: "2", three: "3", four: "4", five: "5", six: "6", seven: "7", eight: "8",
    nine: "9", ten: "10", eleven: "11", twelve: "12", thirteen: "13", fourteen: "14", fifteen: "15",
    sixteen: "16", seventeen: "17", eighteen: "18", nineteen: "19", twenty: "20", thirty: "30",
    forty: "40", fifty: "50", sixty: "60", seventy: "70", eighty: "80", ninety: "90", hundred: "100",
  }),
);

/** "one" followed by these words, or after these, is an idiom, not the number 1. */
const ONE_AFTER = /^\s+(?:step|steps|by|at|of|more|another|way|thing|last|go|another's)\b/;
const ONE_BEFORE = new Set(["this", "that", "the", "each", "every", "no", "any", "which", "someone", "anyone", "everyone", "no-one"]);

const STOPWORDS = new Set(
  ("a an the and or but so then thus therefore of to in on at by for with from into is are was were be been " +
    "it its this that these those we i you he she they them his her their our my me us as if than which who " +
    "what there here has have had do does did can could will would should now let lets let's just also very " +
    "step first next finally each every per all")
    .split(" "),
);

/** List markers and headings in front of a step ("1.", "-", "Step 3:", "##") carry no reasoning. */
const LEADING_MARKER = /^\s*(?:(?:\d{1,3}[.)]|\(\d{1,3}\)|[-*+•·‣◦]|#{1,6})\s+)?(?:step\s+\d{1,3}\s*[:.)-]?\s*)?/i;

/** Words that join clauses and are never a unit ("3 eggs and 4 - 1" keeps 3 out of 4 - 1). */
const CONNECTORS = new Set(["and", "or", "then", "so", "but", "is", "are", "was", "were", "equals", "makes", "gives", "leaves", "to", "from", "of", "with", "after", "before", "left"]);

const ANSWER_VERBS = new Set(["is", "equals", "equal", "makes", "gives", "get", "gets", "yields", "leaves"]);

type Tok = { t: "n"; v: number; s: string } | { t: "o"; s: string } | { t: "w"; s: string };

/** Anything but tabs, line breaks and printable ASCII: only then can NFKC or the operator symbols change anything. */
const NON_ASCII = /[^\t-~]/;
/** Words some rule below rewrites: without any of them those rules are skipped. */
const OPERATOR_WORDS = /subtract|take|multipl|times|divid|plus|add|minus/;

/**
 * Lower-case, NFKC, operator symbols and words unified, thousands separators dropped. Each group
 * of rules runs only when the text has what it rewrites (a rule that matches nothing returns the
 * text as it was): a step is normalised once per distinct text, but a large set has hundreds of
 * thousands of them.
 */
export function normalizeStepText(text: string): string {
  const wide = NON_ASCII.test(text);
  let s = (wide ? text.normalize("NFKC") : text).toLowerCase().replace(/\*\*|__|`/g, " ").replace(LEADING_MARKER, "");
  if (wide) s = s.replace(/[−–—]/g, "-").replace(/[×·∗⋅]/g, "*").replace(/÷/g, "/");
  if (s.includes(",")) s = s.replace(/(\d),(\d{3})(?!\d)/g, "$1$2");
  if (OPERATOR_WORDS.test(s))
    s = s
      // "3 subtracted from 16", "subtract 3 from 16", "16 take away 3": 16 - 3, in that order
      .replace(/(\d[\d.]*)\s+(?:subtracted|taken\s+away|taken)\s+from\s+(\d[\d.]*)/g, "$2 - $1")
      .replace(/\b(?:subtract(?:ing)?|take\s+away|take|taking\s+away)\s+(\d[\d.]*)\s+from\s+(\d[\d.]*)/g, "$2 - $1")
      // "adding 3 to 38", "add 3 to 38": 38 + 3
      .replace(/\badd(?:ing)?\s+(\d[\d.]*)\s+to\s+(\d[\d.]*)/g, "$2 + $1")
      // "multiplying 41 by 3", "dividing 12 by 4"
      .replace(/\bmultiply(?:ing)?\s+(\d[\d.]*)\s+by\s+(\d[\d.]*)/g, "$1 * $2")
      .replace(/\bdivid(?:e|ing)\s+(\d[\d.]*)\s+by\s+(\d[\d.]*)/g, "$1 / $2")
      .replace(/\bmultiplied\s+by\b|\btimes\b/g, "*")
      .replace(/\bdivided\s+by\b/g, "/")
      .replace(/\bplus\b|\badded\s+to\b/g, "+")
      .replace(/\bminus\b|\btake\s+away\b/g, "-");
  if (s.includes("x")) s = s.replace(/(\d)x(?=\d)/g, "$1 * ").replace(/(?<=[\d\p{L}])\s+x\s+(?=[$€£]?\d)/gu, " * ");
  return MESSY_SPACE.test(s) ? s.replace(/\s+/g, " ").trim() : s;
}
/** White space that collapsing would change: a run of two, anything but a space, or at an end. */
const MESSY_SPACE = /\s\s|[^\S ]|^\s|\s$/;

// A clock time (9:40) is one number token, valued in minutes so that 9:40 + 4:45 = 14:25 holds.
const TOKEN = /\b(\d{1,2}):(\d{2})\b|(\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+)|([\p{L}][\p{L}']*)|([-+*/=()^])/gu;
/** TOKEN for text of printable ASCII only, where it matches the same (and runs without Unicode tables). */
const ASCII_TOKEN = /\b(\d{1,2}):(\d{2})\b|(\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+)|([A-Za-z][A-Za-z']*)|([-+*/=()^])/g;
/** What a step's key keeps of its words: letters, digits and operators (and the same for ASCII text). */
const KEY_DROP = /[^\p{L}\p{N}+\-*/=]+/gu;
const ASCII_KEY_DROP = /[^A-Za-z0-9+\-*/=]+/g;

function tokenize(norm: string, ascii: boolean): Tok[] {
  const toks: Tok[] = [];
  const token = ascii ? ASCII_TOKEN : TOKEN;
  token.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = token.exec(norm))) {
    if (m[1] !== undefined) {
      toks.push({ t: "n", v: Number(m[1]) * 60 + Number(m[2]), s: `${Number(m[1])}:${m[2]}` });
    } else if (m[3] !== undefined) {
      const v = Number(m[3]);
      toks.push({ t: "n", v, s: numberKey(v) });
    } else if (m[4] !== undefined) {
      const w = m[4];
      // "one" in an idiom ("one step at a time", "one by one", "this one") is no number
      const idiom = w === "one" && (ONE_AFTER.test(norm.slice(token.lastIndex, token.lastIndex + 12)) || (toks.length > 0 && toks[toks.length - 1]!.t === "w" && ONE_BEFORE.has(toks[toks.length - 1]!.s)));
      const num = idiom ? undefined : NUMBER_WORDS.get(w);
      if (num !== undefined) toks.push({ t: "n", v: Number(num), s: num });
      else toks.push({ t: "w", s: w });
    } else toks.push({ t: "o", s: m[5]! });
  }
  return toks;
}

// ---- arithmetic expressions: a tiny precedence parser over the token stream ----

interface Expr {
  canon: string;
  value: number;
  ops: number; // binary operators inside
}

class Parser {
  pos: number;
  constructor(
    private readonly toks: Tok[],
    start: number,
  ) {
    this.pos = start;
  }
  private peekOp(): string | null {
    const t = this.toks[this.pos];
    return t && t.t === "o" ? t.s : null;
  }
  expr(): Expr | null {
    const first = this.term();
    if (!first) return null;
    const plus: Expr[] = [first];
    let acc = first;
    for (;;) {
      const op = this.peekOp();
      if (op !== "+" && op !== "-") break;
      const save = this.pos;
      this.pos++;
      const rhs = this.term();
      if (!rhs) {
        this.pos = save;
        break;
      }
      if (op === "+") {
        plus.push(rhs);
        acc = { canon: "", value: acc.value + rhs.value, ops: acc.ops + rhs.ops + 1 };
      } else {
        // a − b keeps its order: fold what came before into one operand
        const left = plus.length === 1 ? plus[0]! : sumOf(plus);
        acc = { canon: `(- ${left.canon} ${rhs.canon})`, value: left.value - rhs.value, ops: left.ops + rhs.ops + 1 };
        plus.length = 0;
        plus.push(acc);
      }
    }
    return plus.length === 1 ? plus[0]! : sumOf(plus);
  }
  private term(): Expr | null {
    const first = this.factor();
    if (!first) return null;
    const prod: Expr[] = [first];
    for (;;) {
      const op = this.peekOp();
      if (op !== "*" && op !== "/") break;
      const save = this.pos;
      this.pos++;
      const rhs = this.factor();
      if (!rhs) {
        this.pos = save;
        break;
      }
      if (op === "*") prod.push(rhs);
      else {
        const left = prod.length === 1 ? prod[0]! : productOf(prod);
        prod.length = 0;
        prod.push({ canon: `(/ ${left.canon} ${rhs.canon})`, value: left.value / rhs.value, ops: left.ops + rhs.ops + 1 });
      }
    }
    return prod.length === 1 ? prod[0]! : productOf(prod);
  }
  /** "16 eggs - 3 eggs = 13": up to two unit words between a number and an operator are not part of the arithmetic. */
  private skipUnits(): void {
    for (let k = 1; k <= 2; k++) {
      const words = this.toks.slice(this.pos, this.pos + k);
      const next = this.toks[this.pos + k];
      if (words.length < k || !words.every((w) => w.t === "w" && !CONNECTORS.has(w.s))) return;
      if (next && next.t === "o" && "+-*/=".includes(next.s)) {
        this.pos += k;
        return;
      }
    }
  }
  private factor(): Expr | null {
    const t = this.toks[this.pos];
    if (!t) return null;
    if (t.t === "n") {
      this.pos++;
      this.skipUnits();
      return { canon: t.s, value: t.v, ops: 0 };
    }
    if (t.t === "o" && t.s === "(") {
      const save = this.pos;
      this.pos++;
      const inner = this.expr();
      if (inner && this.peekOp() === ")") {
        this.pos++;
        return inner;
      }
      this.pos = save;
      return null;
    }
    if (t.t === "o" && t.s === "-" && this.toks[this.pos + 1]?.t === "n") {
      const n = this.toks[this.pos + 1] as { t: "n"; v: number; s: string };
      this.pos += 2;
      return { canon: numberKey(-n.v), value: -n.v, ops: 0 };
    }
    return null;
  }
}

function flatten(parts: Expr[], op: "+" | "*"): string[] {
  const out: string[] = [];
  for (const p of parts) {
    if (p.canon.startsWith(`(${op} `)) out.push(...splitArgs(p.canon));
    else out.push(p.canon);
  }
  return out.sort();
}

/** The top-level arguments of a canonical "(op a b …)" string. */
function splitArgs(canon: string): string[] {
  const body = canon.slice(3, -1);
  const args: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === " " && depth === 0) {
      args.push(body.slice(from, i));
      from = i + 1;
    }
  }
  args.push(body.slice(from));
  return args;
}

function sumOf(parts: Expr[]): Expr {
  return {
    canon: `(+ ${flatten(parts, "+").join(" ")})`,
    value: parts.reduce((s, p) => s + p.value, 0),
    ops: parts.reduce((s, p) => s + p.ops, 0) + parts.length - 1,
  };
}

function productOf(parts: Expr[]): Expr {
  return {
    canon: `(* ${flatten(parts, "*").join(" ")})`,
    value: parts.reduce((s, p) => s * p.value, 1),
    ops: parts.reduce((s, p) => s + p.ops, 0) + parts.length - 1,
  };
}

/** A stated number equals a computed value: exactly, or as the value rounded for display (3.33 for 10/3). */
function close(value: number, stated: number, statedText: string): boolean {
  if (Math.abs(value - stated) <= 1e-9 * Math.max(1, Math.abs(value))) return true;
  const dot = statedText.indexOf(".");
  if (dot < 0 || statedText.includes("e")) return false;
  const decimals = statedText.length - dot - 1;
  return Math.abs(value - stated) <= 0.5 * 10 ** -decimals + 1e-12;
}

/**
 * The computations a step performs, canonical: "(+ 4 8)=12". An equation `expr = n` (or `expr is
 * n`, `n = expr`) keeps its stated result, right or wrong; a bare expression takes as its result
 * a number the step states elsewhere that equals its value ("she has 13 left after 16 - 3"),
 * else "?".
 */
export function computations(toks: Tok[]): string[] {
  const found: { canon: string; value: number; result: string | null; from: number; to: number }[] = [];
  let i = 0;
  while (i < toks.length) {
    const t = toks[i]!;
    const startsExpr = t.t === "n" || (t.t === "o" && (t.s === "(" || t.s === "-"));
    if (!startsExpr) {
      i++;
      continue;
    }
    const p = new Parser(toks, i);
    const e = p.expr();
    if (!e || e.ops === 0) {
      i++;
      continue;
    }
    let result: string | null = null;
    let end = p.pos;
    const nxt = toks[end];
    const after = toks[end + 1];
    const isEq = nxt && ((nxt.t === "o" && nxt.s === "=") || (nxt.t === "w" && ANSWER_VERBS.has(nxt.s)));
    if (isEq && after) {
      if (after.t === "n" && !(toks[end + 2]?.t === "o" && "+-*/".includes(toks[end + 2]!.s))) {
        result = after.s;
        end += 2;
      } else if (after.t === "o" && after.s === "-" && toks[end + 2]?.t === "n") {
        result = numberKey(-(toks[end + 2] as { v: number }).v);
        end += 3;
      }
    }
    // `n = expr`: the number before an `=` that opens this expression is its stated result
    const before = toks[i - 1];
    const before2 = toks[i - 2];
    if (result === null && before?.t === "o" && before.s === "=" && before2?.t === "n") result = before2.s;
    found.push({ canon: e.canon, value: e.value, result, from: i, to: end });
    i = end;
  }
  if (found.length === 0) return [];
  const out = new Set<string>();
  for (const f of found) {
    let result = f.result;
    if (result === null) {
      for (let k = 0; k < toks.length && result === null; k++) {
        const t = toks[k]!;
        if (t.t === "n" && (k < f.from || k >= f.to) && close(f.value, t.v, t.s)) result = t.s;
      }
    }
    out.add(`${f.canon}=${result ?? "?"}`);
  }
  return [...out].sort();
}

function stem(w: string): string {
  if (w.endsWith("'s")) w = w.slice(0, -2);
  else if (w.endsWith("'")) w = w.slice(0, -1);
  if (w.length > 4 && w.endsWith("ies")) return w.slice(0, -3) + "y";
  if (w.length > 3 && w.endsWith("s") && !w.endsWith("ss")) return w.slice(0, -1);
  return w;
}

/** The one empty id list (nothing can be written to an empty typed array, so sharing it is safe). */
const NO_IDS = new Int32Array(0);

/** The distinct ids, ascending (by insertion: a step has a handful). */
function uniqueSorted(ids: number[]): Int32Array {
  if (ids.length === 0) return NO_IDS;
  const a = new Int32Array(ids.length);
  let k = 0;
  for (const id of ids) {
    let at = k;
    while (at > 0 && a[at - 1]! > id) at--;
    if (at > 0 && a[at - 1] === id) continue;
    a.copyWithin(at + 1, at, k);
    a[at] = id;
    k++;
  }
  return k === a.length ? a : a.slice(0, k);
}

/** Interns strings and caches step features, so equal texts are analysed once. */
let spaces = 0;

export class FeatureSpace {
  private readonly space = ++spaces;
  private interned = 0;
  private readonly wordNo = new Map<string, number>();
  private readonly keyNo = new Map<string, number>();
  private readonly numbersNo = new Map<string, number>();
  private readonly compNo = new Map<string, number>();
  private readonly numberNo = new Map<string, number>();
  private readonly cache = new Map<string, StepFeatures>();
  /** The features of each raw text met, so a text that comes back run after run is not normalised again. */
  private readonly byText = new Map<string, StepFeatures>();
  /** Distinct texts seen. */
  get size(): number {
    return this.cache.size;
  }
  /** Distinct raw texts remembered (a text and its variants in case or spacing count apart). */
  get texts(): number {
    return this.byText.size + this.byStep.size;
  }
  /**
   * A string's number among those of its kind (words, keys, numbers' keys, computations,
   * numbers): one map per kind rather than one of prefixed strings, so interning builds no new
   * string; the numbers are distinct across kinds all the same.
   */
  private intern(kind: Map<string, number>, s: string): number {
    let id = kind.get(s);
    if (id === undefined) kind.set(s, (id = this.interned++));
    return id;
  }
  features(text: string): StepFeatures {
    const known = this.byText.get(text);
    if (known) return known;
    const f = this.fromNormalized(normalizeStepText(text));
    this.byText.set(text, f);
    return f;
  }

  private fromNormalized(norm: string): StepFeatures {
    const hit = this.cache.get(norm);
    if (hit) return hit;
    const ascii = !NON_ASCII.test(norm);
    const toks = tokenize(norm, ascii);
    const comps = computations(toks);
    const nums: string[] = [];
    const words: number[] = [];
    for (const t of toks) {
      if (t.t === "n") nums.push(t.s);
      else if (t.t === "w" && t.s.length > 1 && !STOPWORDS.has(t.s)) words.push(this.intern(this.wordNo, stem(t.s)));
    }
    const key = comps.length > 0 ? "c:" + comps.join("|") : "t:" + norm.replace(ascii ? ASCII_KEY_DROP : KEY_DROP, " ").trim();
    const numbersKey = [...nums].sort().join(" ");
    const f: StepFeatures = {
      id: this.cache.size,
      comps,
      key,
      space: this.space,
      keyId: this.intern(this.keyNo, key),
      numbersId: this.intern(this.numbersNo, numbersKey),
      numbersKey,
      substance: comps.length > 0 ? "c:" + comps.join("|") : nums.length > 0 ? "n:" + [...nums].sort().join(" ") : null,
      compIds: uniqueSorted(comps.map((c) => this.intern(this.compNo, c))),
      numberIds: uniqueSorted(nums.map((n) => this.intern(this.numberNo, n))),
      wordIds: uniqueSorted(words),
      kind: 0,
      tool: 0,
      acts: null,
      entityIds: NO_IDS,
    };
    this.cache.set(norm, f);
    return f;
  }

  private readonly toolNo = new Map<string, number>();
  private readonly entityNo = new Map<string, number>();
  private readonly argNo = new Map<string, number>();
  /** Features of trajectory steps, by kind and text (tool calls by action key). */
  private readonly byStep = new Map<string, StepFeatures>();

  /**
   * A trajectory step that is not a tool call (METRICS.md §11): the features of its text, its
   * key and substance marked with its kind, so a user turn and a reply that say the same are
   * different steps. A text step (`text`, `user`, `reasoning`) is keyed by its content, the acts
   * it performs and the entities it names (textcontent.ts), not its words: replies worded apart
   * that ask to confirm the same cancellation are one step; one of words only ("Thank you!") has
   * no substance. A tool's result keeps the features of its text.
   */
  stepFeatures(kind: TrajectoryStepKind, text: string): StepFeatures {
    const k = TRAJECTORY_KIND_NUMBER[kind];
    const at = k + "\u0000" + text;
    const known = this.byStep.get(at);
    if (known) return known;
    const base = this.features(text);
    const content = kind === "tool_result" ? null : textContent(text, kind === "user");
    const contentKey = content === null ? null : textContentKey(content);
    let f: StepFeatures;
    if (content !== null && contentKey !== null) {
      // what it names and does: its key (so its group), its bucket of worded steps (numbersKey:
      // steps of other content are never equivalent however alike their words) and its substance
      const key = `${k}|e:${contentKey}`;
      f = {
        ...base,
        id: this.cache.size + this.byStep.size,
        key,
        keyId: this.intern(this.keyNo, key),
        numbersKey: "e:" + contentKey,
        numbersId: this.intern(this.numbersNo, "e:" + contentKey),
        substance: key,
        kind: k,
        acts: content.acts.join(","),
        entityIds: uniqueSorted(content.entities.map((e) => this.intern(this.entityNo, e))),
      };
    } else {
      // a tool's result keeps the numbers it states; a text step of words only has no substance
      const key = `${k}|${base.key}`;
      f = {
        ...base,
        id: this.cache.size + this.byStep.size,
        key,
        keyId: this.intern(this.keyNo, key),
        substance: content === null && base.substance !== null ? `${k}|${base.substance}` : null,
        kind: k,
      };
    }
    this.byStep.set(at, f);
    return f;
  }

  /**
   * A tool call: its key the action key (`"a:" + key`), so the same call is one step wherever it
   * sits; its words its arguments' parts (trajectory.ts argumentParts), so a call of the same
   * tool with other arguments is alike enough to share a column but not equivalent (another
   * group); its substance the key, so a different call is a different choice at a fork.
   */
  callFeatures(name: string, key: string, parts: readonly string[]): StepFeatures {
    const at = "a\u0000" + key;
    const known = this.byStep.get(at);
    if (known) return known;
    const fullKey = "a:" + key;
    const f: StepFeatures = {
      id: this.cache.size + this.byStep.size,
      comps: [],
      key: fullKey,
      space: this.space,
      keyId: this.intern(this.keyNo, fullKey),
      numbersId: this.intern(this.numbersNo, ""),
      numbersKey: "",
      substance: fullKey,
      compIds: NO_IDS,
      numberIds: NO_IDS,
      wordIds: uniqueSorted(parts.map((p) => this.intern(this.argNo, p))),
      kind: TRAJECTORY_KIND_NUMBER.tool_call,
      tool: 1 + this.intern(this.toolNo, name),
      acts: null,
      entityIds: NO_IDS,
    };
    this.byStep.set(at, f);
    return f;
  }
}

/** Raw texts a shared space remembers before the next prompt starts a fresh one. */
const SHARED_SPACE_TEXTS = 50_000;

/**
 * One FeatureSpace for prompt after prompt of a trace set, so a step that comes back in another
 * prompt (in code, `return total`) is analysed once; a fresh one once it remembers
 * SHARED_SPACE_TEXTS texts, so a large set does not keep every text it ever met. Each prompt
 * takes all its steps from one space (ids compare within a space).
 */
export class FeatureSpaces {
  private space = new FeatureSpace();
  /** The space for the next prompt. */
  next(): FeatureSpace {
    if (this.space.texts > SHARED_SPACE_TEXTS) this.space = new FeatureSpace();
    return this.space;
  }
}

/** Jaccard index of two sorted id sets; two empty sets are identical (1). */
export function jaccard(a: Int32Array, b: Int32Array): number {
  if (a.length === 0 && b.length === 0) return 1;
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      inter++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return inter / (a.length + b.length - inter);
}

/**
 * Word overlap (Jaccard of content words) from which two steps without computations that state
 * the same numbers are one step. With numbers, the numbers carry most of the substance and
 * wording varies from run to run ("Janet starts with 16 eggs" ≡ "Janet's ducks lay 16 eggs per
 * day", but "She eats 3 eggs" ≢ "She bakes muffins with 3 eggs"); without numbers, most words
 * must be shared.
 */
export const WORD_EQUIVALENCE_WITH_NUMBERS = 0.3;
export const WORD_EQUIVALENCE = 0.5;

/** Whether two steps are the same step of reasoning (see the file comment). */
export function equivalent(a: StepFeatures, b: StepFeatures): boolean {
  if (a === b) return true;
  const same = a.space === b.space; // interned ids compare within one FeatureSpace only
  if (same ? a.keyId === b.keyId : a.key === b.key) return true;
  // keys differ: steps of different kinds, different tool calls, different computations
  if (a.kind !== b.kind || a.tool !== 0) return false;
  if (a.comps.length > 0 || b.comps.length > 0) return false;
  if (same ? a.numbersId !== b.numbersId : a.numbersKey !== b.numbersKey) return false;
  return jaccard(a.wordIds, b.wordIds) >= (a.numbersKey === "" ? WORD_EQUIVALENCE : WORD_EQUIVALENCE_WITH_NUMBERS);
}

/** The highest similarity two steps that are not equivalent can have. */
export const MAX_NONEQUIVALENT_SIMILARITY = 0.95;

/**
 * Similarity in [0, 1]: 1 for equivalent steps; otherwise a blend of shared computations,
 * numbers and words, never above MAX_NONEQUIVALENT_SIMILARITY.
 */
export function similarity(a: StepFeatures, b: StepFeatures): number {
  // `equivalent` and the blend below, with each Jaccard index computed once (this runs for
  // every cell of the alignment that is not an exact match)
  if (a === b) return 1;
  const same = a.space === b.space;
  if (same ? a.keyId === b.keyId : a.key === b.key) return 1;
  if (a.kind !== b.kind) return 0; // a trajectory's steps of different kinds (segmented text is all kind 0)
  if (a.tool !== 0) return callSimilarity(a, b);
  const ca = a.comps.length > 0;
  const cb = b.comps.length > 0;
  const words = jaccard(a.wordIds, b.wordIds);
  let s: number;
  if (ca && cb) s = 0.5 * jaccard(a.compIds, b.compIds) + 0.25 * jaccard(a.numberIds, b.numberIds) + 0.25 * words;
  else if (ca || cb) s = 0.4 * jaccard(a.numberIds, b.numberIds) + 0.4 * words;
  else {
    if ((same ? a.numbersId === b.numbersId : a.numbersKey === b.numbersKey) && words >= (a.numbersKey === "" ? WORD_EQUIVALENCE : WORD_EQUIVALENCE_WITH_NUMBERS)) return 1;
    s = 0.5 * jaccard(a.numberIds, b.numberIds) + 0.5 * words;
  }
  return Math.min(MAX_NONEQUIVALENT_SIMILARITY, s);
}

/**
 * Two different tool calls: calls of one tool are alike (CALL_SAME_TOOL, more the more of their
 * arguments they share, never MAX_NONEQUIVALENT_SIMILARITY or above), calls of different tools
 * barely (CALL_OTHER_TOOL): both are alternatives at the same place, so they may share a column
 * as different groups, the same tool's more readily.
 */
export const CALL_SAME_TOOL = 0.5;
export const CALL_OTHER_TOOL = 0.15;
function callSimilarity(a: StepFeatures, b: StepFeatures): number {
  if (a.tool !== b.tool) return CALL_OTHER_TOOL;
  return Math.min(MAX_NONEQUIVALENT_SIMILARITY - 0.05, CALL_SAME_TOOL + (MAX_NONEQUIVALENT_SIMILARITY - CALL_SAME_TOOL) * jaccard(a.wordIds, b.wordIds));
}
