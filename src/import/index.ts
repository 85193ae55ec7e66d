// The importers of logs other tools write (FORMATS.md, `hotmess import`), and the one entry
// point every front end calls: importFiles, which takes the format named or detects it.
import { chat } from "./chat";
import { claudeCodeImporter } from "./claude-code";
import { renderSteps, rewardAnswer } from "./common";
import { inspectImporter } from "./inspect";
import { otelImporter } from "./otel";
import { promptfooImporter } from "./promptfoo";
import { tauBench } from "./taubench";
import type { Importer, ImportResult, InputFile } from "./types";

export type { Importer, ImportProblem, ImportResult, InputFile } from "./types";

/**
 * Every importer, in the order detection tries them: the most specific shapes first. `chat`
 * (any JSON object with `messages`) stays last, so that a format whose lines also carry chat
 * messages is found before it.
 */
export const IMPORTERS: readonly Importer[] = [tauBench, inspectImporter, claudeCodeImporter, otelImporter, promptfooImporter, chat];

/** An unknown format, or files whose format cannot be told: the message names the known ones. */
export class ImportFormatError extends Error {}

/** "tau-bench (τ-bench results), chat (…)": the formats, for messages and help. */
export function knownFormats(): string {
  return IMPORTERS.map((i) => `${i.name} (${i.label})`).join(", ");
}

/** A format's name as people type it: "tau-bench", "taubench", "Tau_Bench", "τ-bench" are one. */
const fold = (name: string) => name.toLowerCase().replace(/τ/g, "tau").replace(/[^a-z0-9]/g, "");

/** The importer of a format name (see fold), or undefined. */
export function findImporter(name: string): Importer | undefined {
  return IMPORTERS.find((i) => fold(i.name) === fold(name));
}

/** The first importer whose detect takes these files, or null. */
export function detectFormat(files: InputFile[]): Importer | null {
  return IMPORTERS.find((i) => i.detect(files)) ?? null;
}

/**
 * Reads files written by another tool as trace-set records. `format`: an importer's name; absent,
 * it is detected. Throws ImportFormatError, naming the known formats, when the format is unknown
 * or cannot be told, or there are no files.
 */
export function importFiles(files: InputFile[], format?: string): ImportResult {
  if (files.length === 0) throw new ImportFormatError("no files to import");
  let importer: Importer | null | undefined;
  if (format !== undefined) {
    importer = findImporter(format);
    if (!importer) throw new ImportFormatError(`unknown format "${format}"; the formats are ${knownFormats()}`);
  } else {
    importer = detectFormat(files);
    if (!importer) {
      const what = files.length === 1 ? files[0]!.path : `these ${files.length} files`;
      throw new ImportFormatError(`cannot tell which format ${what} is in; the formats are ${knownFormats()}`);
    }
  }
  return finish(importer.read(files));
}

/**
 * What every importer's runs get alike (formats.md, "Importing logs"): a trajectory without a
 * `text` gets the steps rendered as text, and a run with a reward and no answer of its own the
 * answer "reward r", so answer classes are outcomes.
 */
function finish(r: ImportResult): ImportResult {
  for (const p of r.prompts)
    for (const s of p.samples) {
      if (s.steps && s.steps.length > 0 && s.text === undefined && s.thinking === undefined) s.text = renderSteps(s.steps);
      if (s.reward !== undefined && s.answer === undefined) s.answer = rewardAnswer(s.reward);
    }
  return r;
}
