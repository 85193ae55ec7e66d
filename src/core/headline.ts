// How every face words the headline (METRICS.md §7, docs/metrics.md "Display rules"): the
// estimate with its 95% interval, or with the caveat that stands for the interval when there
// are too few reruns; "≈ N more reruns to get the interval under ±0.05"; and the majority-vote
// line. One wording for the table, the CodeLens, inlay hint and hover, the status bar, the
// view and the exports, so that no face shows a bare number. Pure: only strings from figures
// the analysis already holds; rounding happens here, never in the analysis.
import { PROJECTION_MAX, TARGET_HALF_WIDTH } from "./projection";
import type { Interval, PromptAnalysis } from "./types";

/** What a headline is made of: a decomposition's estimate and interval, and the prompt's caveat. */
export interface HeadlineFigure {
  estimate: number | null;
  ci95: Interval | null;
  /** Said instead of the interval when there are too few reruns (PromptAnalysis.caveat); absent for pooled figures. */
  caveat?: string | null;
}

const fixed = (x: number, digits: number) => {
  const s = x.toFixed(digits);
  // "-0.000" reads as a sign error
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
};

/** "[0.31–0.55]" */
export function intervalText(ci: Interval, digits = 2): string {
  return `[${fixed(ci[0], digits)}–${fixed(ci[1], digits)}]`;
}

/**
 * The headline as a reader sees it: "0.42 [0.31–0.55]"; "0.42 (n = 3: too few reruns for an
 * interval; 8+ recommended)" when the caveat stands for the interval; null when there is no
 * estimate (no error to split: the caller says so in its own words). An estimate with neither
 * interval nor caveat (an analysis made with 0 resamples) says "no interval".
 */
export function headlineText(f: HeadlineFigure, digits = 2): string | null {
  if (f.estimate === null || Number.isNaN(f.estimate)) return null;
  const x = fixed(f.estimate, digits);
  if (f.ci95) return `${x} ${intervalText(f.ci95, digits)}`;
  return `${x} (${f.caveat ?? "no interval"})`;
}

/** The projection of PromptAnalysis.reruns. */
export type RerunsFigure = NonNullable<PromptAnalysis["reruns"]>;

/** "±0.05" */
export const TARGET_TEXT = `±${TARGET_HALF_WIDTH}`;

/**
 * "≈ 40 more reruns to get the interval under ±0.05", "the interval is under ±0.05 (±0.04)",
 * "over 10,000 more reruns to get the interval under ±0.05"; null with no projection or when
 * there is no estimate (nothing to split: no interval to narrow).
 */
export function rerunsText(r: RerunsFigure | null, estimate: number | null): string | null {
  if (!r || estimate === null) return null;
  if (r.more === 0) return `the interval is under ${TARGET_TEXT}${r.halfWidth !== null ? ` (±${fixed(r.halfWidth, 3)})` : ""}`;
  if (r.more === null) return `over ${PROJECTION_MAX.toLocaleString("en-US")} more reruns to get the interval under ${TARGET_TEXT}`;
  return `≈ ${r.more.toLocaleString("en-US")} more rerun${r.more === 1 ? "" : "s"} to get the interval under ${TARGET_TEXT}`;
}

/** The projection of PromptAnalysis.ensemble. */
export type EnsembleFigure = NonNullable<PromptAnalysis["ensemble"]>;

/**
 * "majority of 1 / 3 / 5 / 10 reruns: incoherence 0.62 → 0.41 → 0.30 → 0.18, accuracy 40% →
 * 35% → 33% → 30%" (a vote that is never wrong has no incoherence: "—"); null without rows.
 */
export function ensembleText(rows: EnsembleFigure | null): string | null {
  if (!rows || rows.length === 0) return null;
  const inc = rows.map((r) => (r.incoherence === null ? "—" : fixed(r.incoherence, 2))).join(" → ");
  const acc = rows.map((r) => `${Math.round(100 * r.accuracy)}%`).join(" → ");
  return `majority of ${rows.map((r) => r.e).join(" / ")} reruns: incoherence ${inc}, accuracy ${acc}`;
}

/**
 * What a majority vote would do, in a few words (the accuracies are in ensembleText): "every
 * rerun is right already"; "self-consistency would fix this prompt" when a majority of the most
 * reruns is right 95% of the time or more; "a majority vote helps but does not fix it" when its
 * accuracy rises by 10 points or more; else "a majority vote does not help". Null without rows.
 */
export function ensembleVerdict(rows: EnsembleFigure | null): string | null {
  if (!rows || rows.length < 2) return null;
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  if (first.accuracy >= 0.995) return "every rerun is right already";
  if (last.accuracy >= 0.95) return "self-consistency would fix this prompt";
  if (last.accuracy - first.accuracy >= 0.1) return "a majority vote helps but does not fix it";
  return "a majority vote does not help";
}
