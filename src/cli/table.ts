// The readable table `hotmess analyze` prints: per prompt n, answer classes, bias², variance,
// error, the headline incoherence with its interval (or the caveat that stands for it), the
// reruns that would bring the interval under ±0.05 and the fork column; then the pooled figures,
// reliability, the length split and the majority vote. Rounding happens here, never in the analysis.
import { ensembleText, ensembleVerdict, forkGroups, headlineText, rerunsText, SIMULATED_MODEL, TARGET_TEXT, type Analysis, type HeadlineFigure, type Interval, type PromptAnalysis } from "../core";
import { toolTally } from "../core/trajectory";
import type { Io } from "./common";

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
}

/** Colours on a terminal, unless NO_COLOR is set. */
export function styleFor(io: Io): Style {
  return io.stdout.isTTY === true && !io.env.NO_COLOR ? ANSI_STYLE : NO_STYLE;
}

const plain = (s: string) => s;
export const NO_STYLE: Style = { bold: plain, dim: plain, red: plain, yellow: plain, green: plain };
export const ANSI_STYLE: Style = {
  bold: (s) => `\x1b[1m${s}\x1b[22m`,
  dim: (s) => `\x1b[2m${s}\x1b[22m`,
  red: (s) => `\x1b[31m${s}\x1b[39m`,
  yellow: (s) => `\x1b[33m${s}\x1b[39m`,
  green: (s) => `\x1b[32m${s}\x1b[39m`,
};

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const visible = (s: string) => s.replace(ANSI, "").length;

export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "—";
  return x.toFixed(digits);
}

export function fmtInterval(ci: Interval | null): string {
  return ci ? `[${fmt(ci[0])}–${fmt(ci[1])}]` : "";
}

function colourIncoherence(x: number | null, s: string, st: Style): string {
  if (x === null) return st.dim(s);
  if (x >= 0.5) return st.red(s);
  if (x >= 0.25) return st.yellow(s);
  return st.green(s);
}

/**
 * Model text and ids are untrusted: control characters (an ANSI escape in a trace could
 * rewrite the terminal) become visible escapes, and line breaks become spaces.
 */
export function safe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\r\n\t]+/g, " ").replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function truncate(s: string, width: number): string {
  s = safe(s);
  return s.length <= width ? s : s.slice(0, width - 1) + "…";
}

/** The groups at a prompt's fork: what the runs do there, largest group first. */
export function forkLines(p: PromptAnalysis, st: Style, maxGroups = 3): string[] {
  const fork = forkGroups(p);
  if (!fork) return [];
  const lines = fork.groups.slice(0, maxGroups).map((g) => `    ${String(g.count).padStart(4)} runs  ${truncate(g.text, 70)}`);
  const rest = fork.groups.length - maxGroups;
  if (rest > 0 || fork.gaps > 0) {
    const parts = [rest > 0 ? `${rest} more group${rest === 1 ? "" : "s"}` : "", fork.gaps > 0 ? `${fork.gaps} run${fork.gaps === 1 ? "" : "s"} without this step` : ""].filter(Boolean);
    lines.push(st.dim(`         ${parts.join(", ")}`));
  }
  return [`  ${truncate(p.id, 40)} · column ${fork.column} of ${fork.columns}`, ...lines];
}

/** Lays out rows as columns; numeric columns (by index) are right-aligned. */
export function layout(header: string[], rows: string[][], right: Set<number>, st: Style): string[] {
  const widths = header.map((h, c) => Math.max(visible(h), ...rows.map((r) => visible(r[c] ?? ""))));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => {
        const pad = " ".repeat(Math.max(0, widths[c]! - visible(cell)));
        return right.has(c) ? pad + cell : cell + pad;
      })
      .join("  ")
      .trimEnd();
  return [st.bold(line(header)), st.dim(widths.map((w) => "─".repeat(w)).join("  ")), ...rows.map(line)];
}

function answersCell(p: PromptAnalysis): string {
  const ref = p.answers.find((a) => a.reference);
  const share = ref ? ` (${Math.round((100 * ref.count) / p.n)}% ✓)` : "";
  // a figure is never read without what counted as the same answer (when not METRICS.md §2's key)
  const by = p.comparison && p.comparison !== "exact" ? ` by ${p.comparison.replace(/^semantic \(judge .*\)$/, "meaning")}` : "";
  return `${p.classes}${share}${by}`;
}

/**
 * The headline cell: the estimate with its interval, or with the caveat when there are too few
 * reruns for one (METRICS.md §7: never a bare number); "—" with no error to split.
 */
export function headlineCell(f: HeadlineFigure, st: Style): string {
  const text = headlineText(f, 3);
  return text === null ? st.dim("—") : colourIncoherence(f.estimate, text, st);
}

/** "≈ 40 more reruns", "under ±0.05 now", "over 10,000 more reruns", or "—" (the column header says what for). */
function rerunsCell(p: PromptAnalysis, st: Style): string {
  const text = rerunsText(p.reruns, p.brier?.estimate ?? null);
  if (text === null) return st.dim("—");
  if (p.reruns!.more === 0) return st.green(`under ${TARGET_TEXT} now`);
  return text.replace(` to get the interval under ${TARGET_TEXT}`, "");
}

/** The fork: an agent prompt's fork action (from 1, with its cause), else the aligned column of §9. */
function forkCell(p: PromptAnalysis): string {
  if (p.agent) return p.agent.forkAction === null ? "—" : `action ${p.agent.forkAction + 1}${p.agent.forkCause ? ` (${p.agent.forkCause.kind})` : ""}`;
  return p.forkColumn === null ? "—" : `col ${p.forkColumn}`;
}

function promptRow(p: PromptAnalysis, st: Style): string[] {
  const fork = forkCell(p);
  if (!p.brier) {
    return [truncate(p.id, 28), String(p.n), answersCell(p), "—", "—", "—", st.dim(`no target · disagreement ${fmt(p.disagreement)}`), "—", fork];
  }
  const b = p.brier;
  return [truncate(p.id, 28), String(p.n), answersCell(p), fmt(b.bias2), fmt(b.variance), fmt(b.error), headlineCell({ ...b, caveat: p.caveat }, st), rerunsCell(p, st), fork];
}

const MAX_FORKS = 10;

/** Said under the table whenever a prompt's runs come from the simulated reasoner: nobody may take them for a model's. */
function simulatedNote(a: Analysis, st: Style): string[] {
  const n = a.prompts.filter((p) => p.model === SIMULATED_MODEL).length;
  if (n === 0) return [];
  const which = n === a.prompts.length ? "These runs" : `The runs of ${n} prompt${n === 1 ? "" : "s"} (model ${SIMULATED_MODEL})`;
  return [
    st.yellow(`Simulated: ${which} come from the offline simulated reasoner; no model was called and its answers are made up.`),
    st.dim("Set ANTHROPIC_API_KEY or OPENAI_API_KEY (or --provider openai --base-url URL for a local model) to rerun on a real model."),
  ];
}

/** "0.63 [0.24–0.91]": a pass^k figure with its interval (two decimals: they are chances), "—" past n. */
function passCell(x: number[] | null, ci: Interval[] | null, k: number): string {
  const v = x?.[k - 1];
  const c = ci?.[k - 1];
  return v === undefined || !c ? "—" : `${fmt(v, 2)} [${fmt(c[0], 2)}–${fmt(c[1], 2)}]`;
}

/** pass^1, pass^3, pass^n and pass@3 at k = n (one row), with their intervals. */
function passCells(f: Pick<PromptAnalysis, "passHatK" | "passAtK" | "passHatKCi95" | "passAtKCi95">, n: number): string[] {
  return [passCell(f.passHatK, f.passHatKCi95, 1), passCell(f.passHatK, f.passHatKCi95, 3), passCell(f.passHatK, f.passHatKCi95, n), passCell(f.passAtK, f.passAtKCi95, 3)];
}

/**
 * The reliability section (METRICS.md §7b): for each prompt with a target pass^1, pass^3, pass^n
 * and pass@3 with their 95% intervals, then the pool, whose pass^n column is at the smallest n
 * of those prompts (the largest k every one of them enters). Nothing without a target.
 */
export function reliabilityLines(a: Analysis, st: Style = NO_STYLE): string[] {
  const P = a.pooled;
  if (!P.passHatK || !P.passKPrompts) return [];
  const rows = a.prompts.filter((p) => p.passHatK).map((p) => [truncate(p.id, 28), String(p.n), ...passCells(p, p.n)]);
  const all = P.passKPrompts[0]!;
  const k = P.passKPrompts.filter((m) => m === all).length;
  rows.push([st.bold("pooled"), String(k), ...passCells(P, k)]);
  return [
    "",
    st.bold("Reliability") + st.dim(" (pass^k: k fresh reruns all right · pass@k: at least one of k right · 95% CI)"),
    ...layout(["prompt", "n", "pass^1", "pass^3", "pass^n", "pass@3"], rows, new Set([1]), st).map((l) => "  " + l),
    ...(all > 1 && a.prompts.some((p) => p.passHatK && p.n !== k) ? [st.dim(`  pooled: the mean over the ${all} prompts with a target; its pass^n is at k = ${k}, their smallest n (every k in --json)`)] : []),
  ];
}

/** The header of the per-prompt table's reruns column: its cells say how many more. */
export const RERUNS_HEADER = `to get the CI under ${TARGET_TEXT}`;

/** One row per prompt (n, answer classes, the decomposition, the headline, the reruns projection, the fork), and the simulated note under it. */
export function promptTable(a: Analysis, st: Style = NO_STYLE): string[] {
  const header = ["prompt", "n", "answers", "bias²", "variance", "error", "incoherence [95% CI]", RERUNS_HEADER, "fork"];
  return [...layout(header, a.prompts.map((p) => promptRow(p, st)), new Set([1, 3, 4, 5]), st), ...simulatedNote(a, st)];
}

const MAX_VOTES = 10;

/**
 * The paper's ensembling (METRICS.md §7): per prompt with a target, the incoherence and accuracy
 * of a majority vote over 1, 3, 5 and 10 reruns, and whether self-consistency would fix it.
 */
export function ensembleLines(a: Analysis, st: Style = NO_STYLE): string[] {
  const voted = a.prompts.filter((p) => p.ensemble && p.ensemble.length > 0);
  if (voted.length === 0) return [];
  const shown = voted.slice(0, MAX_VOTES);
  const out = ["", st.bold("Majority vote") + st.dim(" (projected from each prompt's answer shares: would self-consistency fix it?)")];
  for (const p of shown) out.push(`  ${truncate(p.id, 28)}: ${ensembleText(p.ensemble)} ${st.dim(`· ${ensembleVerdict(p.ensemble)}`)}`);
  if (voted.length > shown.length) out.push(st.dim(`  … and ${voted.length - shown.length} more prompts (all in --json)`));
  return out;
}

/**
 * Keys cut to `width` so that they still differ on screen: two calls of one tool whose arguments
 * part late (a flight number deep in a list) show the call's name, then "…" and the part from
 * a little before where they differ.
 */
export function whereTheyDiffer(keys: string[], width: number): string[] {
  const plain = keys.map((k) => truncate(k, width));
  if (new Set(plain).size === new Set(keys).size) return plain;
  let common = 0;
  while (keys.every((k) => common < k.length && k[common] === keys[0]![common])) common++;
  return keys.map((k) => {
    const name = /^[^{[("]*/.exec(k)![0];
    const from = Math.max(name.length, common - 12);
    return truncate(from > name.length ? `${name}…${k.slice(from)}` : k, width);
  });
}

const MAX_AGENT_PROMPTS = 12;

const MAX_ACTION_GROUPS = 3;

/**
 * Agent trajectories (METRICS.md §11): per prompt, the tool calls per run, and where the runs'
 * actions part: the fork action (1-based, as people count), why (the policy chose differently
 * in the same context, or the environment said something else just before), and what the runs
 * did there, largest group first.
 */
export function agentLines(a: Analysis, st: Style = NO_STYLE, maxGroups = MAX_ACTION_GROUPS): string[] {
  const agents = a.prompts.filter((p) => p.agent);
  if (agents.length === 0) return [];
  const out = ["", st.bold("Agent trajectories") + st.dim(" (actions are tool calls; the fork action is the first where the runs' calls differ)")];
  for (const p of agents.slice(0, MAX_AGENT_PROMPTS)) {
    const ag = p.agent!;
    const calls = ag.toolCalls;
    const range = calls.length === 0 ? "0" : Math.min(...calls) === Math.max(...calls) ? String(calls[0]) : `${Math.min(...calls)}–${Math.max(...calls)}`;
    const head = `  ${truncate(p.id, 28)}: ${range} tool call${range === "1" ? "" : "s"} a run · `;
    if (ag.forkAction === null) {
      out.push(head + "every run took the same actions");
      continue;
    }
    const cause = ag.forkCause ? ` · ${ag.forkCause.kind === "policy" ? "the policy" : "the environment"}: ${truncate(ag.forkCause.detail, 90)}` : "";
    out.push(head + `the runs part at action ${ag.forkAction + 1}${cause}`);
    const groups = (ag.forkActions ?? []).slice(0, maxGroups);
    const shown = whereTheyDiffer(groups.map((g) => g.key), 90);
    groups.forEach((g, i) => out.push(`    ${String(g.count).padStart(4)} run${g.count === 1 ? " " : "s"}  ${shown[i]}`));
    const rest = (ag.forkActions ?? []).length - maxGroups;
    if (rest > 0 && maxGroups > 0) out.push(st.dim(`         ${rest} more group${rest === 1 ? "" : "s"}`));
    const byTool = toolTally(ag.forkActions ?? []);
    if (maxGroups > 0 && byTool.length < (ag.forkActions ?? []).length) out.push(`         by tool: ${byTool.map(([name, n]) => `${n} ${name}`).join(" · ")}`);
  }
  if (agents.length > MAX_AGENT_PROMPTS) out.push(st.dim(`  … and ${agents.length - MAX_AGENT_PROMPTS} more prompts with trajectories (all in --json)`));
  return out;
}

/** Prints the whole table on standard output. */
export function printTable(a: Analysis, io: Io): void {
  io.stdout.write(renderTable(a, styleFor(io)).join("\n") + "\n");
}

/** The whole table as lines of text. */
export function renderTable(a: Analysis, st: Style = NO_STYLE): string[] {
  const out: string[] = [];
  out.push(...promptTable(a, st));
  out.push("");

  const P = a.pooled;
  out.push(st.bold(`Pooled over ${P.promptsWithTarget} of ${P.prompts} prompt${P.prompts === 1 ? "" : "s"} with a target`) + st.dim(" (Σ variance / Σ error)"));
  const rows: string[][] = [];
  for (const [name, d] of [
    ["brier", P.brier],
    ["binary", P.binary],
    ["kl", P.kl],
  ] as const) {
    if (!d) continue;
    rows.push([name, fmt(d.bias2), fmt(d.variance), fmt(d.error), headlineCell(d, st), fmt(d.incoherence)]);
  }
  if (rows.length > 0) {
    out.push(...layout(["", "bias²", "variance", "error", "incoherence [95% CI]", "plug-in"], rows, new Set([1, 2, 3, 5]), st).map((l) => "  " + l));
    out.push(st.dim("  incoherence: the estimate with its 95% interval (Brier and binary: finite-sample corrected; KL: the plug-in) · plug-in: Σ variance / Σ error as the paper computes it, biased low at small n"));
  } else {
    out.push(st.dim("  No prompt has a reference answer or correctness flags, so there is no incoherence:"));
    out.push(st.dim("  add `reference` (or `correct` flags) to the trace set to split error into bias and variance."));
  }
  if (P.disagreement !== null) out.push(`  disagreement ${fmt(P.disagreement)} · entropy ${fmt(P.entropy)} nats ${st.dim("(mean over prompts)")}`);

  out.push(...reliabilityLines(a, st));

  const L = P.lengthSplit;
  if (L) {
    out.push("");
    out.push(st.bold("Length split") + st.dim(" (each prompt's runs cut at the median trace length, then pooled)"));
    out.push(
      ...layout(
        ["half", "runs", "mean length", "incoherence [95% CI]"],
        [
          ["short", String(L.short.samples), fmt(L.short.meanLength, 0), headlineCell(L.short, st)],
          ["long", String(L.long.samples), fmt(L.long.meanLength, 0), headlineCell(L.long, st)],
        ],
        new Set([1, 2]),
        st,
      ).map((l) => "  " + l),
    );
    if (L.short.estimate !== null && L.long.estimate !== null) {
      const d = L.long.estimate - L.short.estimate;
      out.push(st.dim(`  long − short = ${d >= 0 ? "+" : ""}${fmt(d)}${d > 0 ? ": longer reasoning is the bigger hot mess" : ""}`));
    }
  }

  out.push(...ensembleLines(a, st));
  out.push(...agentLines(a, st));

  const forks = a.prompts.filter((p) => p.forkColumn !== null);
  if (forks.length > 0) {
    const shown = forks.slice(0, MAX_FORKS);
    out.push("");
    out.push(st.bold("Where the reruns fork") + st.dim(" (the first aligned step where at least two groups each hold a real share of the runs)"));
    for (const p of shown) out.push(...forkLines(p, st));
    if (forks.length > shown.length) out.push(st.dim(`  … and ${forks.length - shown.length} more prompts with a fork (all in --json)`));
  }

  const extracted = a.prompts.reduce((s, p) => s + p.extractedAnswers, 0);
  if (extracted > 0) {
    out.push("");
    out.push(st.dim(`Note: ${extracted} answer${extracted === 1 ? " was" : "s were"} extracted from the text (no "answer" field): last \\boxed{}, else an "Answer:" line, else the last number.`));
  }
  return out;
}
