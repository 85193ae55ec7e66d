// The `hotmess` command.
import { closeSync, createReadStream, openSync, readFileSync, readSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { Analyzer, DEFAULT_RESAMPLES, DEFAULT_SEED, describeRunFailure, isRunFile, parseRunFile, parseTraceLine, runToPromptRecord, type Analysis, type LineProblem, type ParsedRun } from "../core";
import { writeFileAtomic } from "./io";
import { ANSI_STYLE, NO_STYLE, renderTable } from "./table";
import { FatalError, intFlag, parseArgs, UsageError, VERSION, type Io } from "./common";

export { FatalError, UsageError, VERSION, parseArgs, type Io };

const USAGE = `hotmess ${VERSION}: how reruns of a prompt fall apart

Usage:
  hotmess analyze FILE.jsonl [--json OUT|-] [--html OUT] [--reference-free] [--seed N] [--resamples N]
  hotmess run (--prompt TEXT | --prompt-file F) -n N [--provider anthropic|openai] [--model M]
              [--base-url URL] [--reference R] [--system TEXT] [--concurrency C]
              [--thinking adaptive|budget|off] [--thinking-budget T] [--max-tokens T]
              [--temperature T] [--until-ci W] [--timeout S] [--retries K] [--prices FILE]
              [--out DIR] [--json OUT|-]
  hotmess run --resume RUNFILE [-n N]
  hotmess bench optimizer -n N [--provider P --model M] [--difficulty easy,medium,hard] [--seed S]
              [--out DIR] [--html OUT] [--json OUT] [--sim-… knobs]
  hotmess export FILE... --format json|csv|md|html [--out OUT|-] [--seed N]
  hotmess demo
  hotmess --help | --version

analyze     reads a trace set (JSON Lines, one prompt per line) or a run file, and prints, per prompt, the
            answer classes, bias², variance, error, incoherence with its 95% interval and the
            fork column, then the pooled figures and the length split.
  --json OUT        write the hotmess.analysis/1 document to OUT (- for standard output)
  --html OUT        write the comparison view as one self-contained HTML file
  --reference-free  ignore references and correctness flags: disagreement and entropy only
  --seed N          bootstrap seed (default ${DEFAULT_SEED}); the same seed prints the same intervals
  --resamples N     bootstrap resamples (default ${DEFAULT_RESAMPLES}; 0 for no intervals)

run         reruns a prompt N times (keys from ANTHROPIC_API_KEY / OPENAI_API_KEY), records every
            sample in a run file under --out (default .hotmess/runs), shows live progress, then
            the same table as analyze. Ctrl-C cancels and keeps what finished; --resume continues.
  --until-ci W      sample in waves until the incoherence interval is narrower than W (needs --reference)
  --timeout S       abandon and retry a sample that sends nothing for S seconds (default 120)
  --retries K       retries per sample on 429/529/5xx/dropped streams (default 5)
  --prices FILE     a JSON price table {"model": {"input": USD/M, "output": USD/M}} over the built-in one
  --html OUT        also write the comparison view

bench       runs the optimizer-emulation benchmark (easy, medium, hard) against a provider (the
            simulated reasoner by default), keeps each difficulty as a run file under --out
            (default .hotmess/bench), prints incoherence per step and writes the comparison view
            (--html, default OUT/report.html). The simulated reasoner's knobs: --sim-slip P,
            --sim-slip-kind rate|drop-b, --sim-slip-size S, --sim-noise P, --sim-sigma S,
            --sim-distraction P, --sim-growth G, --sim-speed TOKENS/S, --sim-seed N.

export      writes a trace set, or run files (one prompt each, analysed together), as json (the
            hotmess.analysis/1 document plus the raw traces), csv (one row per prompt × run ×
            aligned column), md (a summary for a pull request) or html (the comparison view), to
            --out OUT (default: beside the first FILE; - for standard output). Keys are never
            exported (they become [redacted]); a CSV text starting with = + - @ gets a leading '.

demo        the benchmark on the simulated reasoner, offline and seeded; writes out/demo/report.html

Exit status: 0 on success, 2 when some input lines or samples were skipped or failed, 1 on an
error, 130 when a run was cancelled.`;

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
  const fd = openSync(file, "r");
  let first = "";
  try {
    const buf = Buffer.alloc(64 * 1024);
    const got = readSync(fd, buf, 0, buf.length, 0);
    first = buf.subarray(0, got).toString("utf8").split("\n").find((l) => l.trim() !== "") ?? "";
  } finally {
    closeSync(fd);
  }
  if (!first.includes('"hotmess.run/') || !isRunFile(first.trim())) return null;
  try {
    return parseRunFile(readFileSync(file, "utf8"));
  } catch (e) {
    throw new FatalError(`${file}: ${(e as Error).message}`);
  }
}

/** Streams a trace set through the analyzer, line by line. */
export async function analyzeFile(file: string, opts: { referenceFree: boolean; seed: number; resamples: number }, io: Io): Promise<Analysis> {
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
  if (run) {
    const analyzer = new Analyzer({ ...opts, generator: { name: "hotmess", version: VERSION } });
    // a run that failed says why (every front end words it the same: describeRunFailure)
    if (run.samples.length === 0) throw new FatalError(describeRunFailure(run, file) ?? `${file}: the run has no finished sample yet`);
    analyzer.add(runToPromptRecord(run));
    return analyzer.finish(run.warnings);
  }

  const analyzer = new Analyzer({ ...opts, generator: { name: "hotmess", version: VERSION } });
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

async function analyzeCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, new Set(["--json", "--seed", "--resamples", "--html"]), new Set(["--reference-free"]));
  if (p.positional.length !== 1) throw new UsageError(p.positional.length === 0 ? "analyze needs a trace set: hotmess analyze FILE.jsonl" : `analyze takes one file, got ${p.positional.length}`);
  const file = p.positional[0]!;
  const analysis = await analyzeFile(
    file,
    { referenceFree: p.flags.has("--reference-free"), seed: intFlag(p, "--seed", DEFAULT_SEED, 0), resamples: intFlag(p, "--resamples", DEFAULT_RESAMPLES, 0) },
    io,
  );
  reportSkipped(analysis.skipped, io);
  const json = p.flags.get("--json");
  if (json === "-") io.stdout.write(JSON.stringify(analysis) + "\n");
  else {
    const color = io.stdout.isTTY === true && !io.env.NO_COLOR;
    io.stdout.write(renderTable(analysis, color ? ANSI_STYLE : NO_STYLE).join("\n") + "\n");
    if (typeof json === "string") {
      try {
        writeFileAtomic(json, JSON.stringify(analysis) + "\n");
      } catch (e) {
        throw new FatalError(`cannot write ${json}: ${(e as Error).message}`);
      }
      io.stderr.write(`hotmess: wrote ${json} (${analysis.prompts.length} prompts, hotmess.analysis/1)\n`);
    }
  }
  const html = p.flags.get("--html");
  if (typeof html === "string") (await import("./run")).writeHtml(html, analysis, io);
  return analysis.skipped.length > 0 ? 2 : 0;
}

/** `hotmess run` with Ctrl-C: the first cancels the run and keeps what finished, a second quits. */
async function runWithSignals(argv: string[], io: Io): Promise<number> {
  const { runCommand } = await import("./run");
  return withCancel(io, (signal) => runCommand(argv, io, signal));
}

/** Runs a command that samples, with Ctrl-C wired to its cancellation. */
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

export async function main(argv: string[], io: Io): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
      io.stdout.write(USAGE + "\n");
      return command === undefined ? 1 : 0;
    }
    if (command === "--version" || command === "-v") {
      io.stdout.write(VERSION + "\n");
      return 0;
    }
    if (command === "analyze") return await analyzeCommand(rest, io);
    if (command === "run") return await runWithSignals(rest, io);
    if (command === "export") return await (await import("./export")).exportCommand(rest, io);
    if (command === "demo") return await withCancel(io, async (signal) => (await import("./demo")).demo(io, signal));
    if (command === "bench") return await withCancel(io, async (signal) => (await import("./bench")).benchCommand(rest, io, signal));
    throw new UsageError(`unknown command "${command}"`);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`hotmess: ${e.message} (see hotmess --help)\n`);
      return 1;
    }
    if (e instanceof FatalError) {
      io.stderr.write(`hotmess: ${e.message}\n`);
      return 1;
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
