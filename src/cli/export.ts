// `hotmess export FILE... --format json|csv|md|html [--out OUT|-] [--seed N]`: a trace set, or
// one or more run files (one prompt each, analysed together), exported as JSON (the analysis
// with the raw traces), CSV, Markdown or the self-contained HTML view. The formats are in
// src/report/export.ts; this reads the inputs, finds the keys to redact and writes the file.
import { statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { describeRunFailure, type Analysis } from "../core";
import { describeSweep } from "../core/sweepfile";
import { exportCsv, exportHtml, exportJson, exportMarkdown, tracesFromRecords, type PromptTraces, type RunSettings } from "../report/export";
import { loadReportAssets } from "../report/html";
import { loadView, noUsablePrompt, type LoadedView } from "../report/load";
import { FatalError, num, UsageError, VERSION, type Io, type Parsed } from "./common";
import { planOutputs, redactorOf, writeFileAtomic } from "./io";

export const EXPORT_FORMATS = ["json", "csv", "md", "html"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const EXTENSIONS: Record<ExportFormat, string> = { json: ".json", csv: ".csv", md: ".md", html: ".html" };
const ALIASES: Record<string, ExportFormat> = { json: "json", csv: "csv", md: "md", markdown: "md", html: "html", htm: "html" };

function parseFormat(p: { flags: Map<string, string | true> }): ExportFormat {
  const f = p.flags.get("--format");
  if (typeof f === "string") {
    const format = ALIASES[f.toLowerCase()];
    if (!format) throw new UsageError(`--format is json, csv, md or html, not "${f}"`);
    return format;
  }
  const out = p.flags.get("--out");
  if (typeof out === "string" && out !== "-") {
    const format = ALIASES[extname(out).slice(1).toLowerCase()];
    if (format) return format;
  }
  throw new UsageError("export needs --format json|csv|md|html");
}

/** OUT beside the first input, with the format's extension (never one of the inputs). */
export function defaultOut(first: string, format: ExportFormat, inputs: string[]): string {
  const ext = extname(first);
  const stem = join(dirname(first), basename(first, ext));
  const taken = new Set(inputs.map((f) => resolve(f)));
  const out = `${stem}${EXTENSIONS[format]}`;
  return taken.has(resolve(out)) ? `${stem}.export${EXTENSIONS[format]}` : out;
}

/** Refuses, with a message in words, an input that is missing, a folder or empty. */
function checkInput(file: string): void {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new FatalError(`${file} is a directory, not a trace set or a run file`);
    size = st.size;
  } catch (e) {
    if (e instanceof FatalError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new FatalError(code === "ENOENT" ? `${file}: no such file` : `cannot read ${file}: ${(e as Error).message}`);
  }
  if (size === 0) throw new FatalError(`${file} is empty: a trace set has one JSON object per line (see the README, "Trace sets")`);
}

interface Loaded {
  analysis: Analysis;
  traces: PromptTraces[];
  /** The run files' settings (their headers), for the Markdown export. */
  runs: RunSettings[];
  /** Problems to report, each with the file it is in. */
  problems: { file: string; line?: number; message: string }[];
}

/**
 * A trace set, or run files, analysed, with the raw traces behind the analysis: each file read
 * once, by the loader the editor uses (src/report/load.ts). A run that did not finish says so in
 * the words analyze uses (describeRunFailure): with nothing finished it is an error (left out
 * among several), a partial one is exported with its sentence as a problem.
 */
export function loadForExport(files: string[], seed?: number): Loaded {
  if (files.includes("-")) throw new UsageError("export reads files, not standard input");
  const problems: Loaded["problems"] = [];
  const unique: string[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const key = resolve(file);
    if (seen.has(key)) {
      problems.push({ file, message: "given twice; the second is left out" });
      continue;
    }
    seen.add(key);
    checkInput(file);
    unique.push(file);
  }
  let loaded: LoadedView;
  try {
    loaded = loadView(unique, { generator: { name: "hotmess", version: VERSION }, ...(seed !== undefined ? { seed } : {}) });
  } catch (e) {
    // an empty or unreadable file names itself; a bad run header does not
    const message = (e as Error).message;
    throw new FatalError(unique.some((f) => message.includes(f)) ? message : `${unique.join(", ")}: ${message}`);
  }
  const notRun = unique.length > 1 ? unique.find((f) => !loaded.runs.some((r) => r.file === f)) : undefined;
  if (notRun) throw new FatalError(`${notRun} is not a run file: several files must all be run files (export a trace set on its own)`);
  problems.push(...loaded.skipped.map(({ file, line, message }) => ({ file, line, message })));
  const said = new Set<string>();
  for (const { file, run, sweep } of loaded.runs) {
    if (sweep) {
      // a sweep says where it stands once, not once per prompt
      if (said.has(file)) continue;
      said.add(file);
      const why = describeSweep(sweep, file);
      if (why) problems.push({ file, message: why });
      continue;
    }
    const why = describeRunFailure(run, file);
    if (run.samples.length > 0) {
      if (why) problems.push({ file, message: why });
      continue;
    }
    if (unique.length === 1) throw new FatalError(why ?? `${file}: the run has no finished sample yet`);
    problems.push({ file, message: `${why ?? "the run has no finished sample yet"}; left out` });
  }
  if (!loaded.analysis) throw new FatalError(loaded.runs.length > 0 ? "none of the runs has a finished sample yet: nothing to export" : noUsablePrompt(unique, loaded).message);
  return { analysis: loaded.analysis, traces: tracesFromRecords(loaded.records), runs: loaded.runs.map(({ run }) => run.header), problems };
}

const MAX_REPORTED = 20;

function reportProblems(problems: Loaded["problems"], io: Io): void {
  for (const p of problems.slice(0, MAX_REPORTED))
    io.stderr.write(`hotmess: ${p.file}: ${p.line !== undefined ? `line ${p.line}: ` : ""}${p.message}${p.line === undefined || /skipped$/.test(p.message) ? "" : "; line skipped"}\n`);
  if (problems.length > MAX_REPORTED) io.stderr.write(`hotmess: … and ${problems.length - MAX_REPORTED} more problems\n`);
}

/** The export of an analysis in one format, as text. */
export function renderExport(format: ExportFormat, analysis: Analysis, traces: PromptTraces[], secrets: readonly string[], runs: readonly RunSettings[] = []): string {
  if (format === "json") return exportJson(analysis, traces, { secrets, tool: { name: "hotmess", version: VERSION } });
  if (format === "csv") return exportCsv(analysis, { secrets });
  if (format === "md") return exportMarkdown(analysis, { secrets, runs });
  let assets;
  try {
    assets = loadReportAssets();
  } catch (e) {
    throw new FatalError((e as Error).message);
  }
  return exportHtml(analysis, { ...assets, secrets });
}

export async function exportCommand(p: Parsed, io: Io): Promise<number> {
  if (p.positional.length === 0) throw new UsageError("export needs a trace set or run files: hotmess export FILE... --format json|csv|md|html");
  const format = parseFormat(p);
  // a run file's intervals are drawn with its recorded seed, unless --seed says otherwise
  const seed = num(p.flags, "--seed");
  const files = p.positional;
  const outFlag = p.flags.get("--out");
  const out = typeof outFlag === "string" ? outFlag : defaultOut(files[0]!, format, files);
  planOutputs([{ flag: "--out", path: out, stdout: true }], { inputs: files.map((path) => ({ path, what: "the input" })) });

  const { analysis, traces, runs, problems } = loadForExport(files, seed);
  reportProblems(problems, io);
  const text = renderExport(format, analysis, traces, redactorOf(io).secrets, runs);

  if (out === "-") io.stdout.write(text);
  else {
    try {
      writeFileAtomic(out, text);
    } catch (e) {
      throw new FatalError(`cannot write ${out}: ${(e as Error).message}`);
    }
    const n = analysis.prompts.length;
    const what =
      format === "csv"
        ? `, ${analysis.prompts.reduce((s, x) => s + x.n * x.columns.length, 0)} rows`
        : format === "json"
          ? `, hotmess.analysis/1 with the traces of ${traces.reduce((s, t) => s + t.runs.length, 0)} runs`
          : "";
    io.stderr.write(`hotmess: wrote ${out} (${format}, ${n} prompt${n === 1 ? "" : "s"}${what})\n`);
  }
  return problems.length > 0 || analysis.skipped.length > 0 ? 2 : 0;
}
