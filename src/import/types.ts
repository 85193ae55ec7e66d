// What every importer of logs written by other tools (τ-bench, Inspect AI, Claude Code, OTel
// GenAI, promptfoo, chat conversations) gives back: trace-set records (FORMATS.md) with the
// source's task ids, every problem met (named by file and line or path: nothing is dropped
// silently), and a sentence saying what was found. Pure: bytes in, records out; the CLI and the
// extension do the file system.
import type { PromptRecord } from "../core/types";

/** One input file: its path (for messages and grouping) and its bytes. */
export interface InputFile {
  path: string;
  bytes: Uint8Array;
}

/** A record or part that could not be read: skipped, and said. */
export interface ImportProblem {
  /** Where: "file:line", "file#path.to.record", or the file. */
  where: string;
  message: string;
}

export interface ImportResult {
  /** The importer's name (what --format takes). */
  format: string;
  prompts: PromptRecord[];
  problems: ImportProblem[];
  /** What was found, e.g. "25 tasks × 4 runs, 582 tool calls; format τ-bench". */
  summary: string;
}

export interface Importer {
  /** What --format takes: "tau-bench", "inspect", "claude-code", "otel", "promptfoo", "chat". */
  name: string;
  /** For people: "τ-bench results", "Inspect AI log", … */
  label: string;
  /** Whether these files look like this format (cheap: the first bytes or the first record). */
  detect(files: InputFile[]): boolean;
  read(files: InputFile[]): ImportResult;
}
