// `hotmess export FILE... --format json|csv|md|html [--out OUT|-] [--seed N]`: a trace set, or
// one or more run files (one prompt each, analysed together), exported as JSON (the analysis
// with the raw traces), CSV, Markdown or the self-contained HTML view. The formats are in
// src/report/export.ts; this reads the inputs, finds the keys to redact and writes the file.
import { closeSync, createReadStream, openSync, readFileSync, readSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { DEFAULT_RESAMPLES, DEFAULT_SEED, isRunFile, parseRunFile, parseTraceLine, type Analysis, type ParsedRun, type PromptRecord } from "../core";
import { exportCsv, exportHtml, exportJson, exportMarkdown, tracesFromRecords, tracesFromRuns, type PromptTraces } from "../report/export";
import { loadReportAssets } from "../report/html";
import { FatalError, num, UsageError, VERSION, type Io, type Parsed } from "./common";
import { planOutputs, redactorOf, writeFileAtomic } from "./io";
import { analyzeFile } from "./main";
import { analyzeRuns } from "./run";

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

/** Whether FILE is a run file (its first line is a hotmess.run header); FatalError when it cannot be read. */
function isRun(file: string): boolean {
  let fd: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new FatalError(`${file} is a directory, not a trace set or a run file`);
    if (st.size === 0) throw new FatalError(`${file} is empty: a trace set has one JSON object per line (see the README, "Trace sets")`);
    fd = openSync(file, "r");
  } catch (e) {
    if (e instanceof FatalError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new FatalError(code === "ENOENT" ? `${file}: no such file` : `cannot read ${file}: ${(e as Error).message}`);
  }
  let head: string;
  try {
    const buf = Buffer.alloc(64 * 1024);
    head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString("utf8");
  } finally {
    closeSync(fd);
  }
  const lines = head.split("\n");
  const at = lines.findIndex((l) => l.trim() !== "");
  if (at < 0) return false;
  const first = lines[at]!.trim();
  // a header longer than what was read (a very long prompt) is judged by the whole file
  const whole = at === lines.length - 1;
  return first.includes('"hotmess.run/') && (whole || isRunFile(first));
}

function readRun(file: string): ParsedRun {
  try {
    return parseRunFile(readFileSync(file, "utf8"));
  } catch (e) {
    throw new FatalError(`${file}: ${(e as Error).message}`);
  }
}

/** The records of a trace set, as analyzeFile reads them (the same lines kept, the same samples). */
async function readRecords(file: string): Promise<PromptRecord[]> {
  const records: PromptRecord[] = [];
  const seen = new Map<string, number>();
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of rl) {
      const parsed = parseTraceLine(line, ++lineNo, seen);
      if (parsed !== null && !("error" in parsed)) records.push(parsed.record);
    }
  } catch (e) {
    throw new FatalError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return records;
}

interface Loaded {
  analysis: Analysis;
  traces: PromptTraces[];
  /** Problems to report, each with the file it is in. */
  problems: { file: string; line?: number; message: string }[];
}

/** A trace set, or run files, analysed, with the raw traces behind the analysis. */
export async function loadForExport(files: string[], seed: number, io: Io): Promise<Loaded> {
  if (files.includes("-")) throw new UsageError("export reads files, not standard input");
  const kinds = files.map((f) => ({ file: f, run: isRun(f) }));
  if (kinds.length === 1 && !kinds[0]!.run) {
    const file = files[0]!;
    const analysis = await analyzeFile(file, { referenceFree: false, seed, resamples: DEFAULT_RESAMPLES }, io);
    const records = await readRecords(file);
    const same = records.length === analysis.prompts.length && records.every((r, i) => r.id === analysis.prompts[i]!.id && r.samples.length === analysis.prompts[i]!.n);
    if (!same) throw new FatalError(`${file} changed while it was being read: export it again`);
    return { analysis, traces: tracesFromRecords(records), problems: analysis.skipped.map((s) => ({ file, line: s.line, message: s.message })) };
  }
  const notRun = kinds.find((k) => !k.run);
  if (notRun) throw new FatalError(`${notRun.file} is not a run file: several files must all be run files (export a trace set on its own)`);
  const problems: Loaded["problems"] = [];
  const runs: ParsedRun[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const key = resolve(file);
    if (seen.has(key)) {
      problems.push({ file, message: "given twice; the second is left out" });
      continue;
    }
    seen.add(key);
    const run = readRun(file);
    for (const w of run.warnings) problems.push({ file, line: w.line, message: w.message });
    if (run.samples.length === 0) {
      if (files.length === 1) throw new FatalError(`${file}: the run has no finished sample yet`);
      problems.push({ file, message: "the run has no finished sample yet; left out" });
      continue;
    }
    runs.push(run);
  }
  if (runs.length === 0) throw new FatalError("none of the runs has a finished sample yet: nothing to export");
  return { analysis: analyzeRuns(runs, seed), traces: tracesFromRuns(runs), problems };
}

const MAX_REPORTED = 20;

function reportProblems(problems: Loaded["problems"], io: Io): void {
  for (const p of problems.slice(0, MAX_REPORTED))
    io.stderr.write(`hotmess: ${p.file}: ${p.line !== undefined ? `line ${p.line}: ` : ""}${p.message}${p.line === undefined || /skipped$/.test(p.message) ? "" : "; line skipped"}\n`);
  if (problems.length > MAX_REPORTED) io.stderr.write(`hotmess: … and ${problems.length - MAX_REPORTED} more problems\n`);
}

/** The export of an analysis in one format, as text. */
export function renderExport(format: ExportFormat, analysis: Analysis, traces: PromptTraces[], secrets: readonly string[]): string {
  if (format === "json") return exportJson(analysis, traces, { secrets, tool: { name: "hotmess", version: VERSION } });
  if (format === "csv") return exportCsv(analysis, { secrets });
  if (format === "md") return exportMarkdown(analysis, { secrets });
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
  const seed = num(p.flags, "--seed") ?? DEFAULT_SEED;
  const files = p.positional;
  const outFlag = p.flags.get("--out");
  const out = typeof outFlag === "string" ? outFlag : defaultOut(files[0]!, format, files);
  planOutputs([{ flag: "--out", path: out, stdout: true }], { inputs: files.map((path) => ({ path, what: "the input" })) });

  const { analysis, traces, problems } = await loadForExport(files, seed, io);
  reportProblems(problems, io);
  const text = renderExport(format, analysis, traces, redactorOf(io).secrets);

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
