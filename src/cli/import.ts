// `hotmess import SRC [--format F] --out FILE.jsonl`: logs another tool wrote (a file, or a
// folder read recursively) converted into a trace set by the importers of src/import. This does
// the file system: finds the files, reads them, says what was found and what was skipped, and
// writes the trace set atomically, every line with the environment's keys redacted.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { findImporter, ImportFormatError, importFiles, knownFormats, type ImportResult, type InputFile } from "../import";
import { FatalError, UsageError, type Io, type Parsed } from "./common";
import { planOutputs, redactorOf, writeFileAtomic } from "./io";

/** Every file under a folder, recursively, in name order; names starting with "." are left out. */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue; // a link to nothing
    }
    if (st.isDirectory()) out.push(...walk(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

/** The files of SRC: itself, or every file under it. */
function sourceFiles(src: string): string[] {
  let isDir: boolean;
  try {
    isDir = statSync(src).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FatalError(code === "ENOENT" ? `${src}: no such file or folder` : `cannot read ${src}: ${(e as Error).message}`);
  }
  if (!isDir) return [src];
  let files: string[];
  try {
    files = walk(src);
  } catch (e) {
    throw new FatalError(`cannot read the folder ${src}: ${(e as Error).message}`);
  }
  if (files.length === 0) throw new FatalError(`${src} is an empty folder: nothing to import`);
  return files;
}

const MAX_REPORTED = 20;

function report(result: ImportResult, io: Io): void {
  io.stderr.write(`hotmess: ${result.summary}\n`);
  for (const p of result.problems.slice(0, MAX_REPORTED)) io.stderr.write(`hotmess: ${p.where}: ${p.message}\n`);
  if (result.problems.length > MAX_REPORTED) io.stderr.write(`hotmess: … and ${result.problems.length - MAX_REPORTED} more problems\n`);
}

export async function importCommand(p: Parsed, io: Io): Promise<number> {
  const src = p.positional[0];
  if (src === undefined) throw new UsageError("import needs the logs to read: hotmess import SRC --out FILE.jsonl");
  const out = p.flags.get("--out");
  if (typeof out !== "string") throw new UsageError("import needs --out FILE.jsonl, the trace set to write (- for standard output)");
  const format = p.flags.get("--format");
  if (typeof format === "string" && !findImporter(format)) throw new UsageError(`--format is one of ${knownFormats()}, not "${format}"`);

  const paths = sourceFiles(src);
  planOutputs([{ flag: "--out", path: out, stdout: true }], { inputs: paths.map((path) => ({ path, what: "the input" })) });
  const files: InputFile[] = paths.map((path) => {
    try {
      return { path, bytes: readFileSync(path) };
    } catch (e) {
      throw new FatalError(`cannot read ${path}: ${(e as Error).message}`);
    }
  });

  let result: ImportResult;
  try {
    result = importFiles(files, typeof format === "string" ? format : undefined);
  } catch (e) {
    if (e instanceof ImportFormatError) throw new FatalError(`${e.message}${format === undefined ? " (name one with --format)" : ""}`);
    throw e;
  }
  report(result, io);
  if (result.prompts.length === 0) throw new FatalError(`nothing imported from ${src}`);

  const redact = redactorOf(io);
  const lines = result.prompts.map((record) => JSON.stringify(redact.shared(record)) + "\n");
  if (out === "-") for (const line of lines) io.stdout.write(line);
  else {
    try {
      writeFileAtomic(out, lines);
    } catch (e) {
      throw new FatalError(`cannot write ${out}: ${(e as Error).message}`);
    }
    const n = result.prompts.length;
    const runs = result.prompts.reduce((s, r) => s + r.samples.length, 0);
    io.stderr.write(`hotmess: wrote ${out} (${n} prompt${n === 1 ? "" : "s"}, ${runs} run${runs === 1 ? "" : "s"}; hotmess analyze ${out})\n`);
  }
  return result.problems.length > 0 ? 2 : 0;
}
