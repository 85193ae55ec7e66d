// The `hotmess` command.
import { createReadStream, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { Analyzer, DEFAULT_RESAMPLES, DEFAULT_SEED, parseTraceLine, type Analysis, type LineProblem } from "../core";
import { writeFileAtomic } from "./io";
import { ANSI_STYLE, NO_STYLE, renderTable } from "./table";
import pkg from "../../package.json";

export const VERSION: string = pkg.version;

const USAGE = `hotmess ${VERSION}: how reruns of a prompt fall apart

Usage:
  hotmess analyze FILE.jsonl [--json OUT|-] [--reference-free] [--seed N] [--resamples N]
  hotmess demo
  hotmess --help | --version

analyze     reads a trace set (JSON Lines, one prompt per line) and prints, per prompt, the
            answer classes, bias², variance, error, incoherence with its 95% interval and the
            fork column, then the pooled figures and the length split.
  --json OUT        write the hotmess.analysis/1 document to OUT (- for standard output)
  --reference-free  ignore references and correctness flags: disagreement and entropy only
  --seed N          bootstrap seed (default ${DEFAULT_SEED}); the same seed prints the same intervals
  --resamples N     bootstrap resamples (default ${DEFAULT_RESAMPLES}; 0 for no intervals)

Exit status: 0 on success, 2 when some input lines or samples were skipped, 1 on an error.`;

export class UsageError extends Error {}

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

/** A small strict parser: known flags only, values after a space or `=`. */
export function parseArgs(argv: string[], valued: Set<string>, boolean: Set<string>): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-" || !arg.startsWith("-")) {
      positional.push(arg);
      continue;
    }
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (boolean.has(name)) {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      flags.set(name, true);
    } else if (valued.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "") throw new UsageError(`${name} needs a value`);
      flags.set(name, value);
    } else throw new UsageError(`unknown option ${name}`);
  }
  return { positional, flags };
}

function intFlag(p: Parsed, name: string, fallback: number, min: number): number {
  const v = p.flags.get(name);
  if (v === undefined) return fallback;
  const x = Number(v);
  if (typeof v !== "string" || !Number.isInteger(x) || x < min) throw new UsageError(`${name} must be an integer ≥ ${min}, not "${String(v)}"`);
  return x;
}

export class FatalError extends Error {}

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
}

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
  const p = parseArgs(argv, new Set(["--json", "--seed", "--resamples"]), new Set(["--reference-free"]));
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
  return analysis.skipped.length > 0 ? 2 : 0;
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
    if (command === "demo") return await (await import("./demo")).demo(io);
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
