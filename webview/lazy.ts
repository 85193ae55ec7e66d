// The runs a self-contained report left out to stay under its size limit (src/report/html.ts
// reportDocument): the sentence that says so, and reading them back from the analysis JSON the
// reader picks. With the report's map of that file (`report.full`), only the prompt shown is
// read (a slice of the file); with another file, the whole of it is parsed once.
import type { PromptAnalysis } from "../src/core/types";
import type { ReportCut, ReportDocument } from "../src/protocol/webview";
import { plural } from "./format";

/** A file the reader picked (the part of the DOM File the view uses: a test passes its own). */
export interface PickedFile {
  name: string;
  size: number;
  text(): Promise<string>;
  slice(start: number, end: number): { text(): Promise<string> };
}

/** The sentence at the top of a report that left runs out (null when it holds every run). */
export function cutSentence(doc: ReportDocument): string | null {
  const cut = doc.report;
  if (!cut || cut.runsLeftOut <= 0) return null;
  const mb = Math.round(cut.limitBytes / 1e6);
  const where = cut.full
    ? `Every run is in ${cut.full.file}, written with this report: load it below and the view reads the runs of each prompt you open from it.`
    : "Every run is in the analysis JSON (hotmess analyze FILE --json OUT.json, or Export → JSON in VS Code): load it below.";
  return `This report holds the first ${plural(cut.runsPerPrompt, "run")} of each prompt (${cut.runsLeftOut.toLocaleString("en-US")} runs left out, to keep the file under ${mb} MB); every figure is of all the runs. ${where}`;
}

/** Whether prompt p of a report is missing runs. */
export function isCut(p: PromptAnalysis): boolean {
  return p.runs.length < p.n;
}

function isPrompt(v: unknown, id: string): v is PromptAnalysis {
  const p = v as PromptAnalysis | null;
  return !!p && typeof p === "object" && p.id === id && Array.isArray(p.runs) && Array.isArray(p.columns);
}

/**
 * Every run of prompt `index` (id `id`) from the picked file: the slice the report's map names
 * when the file is that one (same size), else from the whole file. Also returns the other
 * prompts it had to read anyway (the whole file), so they need not be read again. Throws with
 * a sentence for the reader when the file is not the analysis the report was written from.
 */
export async function loadPrompt(file: PickedFile, cut: ReportCut, index: number, id: string): Promise<Map<string, PromptAnalysis>> {
  const span = cut.full && file.size === cut.full.bytes ? cut.full.prompts[index] : undefined;
  if (span) {
    let p: unknown;
    try {
      p = JSON.parse(await file.slice(span[0], span[1]).text());
    } catch {
      p = null;
    }
    if (isPrompt(p, id)) return new Map([[id, p]]);
    // the same size by chance, or the file changed: read it whole
  }
  let doc: ReportDocument;
  try {
    doc = JSON.parse(await file.text()) as ReportDocument;
  } catch (e) {
    throw new Error(`${file.name} is not JSON (${(e as Error).message}): pick the analysis JSON (hotmess.analysis/1) written with this report`);
  }
  if (doc?.schema !== "hotmess.analysis/1" || !Array.isArray(doc.prompts)) throw new Error(`${file.name} is not a hotmess.analysis/1 document: pick the analysis JSON written with this report`);
  if (doc.report && doc.report.runsLeftOut > 0) throw new Error(`${file.name} is a report's document, itself cut to the first runs: pick the analysis JSON (--json) instead`);
  const all = new Map(doc.prompts.filter((p) => p && typeof p.id === "string").map((p) => [p.id, p]));
  if (!isPrompt(all.get(id), id)) throw new Error(`${file.name} has no prompt ${id}: it is not the analysis this report was written from`);
  return all;
}
