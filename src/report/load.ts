// Reading run files and trace sets into one analysis, with the raw traces kept for exports.
// Used by the editor (Open Run…, Import Traces…, restoring a panel) and by `hotmess export`.
import { readFileSync } from "node:fs";
import { Analyzer, isRunFile, parseRunFile, parseTraceLine, runToPromptRecord, type Analysis, type LineProblem, type PromptRecord } from "../core";

export interface Loaded {
  analysis: Analysis;
  /** The prompts as read (their samples are the raw traces). */
  records: PromptRecord[];
  /** Problems met, each with its file and line. */
  skipped: (LineProblem & { file: string })[];
}

export interface LoadOptions {
  generator: { name: string; version: string };
  referenceFree?: boolean;
  seed?: number;
  resamples?: number;
}

/** Reads each file (a run file, or a trace set of one prompt per line) and analyses them together. */
export function loadAnalysis(files: string[], options: LoadOptions): Loaded {
  const analyzer = new Analyzer({ generator: options.generator, referenceFree: options.referenceFree ?? false, seed: options.seed ?? 1, ...(options.resamples !== undefined ? { resamples: options.resamples } : {}) });
  const records: PromptRecord[] = [];
  const skipped: (LineProblem & { file: string })[] = [];
  const seen = new Map<string, number>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const first = text.split("\n").find((l) => l.trim() !== "") ?? "";
    if (first === "") throw new Error(`${file} is empty`);
    if (isRunFile(first.trim())) {
      const run = parseRunFile(text);
      skipped.push(...run.warnings.map((w) => ({ ...w, file })));
      if (run.samples.length === 0) continue;
      const record = runToPromptRecord(run);
      records.push(record);
      analyzer.add(record);
      continue;
    }
    text.split("\n").forEach((line, i) => {
      const parsed = parseTraceLine(line, i + 1, seen);
      if (parsed === null) return;
      if ("error" in parsed) skipped.push({ ...parsed.error, file });
      else {
        skipped.push(...parsed.warnings.map((w) => ({ ...w, file })));
        records.push(parsed.record);
        analyzer.add(parsed.record);
      }
    });
  }
  if (records.length === 0) {
    const why = skipped[0] ? ` (${skipped[0].file} line ${skipped[0].line}: ${skipped[0].message})` : "";
    throw new Error(`no usable prompt in ${files.join(", ")}${why}`);
  }
  return { analysis: analyzer.finish(skipped.map(({ line, message }) => ({ line, message }))), records, skipped };
}
