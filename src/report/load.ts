// Reading run files and trace sets into one analysis, with the raw traces kept for exports.
// Used by the editor (Open Run…, Import Traces…, restoring a panel) and by `hotmess export`.
// A sweep file (hotmess.sweep/1) opens as every prompt of its sweep, each prompt a run of its own.
import { readFileSync } from "node:fs";
import { addRun, Analyzer, DEFAULT_SEED, isRunFile, parseRunFile, parseTraceLine, redactDeep, runSeed, runState, type Analysis, type LineProblem, type ParsedRun, type PromptRecord, type RunState } from "../core";
import { isSweepFile, parseSweepFile, sweepRuns, type ParsedSweep } from "../core/sweepfile";

export interface Loaded {
  analysis: Analysis;
  /** The prompts as read (their samples are the raw traces). */
  records: PromptRecord[];
  /** Problems met, each with its file and line. */
  skipped: (LineProblem & { file: string })[];
  /** The run files among the files, each with what became of its run (failed, partial…). */
  runs: LoadedRun[];
}

export interface LoadedRun {
  file: string;
  run: ParsedRun;
  state: RunState;
  /** A prompt of a sweep file: where the whole sweep stands says more than each prompt's run (describeSweep). */
  sweep?: ParsedSweep;
}

/** What the comparison view shows: the analysis of what finished (null: no sample finished) and every run's state. */
export type LoadedView = Omit<Loaded, "analysis"> & { analysis: Analysis | null };

export interface LoadOptions {
  generator: { name: string; version: string };
  /** Keys to redact from the analysis, the problems met and each run's state (the comparison view: every key known). */
  secrets?: readonly string[];
  referenceFree?: boolean;
  /** Overrides every run file's recorded seed (`--seed`); without it each run uses its own, a trace set seed 1. */
  seed?: number;
  resamples?: number;
  /** A reference per prompt id that wins over the run files' (one set from the view since the run: Set as reference). */
  references?: ReadonlyMap<string, string>;
}

/**
 * Reads each file (a run file, a sweep file: each of its prompts as a run, or a trace set of one prompt per line) and analyses them together,
 * a run file as every face does (src/core/runanalysis.ts). A run in which no sample finished (a refused key, a cancel before the first answer) adds no
 * prompt but is kept in `runs` with its state, so the editor can say why and offer Retry.
 * Throws only for an empty file or a file that is not JSON Lines at all.
 */
export function loadView(files: string[], options: LoadOptions): LoadedView {
  // made with the first prompt: the document names the seed of the first run (or the one given)
  let made: Analyzer | null = null;
  const analyzer = (seed: number) =>
    (made ??= new Analyzer({ generator: options.generator, referenceFree: options.referenceFree ?? false, seed: options.seed ?? seed, ...(options.resamples !== undefined ? { resamples: options.resamples } : {}) }));
  const records: PromptRecord[] = [];
  const skipped: (LineProblem & { file: string })[] = [];
  const runs: LoadedRun[] = [];
  const seen = new Map<string, number>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const first = text.split("\n").find((l) => l.trim() !== "") ?? "";
    if (first === "") throw new Error(`${file} is empty`);
    if (isSweepFile(first.trim())) {
      // one run per prompt: its state (a prompt whose batch is still out is unfinished) and its analysis
      const sweep = parseSweepFile(text);
      skipped.push(...sweep.warnings.map((w) => ({ ...w, file })));
      for (const run of sweepRuns(sweep)) {
        const ref = options.references?.get(run.header.id);
        if (ref !== undefined) run.header.reference = ref;
        runs.push({ file, run, state: runState(run, options.secrets), sweep });
        if (run.samples.length > 0) records.push(addRun(analyzer(runSeed(run.header)), run, options.seed)!);
      }
      continue;
    }
    if (isRunFile(first.trim())) {
      const run = parseRunFile(text);
      const ref = options.references?.get(run.header.id);
      if (ref !== undefined) run.header.reference = ref;
      skipped.push(...run.warnings.map((w) => ({ ...w, file })));
      runs.push({ file, run, state: runState(run, options.secrets) });
      if (run.samples.length > 0) records.push(addRun(analyzer(runSeed(run.header)), run, options.seed)!);
      continue;
    }
    text.split("\n").forEach((line, i) => {
      const parsed = parseTraceLine(line, i + 1, seen);
      if (parsed === null) return;
      if ("error" in parsed) skipped.push({ ...parsed.error, file });
      else {
        skipped.push(...parsed.warnings.map((w) => ({ ...w, file })));
        records.push(parsed.record);
        analyzer(DEFAULT_SEED).add(parsed.record);
      }
    });
  }
  const analysis = made !== null && records.length > 0 ? (made as Analyzer).finish(skipped.map(({ line, message }) => ({ line, message }))) : null;
  if (!options.secrets) return { analysis, records, skipped, runs };
  // once here, so the view need not walk the whole document again
  return { analysis: redactDeep(analysis, options.secrets), records, skipped: redactDeep(skipped, options.secrets), runs };
}

/** Reads and analyses the files; throws when none holds a usable prompt, saying why (a failed run says how it failed). */
export function loadAnalysis(files: string[], options: LoadOptions): Loaded {
  const loaded = loadView(files, options);
  if (loaded.analysis === null) throw noUsablePrompt(files, loaded);
  return { ...loaded, analysis: loaded.analysis };
}

/** The error for files that gave no prompt: the first problem met, or how the first run ended. */
export function noUsablePrompt(files: string[], loaded: LoadedView): Error {
  return new Error(`no usable prompt in ${files.join(", ")}${whyNothing(loaded)}`);
}

function whyNothing(loaded: LoadedView): string {
  const s = loaded.skipped[0];
  if (s) return ` (${s.file} line ${s.line}: ${s.message})`;
  const r = loaded.runs[0];
  if (r) return ` (${r.file}: ${r.state.summary}${r.state.reason ? `: ${r.state.reason}` : ""})`;
  return "";
}
