// Display formatting. The document's numbers are never rounded; rounding happens here, for
// display only. Pure: no DOM, so the tests can import it.
import type { AnswerClass, Interval } from "../src/core/types";
import { classLabel } from "../src/core/label";

export const DASH = "—";

/** A figure with `digits` decimals, "—" for null / NaN. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x == null || !Number.isFinite(x)) return DASH;
  const s = x.toFixed(digits);
  // "-0.000" reads as a sign error; show "0.000".
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** A figure that may span orders of magnitude (optimizer errors): 3 significant digits. */
export function fmtSig(x: number | null | undefined): string {
  if (x == null || !Number.isFinite(x)) return DASH;
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e4 || a < 1e-3) return x.toExponential(2).replace("e+", "e");
  return x.toPrecision(3);
}

/** "[0.556–1.000]", or "" when there is no interval. */
export function fmtCi(ci: Interval | null | undefined, digits = 3): string {
  if (!ci) return "";
  return `[${fmt(ci[0], digits)}–${fmt(ci[1], digits)}]`;
}

/** "42%" */
export function pct(x: number, digits = 0): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/** A signed difference: "+0.012", "−0.034". */
export function fmtSigned(x: number | null | undefined, digits = 3): string {
  if (x == null || !Number.isFinite(x)) return DASH;
  const s = fmt(Math.abs(x), digits);
  if (Number(s) === 0) return s;
  return (x < 0 ? "−" : "+") + s;
}

/** The label of an answer class (src/core/label.ts, as every face says it), "—" for none. */
export function answerLabel(a: (Pick<AnswerClass, "key"> & Partial<Pick<AnswerClass, "examples">>) | null | undefined): string {
  return a ? classLabel(a) : DASH;
}

/** Cut a text to `max` characters (on a word boundary when one is close), with "…". */
export function truncate(text: string, max: number): string {
  const t = text.replace(/\s+/g, " ").trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max - 1);
  const sp = cut.lastIndexOf(" ");
  return (sp > max * 0.6 ? cut.slice(0, sp) : cut) + "…";
}

/** "1 run" / "3 runs". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
