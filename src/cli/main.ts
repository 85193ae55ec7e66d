// The `hotmess` command.
import { createReadStream, readFileSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { describeSweep, SweepStream, type ParsedSweep } from "../core/sweepfile";
import { isSweepPath, readFirstLine } from "../sampling/store";
import { addRun, runSeed } from "../core/runanalysis";
import type { AnalyzeOptions } from "../core/analyze";
import { analyzeRun, Analyzer, DEFAULT_RESAMPLES, DEFAULT_SEED, describeRunFailure, isRunFile, parseRunFile, parseTraceLine, type Analysis, type LineProblem, type ParsedRun } from "../core";
import { analysisOutputs, planOutputs, redactingIo, writeAnalysisOutputs } from "./io";
import { printTable } from "./table";
import { answerSpecFlags, COMMANDS, isCommand, renderOverview, TOP, type CommandName } from "./commands";
import type { AnswerSpec } from "../core/answerspec";
import { FatalError, num, parseCommand, renderHelp, UsageError, VERSION, type Io, type Parsed } from "./common";

export type { Io };

/** A progress bar on stderr, for large inputs on a terminal; redrawn at most every 100 ms. */
class Progress {
  private last = 0;
  private shown = false;
  constructor(
    private readonly io: Io,
    private readonly total: number,
    private readonly enabled: boolean,
  ) {}
  update(done: number, prompts: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && done < this.total) return;
    this.last = now;
    const width = Math.max(10, Math.min(40, (this.io.stderr.columns ?? 80) - 40));
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const fill = Math.round(frac * width);
    this.io.stderr.write(`\r  analysing [${"█".repeat(fill)}${"░".repeat(width - fill)}] ${(100 * frac).toFixed(0).padStart(3)}%  ${prompts} prompts`);
    this.shown = true;
  }
  done(): void {
    if (this.shown) this.io.stderr.write("\r\x1b[K");
  }
}

/** Inputs at least this large get a progress bar (on a terminal). */
export const PROGRESS_BYTES = 512 * 1024;

/** The parsed run when the file is a run file (its first line is a hotmess.run header), else null. */
function readRunIfRunFile(file: string): ParsedRun | null {
  const first = readFirstLine(file);
  if (!first.includes('"hotmess.run/') || !isRunFile(first.trim())) return null;
  try {
    return parseRunFile(readFileSync(file, "utf8"));
  } catch (e) {
    throw new FatalError(`${file}: ${(e as Error).message}`);
  }
}

/**
 * A file's analysis (analyzeFile) and, when it is a run or a sweep that did not finish, the
 * sentence that says where it stands and what to run next (describeRunFailure, describeSweep).
 */
export async function analyzeWithState(file: string, opts: Parameters<typeof analyzeFile>[1], io: Io): Promise<{ analysis: Analysis; unfinished: string | null; run?: ParsedRun }> {
  const got: { run?: ParsedRun; sweep?: ParsedSweep } = {};
  const analysis = await analyzeFile(file, opts, io, (r) => (got.run = r), (sw) => (got.sweep = sw));
  const unfinished = got.sweep ? describeSweep(got.sweep, file) : got.run ? describeRunFailure(got.run, file) : null;
  return { analysis, unfinished, ...(got.run ? { run: got.run } : {}) };
}

async function* fileLines(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
  }
}

/**
 * A sweep file's analysis, each prompt as a run of its own, read in two passes so that a sweep of
 * any size is never held whole (src/core/sweepfile.ts SweepStream): every face analyses a sweep
 * so. `onRun` sees each prompt's run.
 */
export async function analyzeSweepFile(file: string, opts: AnalyzeOptions, onRun?: (run: ParsedRun) => void, onSweep?: (sweep: ParsedSweep) => void): Promise<Analysis> {
  const stream = new SweepStream();
  let light: ParsedSweep;
  try {
    let k = 0;
    for await (const line of fileLines(file)) stream.scan(line, ++k);
    light = stream.light();
  } catch (e) {
    throw new FatalError(`${file}: ${(e as Error).message}`);
  }
  onSweep?.(light);
  let analyzer = null as Analyzer | null;
  let answered = 0;
  let k = 0;
  const add = (run: ParsedRun) => {
    onRun?.(run);
    if (run.samples.length === 0) return;
    analyzer ??= new Analyzer({ ...opts, seed: opts.seed ?? runSeed(run.header) });
    addRun(analyzer, run, opts.seed);
    answered++;
  };
  for await (const line of fileLines(file)) for (const run of stream.replay(line, ++k)) add(run);
  for (const run of stream.finish()) add(run);
  if (!analyzer || answered === 0) throw new FatalError(`${file}: ${describeSweep(light, file) ?? "the sweep has no reply yet"}`);
  return analyzer.finish(light.warnings);
}

/**
 * Streams a trace set through the analyzer, line by line; a run file is analysed as every face
 * does (src/core/runanalysis.ts). `seed` (--seed) overrides a run file's recorded seed; a trace
 * set without it has seed 1. Exported for `hotmess compare`, which analyses each side so.
 */
export async function analyzeFile(file: string, opts: { referenceFree: boolean; seed?: number; resamples: number; answerSpec?: AnswerSpec }, io: Io, onRun?: (run: ParsedRun) => void, onSweep?: (sweep: ParsedSweep) => void): Promise<Analysis> {
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new FatalError(`${file} is a directory, not a trace set (.jsonl)`);
    size = st.size;
  } catch (e) {
    if (e instanceof FatalError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new FatalError(code === "ENOENT" ? `${file}: no such file` : `cannot read ${file}: ${(e as Error).message}`);
  }
  if (size === 0) throw new FatalError(`${file} is empty: a trace set has one JSON object per line (see the README, "Trace sets")`);
  const run = readRunIfRunFile(file);
  const generator = { name: "hotmess", version: VERSION };
  if (!run && isSweepPath(file)) return analyzeSweepFile(file, { ...opts, generator }, undefined, onSweep);
  if (run) {
    // a run that failed says why (every front end words it the same: describeRunFailure)
    if (run.samples.length === 0) throw new FatalError(describeRunFailure(run, file) ?? `${file}: the run has no finished sample yet`);
    onRun?.(run);
    return analyzeRun(run, { ...opts, generator });
  }

  const analyzer = new Analyzer({ ...opts, seed: opts.seed ?? DEFAULT_SEED, generator });
  const skipped: LineProblem[] = [];
  const seen = new Map<string, number>();
  const progress = new Progress(io, size, size >= PROGRESS_BYTES && io.stderr.isTTY === true);
  const stream = createReadStream(file);
  let bytes = 0;
  stream.on("data", (chunk) => (bytes += chunk.length));
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  let nonBlank = 0;
  try {
    for await (const line of rl) {
      lineNo++;
      const parsed = parseTraceLine(line, lineNo, seen);
      if (parsed === null) continue;
      nonBlank++;
      if ("error" in parsed) skipped.push(parsed.error);
      else {
        skipped.push(...parsed.warnings);
        analyzer.add(parsed.record);
      }
      progress.update(bytes, nonBlank - skipped.length);
    }
  } catch (e) {
    progress.done();
    throw new FatalError(`cannot read ${file}: ${(e as Error).message}`);
  }
  progress.done();
  const analysis = analyzer.finish(skipped);
  if (nonBlank === 0) throw new FatalError(`${file} has no content: a trace set has one JSON object per line`);
  if (analysis.prompts.length === 0) {
    const first = skipped[0];
    const why = first ? ` (line ${first.line}: ${first.message}${skipped.length > 1 ? `; and ${skipped.length - 1} more` : ""})` : "";
    throw new FatalError(`${file}: no usable prompt in ${nonBlank} line${nonBlank === 1 ? "" : "s"}${why}`);
  }
  return analysis;
}

const MAX_REPORTED = 20;

function reportSkipped(skipped: LineProblem[], io: Io): void {
  for (const p of skipped.slice(0, MAX_REPORTED)) io.stderr.write(`hotmess: line ${p.line}: ${p.message}${/skipped$/.test(p.message) ? "" : "; line skipped"}\n`);
  if (skipped.length > MAX_REPORTED) io.stderr.write(`hotmess: … and ${skipped.length - MAX_REPORTED} more problems\n`);
}

async function analyzeCommand(p: Parsed, io: Io): Promise<number> {
  if (p.positional.length === 0) throw new UsageError("analyze needs a trace set: hotmess analyze FILE.jsonl");
  const file = p.positional[0]!;
  const out = { json: p.flags.get("--json") as string | undefined, html: p.flags.get("--html") as string | undefined };
  planOutputs(analysisOutputs(out), { inputs: [{ path: file, what: "the trace set" }] });
  // a run file (or a sweep) that failed in part is analysed for what finished, and says what is missing
  // --answer / --compare win over a file's own answer spec, part by part
  const answerSpec = answerSpecFlags(p.flags);
  const { analysis, unfinished } = await analyzeWithState(file, { referenceFree: p.flags.has("--reference-free"), seed: num(p.flags, "--seed"), resamples: num(p.flags, "--resamples") ?? DEFAULT_RESAMPLES, ...(answerSpec ? { answerSpec } : {}) }, io);
  reportSkipped(analysis.skipped, io);
  writeAnalysisOutputs(analysis, out, io, (a) => printTable(a, io));
  if (unfinished) io.stderr.write(`hotmess: ${unfinished}\n`);
  return analysis.skipped.length > 0 || unfinished ? 2 : 0;
}

/** Runs a command that samples, with Ctrl-C wired to its cancellation: the first cancels and keeps what finished, a second quits. */
async function withCancel(io: Io, body: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const cancel = new AbortController();
  const onSigint = () => {
    if (cancel.signal.aborted) process.exit(130);
    io.stderr.write("\nhotmess: cancelling: finished samples are kept (Ctrl-C again to quit at once)\n");
    cancel.abort();
  };
  process.on("SIGINT", onSigint);
  try {
    return await body(cancel.signal);
  } finally {
    process.off("SIGINT", onSigint);
  }
}

/** What runs each subcommand of the table (the heavy ones loaded only when asked for). */
const RUNNERS: Record<CommandName, (p: Parsed, io: Io) => Promise<number>> = {
  analyze: analyzeCommand,
  run: (p, io) => withCancel(io, async (signal) => (await import("./run")).runCommand(p, io, signal)),
  export: async (p, io) => (await import("./export")).exportCommand(p, io),
  import: async (p, io) => (await import("./import")).importCommand(p, io),
  classes: async (p, io) => (await import("./classes")).classesCommand(p, io),
  check: async (p, io) => (await import("./check")).checkCommand(p, io),
  compare: async (p, io) => (await import("./compare")).compareCommand(p, io),
  bench: (p, io) => withCancel(io, async (signal) => (await import("./bench")).benchCommand(p, io, signal)),
  demo: (_p, io) => withCancel(io, async (signal) => (await import("./demo")).demo(io, signal)),
};

/** Runs a subcommand with its arguments parsed against its table (its --help instead, when asked); its usage errors point to its --help. */
async function dispatch(command: string, argv: string[], io: Io): Promise<number> {
  if (!isCommand(command)) throw unknownCommand(command);
  const spec = COMMANDS[command];
  try {
    const p = parseCommand(argv, spec);
    if (p.help) {
      io.stdout.write(renderHelp(spec));
      return 0;
    }
    return await RUNNERS[command](p, io);
  } catch (e) {
    if (e instanceof UsageError) e.command ??= command;
    // a gate's 1 says a threshold was crossed: its usage and input errors exit 2, not 1
    if (command === "check" && (e instanceof UsageError || e instanceof FatalError)) e.exit ??= 2;
    throw e;
  }
}

const unknownCommand = (word: string) => new UsageError(`unknown command "${word}"`);

/** The top level: no command, --help / --version, or `help [COMMAND]`; null when argv starts with a command. */
function topLevel(argv: string[], io: Io): number | null {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stdout.write(renderOverview());
    return 1;
  }
  if (first === "help") {
    const topic = rest[0];
    if (rest.length > 1) throw new UsageError(`unexpected argument "${rest[1]}": hotmess help takes one command`);
    if (topic !== undefined && !isCommand(topic)) throw unknownCommand(topic);
    io.stdout.write(topic === undefined ? renderOverview() : renderHelp(COMMANDS[topic]));
    return 0;
  }
  if (!first.startsWith("-") || first === "-") return null;
  const p = parseCommand(argv, TOP);
  if (p.help) io.stdout.write(renderOverview());
  else if (p.flags.has("--version")) io.stdout.write(VERSION + "\n");
  return 0;
}

export async function main(argv: string[], rawIo: Io): Promise<number> {
  // everything printed, messages included, goes out with the environment's keys redacted
  const io = redactingIo(rawIo);
  try {
    return topLevel(argv, io) ?? (await dispatch(argv[0]!, argv.slice(1), io));
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`hotmess: ${e.message} (see hotmess${e.command ? ` ${e.command}` : ""} --help)\n`);
      return e.exit ?? 1;
    }
    if (e instanceof FatalError) {
      io.stderr.write(`hotmess: ${e.message}\n`);
      return e.exit ?? 1;
    }
    io.stderr.write(`hotmess: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

if (require.main === module) {
  // `hotmess analyze … --json - | head`: a closed pipe ends the output quietly.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
    process.exitCode = code;
  });
}
