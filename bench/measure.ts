// The two things the benchmark times, shared by the timing loop (analysis.bench.ts) and the
// memory worker (worker.ts), so both measure exactly the same work.
import { analyzeTraceSet } from "../src/core/analyze";
import { normalizeStepText } from "../src/core/features";
import { segment } from "../src/core/segment";
import type { Analysis } from "../src/core/types";

/** Words, numbers and operator symbols: the simplest tokeniser that still looks at every character. */
const TOKEN = /\d+(?:\.\d+)?|\p{L}[\p{L}']*|[-+*/=()^]/gu;

export interface BaselineResult {
  prompts: number;
  traces: number;
  steps: number;
  tokens: number;
}

/**
 * The floor any analysis pays: JSON.parse of every line, segment() of every trace, and every
 * step normalised (normalizeStepText) and split into word/number/operator tokens. Nothing more.
 */
export function parseAndTokenize(text: string): BaselineResult {
  let prompts = 0;
  let traces = 0;
  let steps = 0;
  let tokens = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let record: { samples?: unknown };
    try {
      record = JSON.parse(line) as { samples?: unknown };
    } catch {
      continue; // a malformed line: the analysis reports and skips it too
    }
    if (record === null || typeof record !== "object" || !Array.isArray(record.samples)) continue;
    prompts++;
    for (const s of record.samples as { text?: string; thinking?: string }[]) {
      if (s === null || typeof s !== "object") continue;
      const trace = typeof s.thinking === "string" ? s.thinking : (s.text ?? "");
      traces++;
      for (const step of segment(trace)) {
        steps++;
        const m = normalizeStepText(step.text).match(TOKEN);
        if (m) tokens += m.length;
      }
    }
  }
  return { prompts, traces, steps, tokens };
}

/** The full analysis, with default options (1000 bootstrap resamples). */
export function analyze(text: string): Analysis {
  return analyzeTraceSet(text);
}
