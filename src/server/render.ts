// What the editor shows for the prompts of a prompt file: code lenses, inlay hints, hovers and
// diagnostics, from the parsed prompts and the run each one is matched with. Pure: no I/O, no
// connection; every figure comes from a run's summary (the core's analysis), rounded here.
import { sideWords, type DecidingSide } from "../core/deciding";
import { basename } from "node:path";
import { CodeActionKind, DiagnosticSeverity, MarkupKind, type CodeAction, type CodeLens, type Diagnostic, type Hover, type InlayHint, type Range } from "vscode-languageserver/node";
import { ensembleText, ensembleVerdict, headlineText, rerunsText, SIMULATED_MODEL, type FilePrompt } from "../core";
import { Commands, commandLink, type CompareRunsArgs, type OpenRunFileArgs, type RerunPromptArgs } from "../protocol/lsp";
import { deltaWords, versionDelta } from "../core/compare";
import { mdCode } from "../report/export";
import type { RunEntry } from "./runindex";
import type { RunSummary } from "./summary";

/** A prompt of the document with its run. */
export interface PromptView {
  prompt: FilePrompt;
  /** The latest run of this prompt's previous version (the same place in the file, another text), for "since the previous version". */
  previous?: RunEntry | null;
  /** Reruns: the front matter's n, else the setting. */
  n: number;
  /** Its latest run: by hash, or (stale) by its position in the file when its text changed since. */
  run: RunEntry | null;
  stale: boolean;
}

export const SOURCE = "hotmess";

const f2 = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? "—" : x.toFixed(2));
const f3 = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? "—" : x.toFixed(3));
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * `incoherence 0.42 [0.31–0.55]` (the estimate and its interval), `incoherence 0.42 (n = 3: too
 * few reruns for an interval; 8+ recommended)`, or what stands for it when there is no
 * incoherence to show: never a number without its interval or its caveat (METRICS.md §7).
 */
export function figureText(s: RunSummary, decimals = 2): string {
  const b = s.brier;
  if (!b) return `disagreement ${(decimals === 2 ? f2 : f3)(s.disagreement)} (no reference)`;
  const text = headlineText(b, decimals);
  return text === null ? "incoherence — (no error to split)" : `incoherence ${text}`;
}

function progressText(s: RunSummary): string {
  return s.status === "unfinished" && s.n < s.planned ? ` · ${s.n} of ${s.planned} so far` : "";
}

/** A failed or partial run, in a few words (the state's counts): "✖ last run failed: 401 invalid x-api-key", "⚠ 5 of 8 finished, 1 failed, 2 not started: 429 …". */
function failureText(s: RunSummary): string | null {
  const f = s.failure;
  if (!f) return null;
  const why = f.reason ? `: ${f.reason}` : "";
  if (s.status === "failed") return `✖ last run failed${s.n > 0 ? ` (${f.brief})` : ""}${why}`;
  return `⚠ ${f.brief}${why}`;
}

/** What a prompt's run says in one line (after `▶ Rerun ×N · ` and in the inlay hint). */
function runText(v: PromptView, withAnswers: boolean): string | null {
  const run = v.run;
  if (!run) return null;
  // the simulated reasoner's figures are made up: they never show without saying so
  const stale = `${v.stale ? "⚠ stale · " : ""}${run.header.model === SIMULATED_MODEL ? "simulated · " : ""}`;
  if (run.summarizedAt === null) return `${stale}reading its last run…`;
  const s = run.summary;
  if (!s) return `${stale}its last run has no samples yet`;
  const failed = failureText(s);
  // no sample finished: the failure is all there is to say
  if (s.n === 0 && failed) return `${stale}${failed}`;
  return `${stale}${figureText(s)}${withAnswers ? ` · ${plural(s.classes, "answer")}` : ""}${progressText(s)}${failed ? ` · ${failed}` : ""}`;
}

function openRunCommand(file: string) {
  const args: OpenRunFileArgs = [file];
  return { title: "Open last run", command: Commands.openRunFile, arguments: args };
}

/**
 * `▶ Rerun ×8 · incoherence 0.42 [0.31–0.55] · 3 answers` above each prompt (`▶ Rerun next action
 * ×8 · …` above a conversation prompt: its runs sample the next assistant turn), and "Open last run".
 */
export function codeLenses(uri: string, views: readonly PromptView[]): CodeLens[] {
  const out: CodeLens[] = [];
  for (const v of views) {
    const line = v.prompt.range.start.line;
    const range: Range = { start: { line, character: 0 }, end: { line, character: 0 } };
    const text = runText(v, true);
    const args: RerunPromptArgs = [uri, v.prompt.index];
    const what = v.prompt.conversation ? "Rerun next action" : "Rerun";
    out.push({ range, command: { title: `▶ ${what} ×${v.n}${text ? ` · ${text}` : ""}`, command: Commands.rerunPrompt, arguments: args } });
    if (v.run) out.push({ range, command: openRunCommand(v.run.file) });
    const since = v.run && !v.stale && v.previous ? sinceText(v.previous, v.run) : null;
    if (since) out.push({ range, command: { title: since, command: Commands.compareRuns, arguments: [v.previous!.file, v.run!.file] satisfies CompareRunsArgs } });
  }
  return out;
}

const changes = new Map<string, string | null>();

/**
 * "Δ since the previous version: accuracy 30% → 90% (+60 pts [+17, +81]) significant ·
 * incoherence 0.67 → 1.00 (+0.33 [−0.07, 0.53]) within rerun noise": the change from the previous
 * version's run to this one's, B − A with 95% intervals (src/core/compare.ts, as `hotmess
 * compare`), each said "significant" when its interval excludes 0, else "within rerun noise";
 * the incoherence only when both sides have one. Null when the runs cannot be compared (no
 * target, no summary yet). Cached by the two files' versions.
 */
export function sinceText(before: RunEntry, after: RunEntry): string | null {
  const a = before.summary;
  const b = after.summary;
  if (!a?.tally || !b?.tally) return null;
  const key = `${before.file}\u0000${before.size}:${before.mtimeMs}\u0000${after.file}\u0000${after.size}:${after.mtimeMs}`;
  const hit = changes.get(key);
  if (hit !== undefined) return hit;
  const A = { id: before.header.id, tally: a.tally, estimate: a.brier?.estimate ?? null };
  const B = { tally: b.tally, estimate: b.brier?.estimate ?? null };
  const text = deltaWords(A, B, versionDelta(A, B));
  const out = text === null ? null : `Δ since the previous version: ${text}`;
  if (changes.size > 500) changes.clear();
  changes.set(key, out);
  return out;
}


/**
 * Where a prompt's hint goes: at the end of its first line that says something — the front
 * matter's first line (under the lens, where it is seen without scrolling), else the prompt's
 * first line. `lineLength` gives a line's length (absent: the end of the line, as the client
 * clamps a position past it).
 */
export function hintPosition(p: FilePrompt, lineLength?: (line: number) => number): { line: number; character: number } {
  const start = p.range.start.line;
  const body = p.bodyRange.start.line;
  // a front matter: the line after its opening fence, unless it closes at once
  const line = body > start + 2 ? start + 1 : body;
  return { line, character: lineLength ? lineLength(line) : 100_000 };
}

/** The incoherence on each prompt with a run, where it is seen (hintPosition; clicking it opens the run). */
export function inlayHints(views: readonly PromptView[], range?: Range, lineLength?: (line: number) => number): InlayHint[] {
  const out: InlayHint[] = [];
  for (const v of views) {
    if (!v.run) continue;
    const end = hintPosition(v.prompt, lineLength);
    if (range && (end.line < range.start.line || end.line > range.end.line)) continue;
    let text = runText(v, false)!;
    if (v.stale && v.run.summary) text += " (prompt changed since this run)";
    const s = v.run.summary;
    out.push({
      position: end,
      label: [{ value: text, command: openRunCommand(v.run.file), tooltip: s ? `${plural(s.n, "run")} · ${plural(s.classes, "answer")}${s.comparison ? ` by ${s.comparison}` : ""} · ${basename(v.run.file)} (click to open the comparison)` : basename(v.run.file) }],
      paddingLeft: true,
    });
  }
  return out;
}

/** The decomposition, the answers, the fork and a link to the comparison, as Markdown. */
export function hoverMarkdown(v: PromptView): string | null {
  const run = v.run;
  if (!run) return null;
  const h = run.header;
  const s = run.summary;
  const lines: string[] = [];
  const head = [`**Hot Mess** · last run ${mdCode(h.id, { max: 40 })}`];
  if (h.model) head.push(`${mdCode(h.model, { max: 40 })}${h.model === SIMULATED_MODEL ? " (simulated: no model was called, its answers are made up)" : ""}`);
  if (s) head.push(`${s.n}${s.n !== s.planned ? ` of ${s.planned}` : ""} runs${s.status === "unfinished" ? " (unfinished)" : s.status !== "complete" ? ` (${s.status})` : ""}`);
  if (h.createdAt) head.push(h.createdAt.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC"));
  lines.push(head.join(" · "), "");
  if (v.stale) lines.push("⚠ **stale**: the prompt changed since this run; these figures are for the prompt as it was run.", "");
  if (s?.failure) {
    const f = s.failure;
    lines.push(`${s.status === "failed" ? "✖" : "⚠"} **${f.summary}**${f.message ? `: ${mdCode(f.message, { max: 300 })}` : ""}`, "");
  }
  if (run.summarizedAt === null) lines.push("Reading the run…", "");
  else if (!s) lines.push("The run has no samples yet.", "");
  else if (s.n === 0) {
    // no figures without a sample: the failure above says it all
  } else {
    // why the runs disagree, first: the two largest classes' deciding steps
    if (s.why?.length) {
      const side = (d: DecidingSide) => sideWords(d, (t) => mdCode(t, { max: 100 }));
      lines.push(`**Why the runs disagree** (against ${s.whyBasis === "reference" ? "the reference's path" : s.whyBasis === "unreached" ? "the largest class's path: no run reached the reference" : "the largest class's path: no reference"}):`, "");
      for (const w of s.why) lines.push(`- ${w.answer === null ? "*(no answer)*" : mdCode(w.answer, { max: 40 })}${w.reference ? " ✓" : ""}: ${w.column === null ? "the same steps; only the answer differs" : `${side(w.self)}; ${side(w.other)}`}`);
      lines.push("");
    }
    const b = s.brier;
    if (b) {
      lines.push("| bias² | variance | error | incoherence [95% CI] |", "| ---: | ---: | ---: | ---: |", `| ${f3(b.bias2)} | ${f3(b.variance)} | ${f3(b.error)} | ${figureText(s, 3).replace(/^incoherence /, "")} |`, "");
      const more = rerunsText(b.reruns, b.estimate);
      if (more) lines.push(`${more[0]!.toUpperCase()}${more.slice(1)}.`, "");
      const vote = ensembleText(b.ensemble);
      if (vote) lines.push(`**Majority vote**: ${vote}: ${ensembleVerdict(b.ensemble)}.`, "");
      if (s.reference !== null) lines.push(`Reference answer ${mdCode(s.reference, { max: 60 })}: ${s.referenceCount ?? 0} of ${plural(s.n, "run")}.`, "");
      else if (s.target === "flags") lines.push(`Correct (by the samples' flags): ${s.referenceCount ?? 0} of ${plural(s.n, "run")}.`, "");
    } else lines.push(`No reference answer: disagreement ${f3(s.disagreement)} (1 − Σ p²), no incoherence.`, "");
    const answers = s.answers.map((a) => `${a.key === null ? "*(no answer)*" : mdCode(a.label ?? a.key, { max: 40 })}${a.reference ? " ✓" : ""} ×${a.count}`);
    if (s.moreAnswers > 0) answers.push(`${plural(s.moreAnswers, "more class", "more classes")}`);
    lines.push(`**Answers** (${plural(s.classes, "class", "classes")}${s.comparison ? ` by ${s.comparison}` : ""}): ${answers.join(" · ")}`, "");
    if (s.fork) {
      lines.push(`**Fork** at column ${s.fork.column} of ${s.fork.columns} (the first aligned step where the reruns split):`, "");
      for (const g of s.fork.groups) lines.push(`- ${plural(g.count, "run")}: ${mdCode(g.text, { max: 120 })}`);
      if (s.fork.moreGroups > 0) lines.push(`- ${plural(s.fork.moreGroups, "more group")}`);
      if (s.fork.gaps > 0) lines.push(`- ${plural(s.fork.gaps, "run")} without this step`);
      lines.push("");
    } else lines.push("No fork: the reruns do not split at any aligned step.", "");
  }
  const args: OpenRunFileArgs = [run.file];
  const links = [`[Open the comparison](${commandLink(Commands.openRunFile, args)} "Open ${basename(run.file)} in the comparison view")`];
  if (s?.failure?.resumable) links.push(`[Retry the run](${commandLink(Commands.resumeRun, args)} "Run the samples that did not finish again, into ${basename(run.file)}")`);
  lines.push(links.join(" · "));
  return lines.join("\n");
}

export function hover(v: PromptView): Hover | null {
  const value = hoverMarkdown(v);
  return value === null ? null : { contents: { kind: MarkupKind.Markdown, value } };
}

/**
 * Front-matter and conversation problems (at their lines, errors or warnings as the parser
 * says), undefined variables (warnings), and a warning when the
 * incoherence interval of a prompt's current run lies wholly above the threshold (a noisy
 * estimate is not overstated; a stale run's figures are not the prompt's, so they never warn).
 */
/** The code of a misspelt front-matter key's diagnostic, whose `data.replace` is the key it meant. */
export const UNKNOWN_KEY = "unknown-key";

/**
 * Quick fixes for the diagnostics of a request's context: a misspelt front-matter key replaced
 * by the key it meant ("refrence" → "reference"), preferred, so Ctrl+. applies it at once.
 */
export function codeActions(uri: string, context: readonly Diagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of context) {
    const replace = (d.data as { replace?: unknown } | undefined)?.replace;
    if (d.source !== SOURCE || d.code !== UNKNOWN_KEY || typeof replace !== "string") continue;
    out.push({ title: `Change to "${replace}"`, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: { changes: { [uri]: [{ range: d.range, newText: replace }] } } });
  }
  return out;
}

export function diagnostics(views: readonly PromptView[], threshold: number, lineLength: (line: number) => number): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const v of views) {
    const p = v.prompt;
    for (const problem of p.problems)
      out.push({
        range: problem.range,
        severity: problem.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
        source: SOURCE,
        message: problem.message,
        // a misspelt key carries its fix (codeActions)
        ...(problem.replace !== undefined ? { code: UNKNOWN_KEY, data: { replace: problem.replace } } : {}),
      });
    for (const u of p.unresolved) out.push({ range: u.range, severity: DiagnosticSeverity.Warning, source: SOURCE, message: `{{${u.name}}} is not defined: add it to the front matter's vars (as it is, it would be sent as written)` });
    const s = v.run?.summary;
    const ci = s?.brier?.ci95;
    if (v.run && !v.stale && s && ci && s.brier!.estimate !== null && ci[0] > threshold) {
      const line = p.bodyRange.start.line;
      out.push({
        range: { start: { line, character: 0 }, end: { line, character: lineLength(line) } },
        severity: DiagnosticSeverity.Warning,
        source: SOURCE,
        code: "incoherence",
        message: `${figureText(s)} is above ${threshold}: its ${plural(s.n, "rerun")} scatter over ${plural(s.classes, "answer")} (${basename(v.run.file)})`,
      });
    }
  }
  return out;
}
