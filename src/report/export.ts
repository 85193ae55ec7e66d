// Exports of an analysis: JSON (`hotmess.analysis/1` plus the raw traces), CSV (one row per
// prompt × run × aligned column), Markdown (a summary for a pull request) and the self-contained
// HTML view. Pure functions (no file system): the CLI (`hotmess export`) and the editor call them.
//
// Model text, ids and answers are untrusted. Every string an export writes goes through
// redactSecrets first (defence in depth: keys never reach a run file, but a trace can still
// quote one), then through the escaping its format needs: CSV quoting and a guard against
// spreadsheet formulas, Markdown code spans, and the HTML report's own escaping.
import { forkGroups } from "../core/align";
import { SIMULATED_MODEL } from "../core/lead";
import { summaryKs } from "../core/reliability";
import { samplesByIndex, type ParsedRun } from "../core/runfile";
import { decidingBasis, decidingSteps, sideWords, type DecidingSide } from "../core/deciding";
import { classLabel } from "../core/label";
import type { Analysis, Decomposition, Interval, OptimizerAnalysis, Pooled, PromptAnalysis, PromptRecord } from "../core/types";
import { ensembleText, ensembleVerdict, headlineText, rerunsText } from "../core/headline";
import { renderReportHtml, type ReportAssets } from "./html";

export const EXPORT_SCHEMA = "hotmess.export/1";

// Secrets: one redaction for every output (src/core/redact.ts).
export { MIN_SECRET_LENGTH, REDACTED, redactDeep, redactSecrets } from "../core/redact";
import { redactDeep, redactor, redactSecrets } from "../core/redact";

export interface ExportOptions {
  /** Strings that must never appear in the export (the API keys in the environment). */
  secrets?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Traces

/** One rerun's raw trace; `index` is the run's index in the analysis (`prompts[i].runs[].index`: a run file's recorded index). */
export interface TraceRun {
  index: number;
  text: string | null;
  thinking: string | null;
}

/** The raw traces of one prompt; `traces[i]` belongs to `analysis.prompts[i]`. */
export interface PromptTraces {
  prompt: string;
  runs: TraceRun[];
}

/** The raw traces of trace-set records, in the order the analysis saw them. */
export function tracesFromRecords(records: readonly PromptRecord[]): PromptTraces[] {
  return records.map((r) => ({
    prompt: r.id,
    runs: r.samples.map((s, position) => ({ index: s.index ?? position, text: s.text ?? null, thinking: s.thinking ?? null })),
  }));
}

/**
 * The raw traces of run files, as analyzeRuns sees them: runs without a finished sample left
 * out, samples by their recorded index. A run file's empty `thinking` means none.
 */
export function tracesFromRuns(runs: readonly ParsedRun[]): PromptTraces[] {
  return runs
    .filter((r) => r.samples.length > 0)
    .map((r) => ({
      prompt: r.header.id,
      runs: samplesByIndex(r.samples).map((s) => ({ index: s.index, text: s.text, thinking: s.thinking ? s.thinking : null })),
    }));
}

// ---------------------------------------------------------------------------------------------
// JSON

export interface JsonExportOptions extends ExportOptions {
  /** When the export was made (ISO 8601); now by default. */
  createdAt?: string;
  /** What made it; the analysis's generator by default. */
  tool?: { name: string; version: string };
}

export type ExportDocument = Analysis & {
  export: { schema: typeof EXPORT_SCHEMA; createdAt: string; tool: { name: string; version: string } };
  traces: PromptTraces[];
};

/**
 * The analysis document with the raw traces that produced it. `schema` stays
 * `hotmess.analysis/1`, so every reader of that format reads an export; `export` says what it
 * is, and `traces[i]` holds the runs of `prompts[i]`. Every string is redacted.
 */
export function exportDocument(analysis: Analysis, traces: readonly PromptTraces[], opts: JsonExportOptions = {}): ExportDocument {
  const { schema, ...rest } = analysis;
  const doc = {
    schema,
    export: { schema: EXPORT_SCHEMA, createdAt: opts.createdAt ?? new Date().toISOString(), tool: opts.tool ?? analysis.generator },
    ...rest,
    traces,
  };
  return redactDeep(doc, opts.secrets) as ExportDocument;
}

/** The JSON export as text (one line and a newline, like `analyze --json`). */
export function exportJson(analysis: Analysis, traces: readonly PromptTraces[], opts: JsonExportOptions = {}): string {
  return JSON.stringify(exportDocument(analysis, traces, opts)) + "\n";
}

// ---------------------------------------------------------------------------------------------
// CSV

export const CSV_HEADER = [
  ...["prompt", "run", "column", "step", "group", "divergence", "is_fork_column", "answer_key", "correct", "step_text"],
  ...["k", "pass_hat_k", "pass_hat_k_low", "pass_hat_k_high", "pass_at_k", "pass_at_k_low", "pass_at_k_high"],
  ...["estimate", "ci_low", "ci_high", "more_reruns"],
] as const;

/**
 * The headline columns of a row (METRICS.md §7): the prompt's (or, on the pooled rows, the
 * pool's) Brier estimate and its 95% interval, and the reruns projected to bring the interval
 * under ±0.05; empty where there is none (no target, no error to split, n < 5 for the interval,
 * "more than 10,000" for more_reruns).
 */
function headlineFields(b: Pick<Decomposition, "estimate" | "ci95"> | null, reruns: PromptAnalysis["reruns"] | null): string[] {
  const num = (x: number | null | undefined) => (x === null || x === undefined ? "" : String(x));
  return [num(b?.estimate), num(b?.ci95?.[0]), num(b?.ci95?.[1]), num(b?.estimate === null ? null : reruns?.more)];
}

/** The figures of METRICS.md §7b, as a prompt and the pool both carry them. */
type PassK = Pick<Pooled, "passHatK" | "passAtK" | "passHatKCi95" | "passAtKCi95">;

/**
 * The pass^k rows of one prompt (or of the pool, with an empty prompt): one per k = 1..n, the
 * step fields empty. Numbers as in the JSON, unrounded.
 */
function passKRows(prompt: string, f: PassK, headline: string[]): string[][] {
  if (!f.passHatK || !f.passAtK || !f.passHatKCi95 || !f.passAtKCi95) return [];
  const empty = new Array<string>(9).fill("");
  return f.passHatK.map((hat, i) => {
    const [hatLo, hatHi] = f.passHatKCi95![i]!;
    const [atLo, atHi] = f.passAtKCi95![i]!;
    return [prompt, ...empty, String(i + 1), ...[hat, hatLo, hatHi, f.passAtK![i]!, atLo, atHi].map(String), ...headline];
  });
}

/** A plain number ("-3", "+2.5", "1e-4"): a spreadsheet reads it as a number, never as a formula. */
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The guard against CSV formula injection (OWASP): a text field that starts with `=`, `+`, `-`,
 * `@`, a tab or a carriage return could run as a formula when the file is opened in a
 * spreadsheet, so it gets a leading `'` (which spreadsheets show as text). A plain number
 * ("-3") is left alone: it cannot be a formula. Readers that want the original text drop one
 * leading `'` from a text field that starts with `'` followed by one of those characters.
 */
export function guardFormula(s: string): string {
  return /^[=+\-@\t\r]/.test(s) && !PLAIN_NUMBER.test(s) ? `'${s}` : s;
}

/** One RFC 4180 field: quoted when it holds `"`, `,`, CR or LF, with quotes doubled. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * RFC 4180 CSV with a header row and CRLF line ends: one row per prompt × run × aligned column
 * (Σ over prompts of n × columns rows), in prompt, run, column order. `step` is the index into
 * the run's steps, empty for a gap (the run has no step in that column), as are `group` and
 * `step_text`; `column`, `run`, `step` and `group` count from 0 as in the JSON. `correct` is
 * empty when the prompt has no target, `answer_key` when the run gave no answer. Text fields
 * (prompt, answer_key, step_text) are redacted and guarded against formulas (guardFormula).
 *
 * Then the reliability rows (METRICS.md §7b), told apart by a non-empty `k` (empty on every row
 * above): for each prompt with a target one row per k = 1..n with pass^k, pass@k and their 95%
 * intervals, and last the pooled ones with an empty `prompt` (a prompt id is never empty).
 *
 * Every row ends with its prompt's headline (headlineFields): `estimate`, `ci_low`, `ci_high`
 * and `more_reruns`; the pooled rows carry the pool's estimate and interval.
 */
export function exportCsv(analysis: Analysis, opts: ExportOptions = {}): string {
  const redact = redactor(opts.secrets ?? []);
  const text = (s: string | null) => (s === null ? "" : csvField(guardFormula(redact.text(s))));
  const lines: string[] = [CSV_HEADER.join(",")];
  for (const p of analysis.prompts) {
    const id = text(p.id);
    const headline = headlineFields(p.brier, p.reruns);
    p.runs.forEach((run, k) => {
      const answer = text(run.answerKey);
      const correct = run.correct === null ? "" : String(run.correct);
      p.columns.forEach((col, j) => {
        // cells are in run order (run.index is the run's recorded number, which may have gaps)
        const cell = col.cells[k];
        const step = cell?.step ?? null;
        const stepText = step === null ? null : (run.steps[step]?.text ?? null);
        lines.push(
          [
            id,
            String(run.index),
            String(j),
            step === null ? "" : String(step),
            cell?.group === null || cell?.group === undefined ? "" : String(cell.group),
            cell ? String(cell.divergence) : "",
            String(p.forkColumn === j),
            answer,
            correct,
            text(stepText),
            ...new Array<string>(7).fill(""),
            ...headline,
          ].join(","),
        );
      });
    });
  }
  for (const p of analysis.prompts) for (const row of passKRows(text(p.id), p, headlineFields(p.brier, p.reruns))) lines.push(row.join(","));
  for (const row of passKRows("", analysis.pooled, headlineFields(analysis.pooled.brier, null))) lines.push(row.join(","));
  return lines.join("\r\n") + "\r\n";
}

// ---------------------------------------------------------------------------------------------
// Markdown

/** What a run was made with, for the Markdown export's line under a prompt (from its run file's header). */
export interface RunSettings {
  /** The prompt id it is the run of. */
  id: string;
  provider: string;
  model: string;
  parameters: { n: number; maxTokens: number; temperature?: number; thinking: { type: string; budgetTokens?: number } };
  system?: string;
}

export interface MarkdownOptions extends ExportOptions {
  /** The runs' settings (run files' headers), shown under their prompts: provider, parameters, the system prompt folded. */
  runs?: readonly RunSettings[];
  /** The HTML report beside it (a relative link), named at the top: "the whole comparison view". */
  reportLink?: string;
  /** Example traces per prompt, one per answer class (default 4; 0: none). */
  maxExamples?: number;
  /** Step texts longer than this (in characters) are cut with "…" (default 100). */
  maxStepText?: number;
  /** Answer classes listed per prompt before "…" (default 5). */
  maxAnswers?: number;
  /** Groups listed at a fork (default 5). */
  maxGroups?: number;
}

const CUT_PROMPT = 160;

function cut(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : chars.slice(0, Math.max(1, max - 1)).join("").trimEnd() + "…";
}

/**
 * Untrusted text (model output, ids, answers) as an inline Markdown code span. Inside a code
 * span nothing is Markdown: no emphasis (`*`, `_`), no link (`[x](y)`, `<http://…>`, bare URLs
 * that GitHub would link), no raw HTML (`<script>`), no entity, and on GitHub no @mention or
 * #123 reference either; backslash escapes would not stop the last two. Line breaks become
 * spaces, control and bidi-override characters go, the fence is one backtick longer than the
 * longest run of backticks in the text, and in a table cell `|` is written `\|` (GFM splits
 * cells before it reads code spans, and turns `\|` back into `|`).
 */
export function mdCode(text: string, opts: { table?: boolean; max?: number } = {}): string {
  let s = text
    .replace(/\s+/g, " ")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "")
    .trim();
  if (opts.max !== undefined) s = cut(s, opts.max);
  if (s === "") return "*(empty)*";
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  const pad = s.startsWith("`") || s.endsWith("`") ? " " : "";
  if (opts.table) s = s.replace(/\|/g, "\\|");
  return `${fence}${pad}${s}${pad}${fence}`;
}

function fmt(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || Number.isNaN(x) ? "—" : x.toFixed(digits);
}

function fmtCi(x: number | null, ci: Interval | null): string {
  return ci ? `${fmt(x)} [${fmt(ci[0])}–${fmt(ci[1])}]` : fmt(x);
}

/** A small number for a per-step table: fixed when it reads well, else 3 significant digits. */
function sci(x: number | null): string {
  if (x === null) return "—";
  if (x === 0) return "0";
  return Math.abs(x) >= 0.001 && Math.abs(x) < 1000 ? x.toFixed(4) : x.toPrecision(3);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function table(header: string[], align: ("l" | "r")[], rows: string[][]): string[] {
  return [`| ${header.join(" | ")} |`, `| ${align.map((a) => (a === "r" ? "---:" : "---")).join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
}

function promptLine(p: PromptAnalysis, code: (s: string, o?: { table?: boolean; max?: number }) => string): string {
  const parts = [`**n = ${p.n}**`];
  if (p.model) parts.push(`model ${code(p.model)}${p.model === SIMULATED_MODEL ? " (simulated: no model was called, the answers are made up)" : ""}`);
  const b = p.brier;
  if (b) {
    const head = headlineText({ ...b, caveat: p.caveat }, 3);
    parts.push(head === null ? "**incoherence —** (no error to split)" : `**incoherence ${head}**`);
    parts.push(`bias² ${fmt(b.bias2)}`, `variance ${fmt(b.variance)}`, `error ${fmt(b.error)}`, `plug-in ${fmt(b.incoherence)}`);
  } else {
    parts.push(`no target: **disagreement ${fmt(p.disagreement)}**`, `entropy ${fmt(p.entropy)} nats`);
  }
  return parts.join(" · ");
}

/** pass^k and pass@k with their intervals at the summary's k's (the JSON and CSV have every k). */
function passKTable(f: PassK, prompts: number[] | null): string[] {
  if (!f.passHatK || !f.passAtK || !f.passHatKCi95 || !f.passAtKCi95) return [];
  const ks = summaryKs(f.passHatK.length);
  const header = ["k", ...(prompts ? ["prompts"] : []), "pass^k [95% CI]", "pass@k [95% CI]"];
  const rows = ks.map((k) => [String(k), ...(prompts ? [String(prompts[k - 1])] : []), fmtCi(f.passHatK![k - 1]!, f.passHatKCi95![k - 1]!), fmtCi(f.passAtK![k - 1]!, f.passAtKCi95![k - 1]!)]);
  return [
    "**Reliability**: pass^k is the chance that k fresh reruns are all right, pass@k that at least one of k is (unbiased estimates, 95% intervals).",
    "",
    ...table(header, prompts ? ["r", "r", "l", "l"] : ["r", "l", "l"], rows),
  ];
}

function answerTable(p: PromptAnalysis, maxAnswers: number, code: (s: string, o?: { table?: boolean; max?: number }) => string): string[] {
  const classes = p.answers.filter((a) => a.count > 0 || a.reference).sort((a, b) => b.count - a.count || Number(b.reference) - Number(a.reference));
  const share = (c: number) => `${Math.round((100 * c) / Math.max(1, p.n))}%`;
  const rows = classes.slice(0, maxAnswers).map((a) => [`${a.key === null ? "*(no answer)*" : code(classLabel(a), { table: true, max: 60 })}${a.reference ? " ✓" : ""}`, String(a.count), share(a.count)]);
  const rest = classes.slice(maxAnswers);
  if (rest.length > 0) {
    const c = rest.reduce((s, a) => s + a.count, 0);
    rows.push([`… ${plural(rest.length, "more class", "more classes")}`, String(c), share(c)]);
  }
  const by = p.comparison && p.comparison !== "exact" ? [`Answer classes by ${code(p.comparison)}${p.extraction ? `, answers extracted by ${code(p.extraction)}` : ""}.`, ``] : [];
  return [...by, ...table(["answer", "runs", "share"], ["l", "r", "r"], rows)];
}

/** A fenced block that no backtick run in `text` can close. */
function fenced(text: string): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return [`${fence}text`, text, fence];
}

/** The run's settings in one line, and its system prompt folded (model text: code span, fence). */
function settingsLines(r: RunSettings, code: (s: string, o?: { table?: boolean; max?: number }) => string, redact: (s: string) => string): string[] {
  const t = r.parameters.thinking;
  const thinking = t.type === "none" ? "no thinking" : t.type === "budget" ? `thinking budget ${t.budgetTokens ?? "?"} tokens` : `thinking ${t.type}`;
  const line = `Run with ${code(r.model, { max: 60 })} (${code(r.provider, { max: 20 })}) · ${r.parameters.n} reruns · max ${r.parameters.maxTokens} tokens · ${r.parameters.temperature === undefined ? "default temperature" : `temperature ${r.parameters.temperature}`} · ${thinking}`;
  if (!r.system) return [line];
  return [line, "", `<details><summary>system prompt (${Array.from(r.system).length} characters)</summary>`, "", ...fenced(redact(r.system)), "", "</details>"];
}

/**
 * One example trace per answer class, folded (<details>): the run that keeps to the class's path
 * most (decidingSteps' representative), its steps as the view aligned them, cut to 40 lines and
 * 3,000 characters; model text in a fence it cannot close, the class in a code span.
 */
function exampleTraces(p: PromptAnalysis, max: number, redact: (s: string) => string, code: (s: string, o?: { table?: boolean; max?: number }) => string): string[] {
  if (max <= 0 || p.optimizer) return [];
  const reps = decidingSteps(p).slice(0, max);
  if (reps.length === 0) return [];
  const out: string[] = ["**An example trace per class** (the run that keeps to its class's path most):", ""];
  for (const d of reps) {
    const run = p.runs.find((r) => r.index === d.representative);
    if (!run) continue;
    const a = p.answers[d.cls]!;
    let text = redact(run.steps.map((st) => st.text).join("\n"));
    const lines = text.split("\n");
    if (lines.length > 40) text = [...lines.slice(0, 40), `… ${lines.length - 40} more lines`].join("\n");
    if (text.length > 3000) text = text.slice(0, 2999) + "…";
    // the class in a code span (model text: no HTML, link or emphasis), the only HTML our own tags
    const name = a.key === null ? "(no answer)" : code(classLabel(a), { max: 60 });
    out.push(`<details><summary>run #${run.index}: ${name}${a.reference ? " ✓" : ""} (${plural(d.runs.length, "run")})</summary>`, "", ...fenced(text), "", "</details>", "");
  }
  return out;
}

/** "Why the runs disagree": each class's deciding step beside the path it left (src/core/deciding.ts). */
function decidingBlock(p: PromptAnalysis, o: Required<Pick<MarkdownOptions, "maxStepText">>, code: (s: string, o?: { table?: boolean; max?: number }) => string): string[] {
  const ds = decidingSteps(p);
  if (ds.length === 0) return [];
  const against = { reference: "each class against the reference class's path", unreached: "each class against the largest class's path (no run reached the reference)", none: "each class against the largest class's path (no reference: the majority is not necessarily right)" }[decidingBasis(p)];
  const lines = [`**Why the runs disagree** (${against}):`, ""];
  const side = (sd: DecidingSide) => sideWords(sd, (t) => code(t, { max: o.maxStepText }));
  for (const d of ds) {
    const a = p.answers[d.cls]!;
    const name = a.key === null ? "(no answer)" : code(classLabel(a), { max: 40 });
    lines.push(`- ${name}${a.reference ? " ✓" : ""} (${plural(d.runs.length, "run")}; run #${d.representative} shows it): ${d.column === null ? "the same steps as the class it is compared with; only the answer differs" : `at column ${d.column}, ${side(d.self)}; ${side(d.other)}`}`);
  }
  return lines;
}

function forkBlock(p: PromptAnalysis, o: Required<Pick<MarkdownOptions, "maxStepText" | "maxGroups">>, code: (s: string, o?: { table?: boolean; max?: number }) => string): string[] {
  const fork = forkGroups(p);
  if (!fork) return ["No fork: no aligned step where two groups each hold a real share of the runs."];
  const lines = [`**Fork** at column ${fork.column} of ${fork.columns} (the first aligned step where the reruns split):`, ""];
  for (const g of fork.groups.slice(0, o.maxGroups)) lines.push(`- ${plural(g.count, "run")}: ${code(g.text, { max: o.maxStepText })}`);
  const rest = fork.groups.slice(o.maxGroups);
  if (rest.length > 0) lines.push(`- … ${plural(rest.length, "more group")} (${plural(rest.reduce((s, g) => s + g.count, 0), "run")})`);
  if (fork.gaps > 0) lines.push(`- ${plural(fork.gaps, "run")} without this step`);
  return lines;
}

/**
 * An agent prompt's actions (METRICS.md §11): tool calls a run, and the fork action counted from
 * 1 with why the runs parted there and the call each group made at it (its first differing call).
 */
function agentBlock(p: PromptAnalysis, o: Required<Pick<MarkdownOptions, "maxStepText" | "maxGroups">>, code: (s: string, o?: { table?: boolean; max?: number }) => string): string[] {
  const ag = p.agent;
  if (!ag) return [];
  const lo = ag.toolCalls.length > 0 ? Math.min(...ag.toolCalls) : 0;
  const hi = ag.toolCalls.length > 0 ? Math.max(...ag.toolCalls) : 0;
  const calls = `${lo === hi ? lo : `${lo}–${hi}`} tool call${hi === 1 ? "" : "s"} a run`;
  if (ag.forkAction === null) return [`**Actions**: ${calls}; every run took the same actions.`];
  const cause = ag.forkCause ? ` Why: ${ag.forkCause.kind === "policy" ? "the policy" : "the environment"}, ${code(ag.forkCause.detail, { max: 3 * o.maxStepText })}.` : "";
  const lines = [`**Fork action** ${ag.forkAction + 1} (the first tool call where the runs differ; ${calls}).${cause}`, ""];
  const groups = ag.forkActions ?? [];
  for (const g of groups.slice(0, o.maxGroups)) lines.push(`- ${plural(g.count, "run")}: ${code(g.key, { max: 2 * o.maxStepText })}`);
  const rest = groups.slice(o.maxGroups);
  if (rest.length > 0) lines.push(`- … ${plural(rest.length, "more group")} (${plural(rest.reduce((s, g) => s + g.count, 0), "run")})`);
  return lines;
}

function optimizerBlock(o: OptimizerAnalysis): string[] {
  const s = o.spec;
  const n = o.iterates.length;
  const rule = s.rule === "gd" ? `gradient descent, η = ${s.eta}` : `fixed-norm steepest descent, step ${s.stepNorm}`;
  const kappa = s.conditionNumber ? s.conditionNumber.toFixed(1) : String(s.kappa);
  const head = `**Per step** (optimizer emulation${s.difficulty ? `, ${String(s.difficulty).replace(/[^A-Za-z0-9 -]/g, "")}` : ""}: d = ${s.d}, κ = ${kappa}, ${rule}, K = ${s.K}; error of each iterate against the true trajectory):`;
  const rows = o.steps.map((x) => [String(x.k), `${x.reached}/${n}`, sci(x.bias2), sci(x.variance), sci(x.error), fmtCi(x.incoherence, x.ci95)]);
  return [head, "", ...table(["k", "reached", "bias²", "variance", "error", "incoherence [95% CI]"], ["r", "r", "r", "r", "r", "l"], rows)];
}

/**
 * A Markdown summary to paste in a pull request: a title; per prompt its figures (n, model,
 * incoherence with its interval or, with no target, disagreement; bias², variance, error), its
 * answer classes (the largest few), the groups at its fork column, for agent trajectories the
 * fork action with its cause and each group's call there, and, for optimizer-benchmark prompts,
 * the per-step table; then the pooled figures and the length split. Every untrusted
 * string is redacted and written as a code span (mdCode), so a trace cannot add formatting,
 * links, mentions or HTML, or break a table; long step texts are cut.
 */
export function exportMarkdown(analysis: Analysis, opts: MarkdownOptions = {}): string {
  const redact = redactor(opts.secrets ?? []);
  const code = (s: string, o: { table?: boolean; max?: number } = {}) => mdCode(redact.text(s), o);
  const limits = { maxStepText: opts.maxStepText ?? 100, maxGroups: opts.maxGroups ?? 5 };
  const maxAnswers = opts.maxAnswers ?? 5;
  const ps = analysis.prompts;
  const out: string[] = [];
  out.push(`# Hot Mess Inspector: ${ps.length === 1 ? code(ps[0]!.id, { max: 80 }) : plural(ps.length, "prompt")}`, "");
  // a relative file name only (it is put in a link): no scheme, no parent folders
  if (opts.reportLink && /^[\w.\- ]+\.html$/.test(opts.reportLink)) out.push(`The whole comparison view (traces side by side, the heatmap): [${opts.reportLink}](${encodeURI(opts.reportLink)}).`, "");
  const gen = analysis.generator ? `${analysis.generator.name} ${analysis.generator.version}` : "hotmess";
  const opt = analysis.options;
  out.push(
    `*Incoherence* is the share of the error that comes from variance across reruns (Brier): 0 when every rerun makes the same mistake, near 1 when they scatter. ` +
      `The incoherence shown is an estimate corrected for the few reruns (the plug-in is biased low) with its 95% interval${opt ? ` (${opt.resamples} draws, seed ${opt.seed})` : ""}; below 5 reruns a caveat stands in the interval's place. Made with ${gen.replace(/[^A-Za-z0-9 .+-]/g, "")}.`,
    "",
  );

  for (const p of ps) {
    out.push(`## ${code(p.id, { max: 80 })}`, "");
    if (p.prompt) out.push(`Prompt: ${code(p.prompt, { max: CUT_PROMPT })}`, "");
    const made = opts.runs?.find((r) => r.id === p.id);
    if (made) out.push(...settingsLines(made, code, redact.text), "");
    out.push(promptLine(p, code), "");
    const why = decidingBlock(p, limits, code);
    if (why.length) out.push(...why, "");
    const examples = exampleTraces(p, opts.maxExamples ?? 4, redact.text, code);
    if (examples.length) out.push(...examples, "");
    const more = rerunsText(p.reruns, p.brier?.estimate ?? null);
    const vote = ensembleText(p.ensemble);
    if (more || vote) out.push([more ? `${more[0]!.toUpperCase()}${more.slice(1)}.` : "", vote ? `Majority vote: ${vote}: ${ensembleVerdict(p.ensemble)}.` : ""].filter(Boolean).join(" "), "");
    out.push(...answerTable(p, maxAnswers, code), "");
    if (p.passHatK) out.push(...passKTable(p, null), "");
    out.push(...forkBlock(p, limits, code), "");
    if (p.agent) out.push(...agentBlock(p, limits, code), "");
    if (p.optimizer) out.push(...optimizerBlock(p.optimizer), "");
  }

  const P = analysis.pooled;
  out.push(`## Pooled over ${P.promptsWithTarget} of ${plural(P.prompts, "prompt")} with a target`, "");
  const rows: string[][] = [];
  for (const [name, d] of [
    ["brier", P.brier],
    ["binary", P.binary],
    ["kl", P.kl],
  ] as const)
    if (d) rows.push([name, fmt(d.bias2), fmt(d.variance), fmt(d.error), fmtCi(d.estimate, d.ci95), fmt(d.incoherence)]);
  if (rows.length > 0)
    out.push(
      "Σ variance / Σ error over the prompts: the estimate (Brier and binary finite-sample corrected, KL the plug-in) with its 95% interval, and the plug-in as the paper computes it.",
      "",
      ...table(["", "bias²", "variance", "error", "incoherence [95% CI]", "plug-in"], ["l", "r", "r", "r", "l", "r"], rows),
      "",
    );
  else out.push("No prompt has a reference answer or correctness flags, so there is no incoherence (only disagreement).", "");
  if (P.disagreement !== null) out.push(`Disagreement ${fmt(P.disagreement)} · entropy ${fmt(P.entropy)} nats (mean over prompts).`, "");
  // for each k, the mean over the prompts with n ≥ k (their number in the prompts column)
  if (P.passHatK) out.push(...passKTable(P, P.passKPrompts), "");

  const L = P.lengthSplit;
  if (L) {
    out.push("## Length split", "", "Each prompt's runs cut at the median trace length, then pooled.", "");
    out.push(
      ...table(
        ["half", "runs", "mean length", "incoherence [95% CI]"],
        ["l", "r", "r", "l"],
        [
          ["short", String(L.short.samples), fmt(L.short.meanLength, 0), fmtCi(L.short.estimate, L.short.ci95)],
          ["long", String(L.long.samples), fmt(L.long.meanLength, 0), fmtCi(L.long.estimate, L.long.ci95)],
        ],
      ),
      "",
    );
    if (L.short.estimate !== null && L.long.estimate !== null) {
      const d = L.long.estimate - L.short.estimate;
      out.push(`long − short = ${d >= 0 ? "+" : ""}${fmt(d)}${d > 0 ? ": longer reasoning is the bigger hot mess" : ""}.`, "");
    }
  }
  if (analysis.skipped.length > 0) out.push(`*${plural(analysis.skipped.length, "input line or sample", "input lines or samples")} skipped (named by \`hotmess analyze\`).*`, "");
  return out.join("\n").replace(/\n+$/, "\n");
}

// ---------------------------------------------------------------------------------------------
// HTML

export interface HtmlExportOptions extends ExportOptions, ReportAssets {
  title?: string;
  nonce?: string;
}

/** The self-contained comparison view (renderReportHtml) of the redacted analysis. */
export function exportHtml(analysis: Analysis, opts: HtmlExportOptions): string {
  const { secrets = [], title, nonce, webviewJs, css } = opts;
  return renderReportHtml(redactDeep(analysis, secrets), {
    webviewJs,
    css,
    ...(title !== undefined ? { title: redactSecrets(title, secrets) } : {}),
    ...(nonce !== undefined ? { nonce } : {}),
  });
}
