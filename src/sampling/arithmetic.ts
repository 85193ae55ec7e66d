// Arithmetic in a prompt, as the simulated reasoner reads it: one expression written with
// numbers, + - * / ^ (or × ÷ ·), parentheses and the operator words (plus, minus, times,
// multiplied by, divided by, to the power of, squared, "the sum / product of A and B", "the
// difference between A and B"), then the operations in the order a person does them: innermost
// and leftmost first, multiplication and division before addition and subtraction.
//
// What does NOT parse, on purpose, so that a prompt that only mentions numbers is never
// "solved": a story problem whose operations are not written out ("Janet has 16 eggs and eats
// 3"), algebra (a letter next to the numbers: "3x + 4 = 10"), a worked example ("4 + 8 = 12"),
// dates, times, versions and thousands of other things with digits in them, numbers with units
// between them, a bare range ("2020-2021", "pages 10 - 20") unless it directly follows "what is",
// "compute" and the like, and a prompt that holds two or more different expressions.
export type Op = "+" | "-" | "*" | "/" | "^";

export type Expr = { kind: "num"; value: number } | OpExpr;
/** One operation: `left op right`. */
export type OpExpr = { kind: "op"; op: Op; left: Expr; right: Expr };

export interface ArithmeticProblem {
  /** The expression as read, normalised ("17 × 24 + 3"). */
  expression: string;
  tree: Expr;
  /** How many operations it takes. */
  operations: number;
}

/** Past this many operations a prompt is not a sum to work out by hand. */
const MAX_OPERATIONS = 40;
/** Numbers this large (and powers that make them) are not done by hand either. */
const MAX_MAGNITUDE = 1e15;

type Tok = { t: "n"; v: number } | { t: "o"; s: Op | "(" | ")" } | { t: "=" } | { t: "b" } | { t: "w"; s: string };

const CUE = /(?:what\s+is|what's|whats|how\s+much\s+is|compute|calculate|evaluate|work\s+out|solve|simplify|find)\s*(?:the\s+value\s+of\s*)?:?\s*$/i;

/** Operator words and symbols to one spelling; what merely has digits in it to a break. */
function normalise(prompt: string): string {
  return (
    prompt
      .normalize("NFKC")
      // digits that are not quantities: dates, times, versions, ordinals
      .replace(/\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}:\d{2}(?::\d{2})?\b|\bv?\d+(?:\.\d+){2,}\b/gi, " ; ")
      // thousands separators: 1,234,567
      .replace(/(?<=\d),(?=\d{3}(?!\d))/g, "")
      .replace(/[−–—]/g, "-")
      .replace(/[×·∗⋅]/g, "*")
      .replace(/÷/g, "/")
      .replace(/\*\*/g, "^")
      .replace(/\bthe\s+sum\s+of\s+(-?[\d.]+)\s+and\s+(-?[\d.]+)/gi, "($1 + $2)")
      .replace(/\bthe\s+product\s+of\s+(-?[\d.]+)\s+and\s+(-?[\d.]+)/gi, "($1 * $2)")
      .replace(/\bthe\s+difference\s+between\s+(-?[\d.]+)\s+and\s+(-?[\d.]+)/gi, "($1 - $2)")
      .replace(/\bmultiplied\s+by\b|\btimes\b/gi, " * ")
      .replace(/\bdivided\s+by\b/gi, " / ")
      .replace(/\bplus\b/gi, " + ")
      .replace(/\bminus\b/gi, " - ")
      .replace(/\bto\s+the\s+power\s+of\b/gi, " ^ ")
      .replace(/(\d)\s+squared\b/gi, "$1 ^ 2")
      .replace(/(\d)\s+cubed\b/gi, "$1 ^ 3")
      // "3 x 4" with spaces is a product; "3x" and "1920x1080" are not read at all
      .replace(/(\d)\s+x\s+(?=[-(]?\d)/gi, "$1 * ")
  );
}

function tokenize(text: string): { toks: Tok[]; starts: number[] } {
  const toks: Tok[] = [];
  const starts: number[] = [];
  const re = /(\d+(?:\.\d+)?|\.\d+)|([+\-*/^()])|(=)|([\p{L}_][\p{L}\p{N}_']*)|(\s+)|([^\s])/gu;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m[5] !== undefined) continue;
    starts.push(m.index);
    if (m[1] !== undefined) {
      // a number glued to a letter on either side ("3x", "x2", "5kg", "v2") is not a quantity here
      const before = text[m.index - 1];
      const after = text[m.index + m[1].length];
      if ((before && /[\p{L}_]/u.test(before)) || (after && /[\p{L}_]/u.test(after))) toks.push({ t: "w", s: m[1] });
      else toks.push({ t: "n", v: Number(m[1]) });
    } else if (m[2] !== undefined) toks.push({ t: "o", s: m[2] as Op | "(" | ")" });
    else if (m[3] !== undefined) toks.push({ t: "=" });
    else if (m[4] !== undefined) toks.push({ t: "w", s: m[4] });
    else toks.push({ t: "b" });
  }
  return { toks, starts };
}

class Parser {
  pos = 0;
  constructor(private readonly toks: Tok[]) {}
  private op(): string | null {
    const t = this.toks[this.pos];
    return t && t.t === "o" ? t.s : null;
  }
  expr(): Expr | null {
    return this.binary(() => this.term(), ["+", "-"]);
  }
  private term(): Expr | null {
    return this.binary(() => this.power(), ["*", "/"]);
  }
  /** Operands from `next` joined by `ops`, left-associative: 10 - 4 - 2 = (10 - 4) - 2. */
  private binary(next: () => Expr | null, ops: readonly Op[]): Expr | null {
    let left = next();
    let op: Op | undefined;
    while (left && (op = ops.find((o) => o === this.op()))) {
      this.pos++;
      const right = next();
      if (!right) return null;
      left = { kind: "op", op, left, right };
    }
    return left;
  }
  private power(): Expr | null {
    const base = this.unary();
    if (base && this.op() === "^") {
      this.pos++;
      const exp = this.power(); // right-associative: 2^3^2 = 2^9
      if (!exp) return null;
      return { kind: "op", op: "^", left: base, right: exp };
    }
    return base;
  }
  private unary(): Expr | null {
    const t = this.toks[this.pos];
    if (!t) return null;
    if (t.t === "n") {
      this.pos++;
      return { kind: "num", value: t.v };
    }
    if (t.t === "o" && t.s === "-") {
      const next = this.toks[this.pos + 1];
      if (next?.t !== "n") return null;
      this.pos += 2;
      return { kind: "num", value: -next.v };
    }
    if (t.t === "o" && t.s === "(") {
      this.pos++;
      const inner = this.expr();
      if (!inner || this.op() !== ")") return null;
      this.pos++;
      return inner;
    }
    return null;
  }
}

/** The operations in the order a person does them: left operand's work, right operand's, then this one. */
export function operations(e: Expr, into: OpExpr[] = []): OpExpr[] {
  if (e.kind === "op") {
    operations(e.left, into);
    operations(e.right, into);
    into.push(e);
  }
  return into;
}

export const SYMBOL: Record<Op, string> = { "+": "+", "-": "-", "*": "×", "/": "÷", "^": "^" };

/** A number as the reasoner writes it: integers in full, others to at most 4 decimals. */
export function fmtNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const r = Math.round(x * 1e4) / 1e4;
  return String(Object.is(r, -0) ? 0 : r);
}

/** An operand in a step line: a negative number is parenthesised ("(-3) × 2"). */
export function fmtOperand(x: number): string {
  const s = fmtNumber(x);
  return s.startsWith("-") ? `(${s})` : s;
}

function show(e: Expr, parentPrec = 0, right = false): string {
  if (e.kind === "num") return fmtOperand(e.value);
  const prec = e.op === "^" ? 3 : e.op === "*" || e.op === "/" ? 2 : 1;
  const s = `${show(e.left, prec, false)} ${SYMBOL[e.op]} ${show(e.right, prec, true)}`;
  // a right operand of the same level keeps its parentheses (10 - (4 - 2)); ^ groups the other way
  const wrap = prec < parentPrec || (prec === parentPrec && (prec === 3 ? !right : right));
  return wrap ? `(${s})` : s;
}

/** The value of one operation; null when it has none (a division by zero, a power out of reach). */
export function apply(op: Op, a: number, b: number): number | null {
  let r: number;
  if (op === "+") r = a + b;
  else if (op === "-") r = a - b;
  else if (op === "*") r = a * b;
  else if (op === "/") {
    if (b === 0) return null;
    r = a / b;
  } else {
    if (!Number.isInteger(b) || Math.abs(b) > 64 || (a === 0 && b < 0)) return null;
    r = a ** b;
  }
  return Number.isFinite(r) && Math.abs(r) <= MAX_MAGNITUDE ? r : null;
}

/** Whether an expression can be worked through without a number out of reach (a division by zero is written out, so it is fine). */
function reachable(e: Expr): boolean {
  // one pass, bottom up: each value (null: none, after a division without one), or false when out of reach
  const walk = (e: Expr): number | null | false => {
    if (e.kind === "num") return Math.abs(e.value) <= MAX_MAGNITUDE ? e.value : false;
    const a = walk(e.left);
    if (a === false) return false;
    const b = walk(e.right);
    if (b === false) return false;
    if (a === null || b === null) return null;
    const r = apply(e.op, a, b);
    return r !== null ? r : e.op === "/" ? null : false;
  };
  return walk(e) !== false;
}

/** The exact value; null when a step has none. */
export function value(e: Expr): number | null {
  if (e.kind === "num") return e.value;
  const a = value(e.left);
  const b = value(e.right);
  return a === null || b === null ? null : apply(e.op, a, b);
}

/**
 * The one arithmetic expression a prompt asks about, or null (see the top of this file for what
 * is read and what is not).
 */
export function parseArithmetic(prompt: string): ArithmeticProblem | null {
  const text = normalise(prompt);
  const { toks, starts } = tokenize(text);
  const found = new Map<string, ArithmeticProblem>();
  let i = 0;
  while (i < toks.length) {
    const t = toks[i]!;
    const startsRun = t.t === "n" || (t.t === "o" && (t.s === "(" || t.s === "-"));
    if (!startsRun) {
      i++;
      continue;
    }
    let j = i;
    while (j < toks.length && (toks[j]!.t === "n" || toks[j]!.t === "o")) j++;
    const run = toks.slice(i, j);
    const prev = toks[i - 1];
    const next = toks[j];
    const p = new Parser(run);
    const tree = p.expr();
    const whole = tree !== null && p.pos === run.length;
    const ops = tree ? operations(tree).length : 0;
    // a worked example or an equation ("4 + 8 = 12", "x = 3 + 4"): not a question
    const answered = (next?.t === "=" && toks[j + 1]?.t === "n") || prev?.t === "=";
    // a single letter just before: a variable ("x^2 + 1", "f(3) + 2", "x - 3")
    const variable = prev?.t === "w" && /^[a-z]$/i.test(prev.s);
    // an operator glued to something that is not a number ("x^2 + 1", "f(3) + 2")
    const attached = prev !== undefined && (prev.t === "o" || (variable && text[starts[i]! - 1] !== " "));
    if (whole && ops > 0 && ops <= MAX_OPERATIONS && !answered && !attached && !(variable && run[0]!.t === "o") && reachable(tree)) {
      if (!isBareRange(run) || CUE.test(text.slice(0, starts[i]))) {
        const expression = show(tree);
        found.set(expression, { expression, tree, operations: ops });
      }
    }
    i = j;
  }
  return found.size === 1 ? [...found.values()][0]! : null;
}

/** "2020-2021", "10 - 20", "3/4": one minus or slash between two numbers, which is as often a range or a ratio as a sum. */
function isBareRange(run: Tok[]): boolean {
  return run.length === 3 && run[0]!.t === "n" && run[2]!.t === "n" && run[1]!.t === "o" && (run[1]!.s === "-" || run[1]!.s === "/");
}
