// What the CLI writes, checked and cleaned on the way out: every output path is checked before
// any work (it is not an input, not another output, and can be written: a run must not sample
// for an hour and then fail to write its JSON), and every text printed goes through the shared
// redaction, so a key quoted by a trace or a model never reaches the screen.
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, realpathSync, rmdirSync, statSync, unlinkSync, type Stats } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { redactor, secretsFromEnv, type Analysis, type Redactor } from "../core";
import { REPORT_LIMIT_BYTES, writeReportHtml } from "../report/html";
import { jsonPieces, writeFileAtomic, type JsonLayout } from "../report/write";
import { FatalError, UsageError, type Io, type Out } from "./common";

// The CLI writes files the way every front end does (src/report/write.ts).
export { writeFileAtomic };

/** A file a command reads, and what it is to the user ("the trace set"). */
export interface InputPath {
  path: string;
  what: string;
}

/** A file a command writes, and the flag that named it ("--json"). */
export interface OutputPath {
  flag: string;
  path: string;
  /** "-" means standard output for this flag (else "-" is refused, not written as a file named -). */
  stdout?: boolean;
}

const isStdout = (o: OutputPath) => o.path === "-" && o.stdout === true;

interface Identity {
  /** The path with every symbolic link resolved (for a file not there yet: its folder's, plus its name). */
  real: string;
  /** Device and inode of an existing file: the same for every hard link to it. */
  dev?: number;
  ino?: number;
}

function identify(path: string): Identity {
  const abs = resolve(path);
  try {
    const st = statSync(abs);
    return { real: realpathSync(abs), dev: st.dev, ino: st.ino };
  } catch {
    try {
      return { real: join(realpathSync(dirname(abs)), basename(abs)) };
    } catch {
      return { real: abs };
    }
  }
}

/** How two paths name the same file: "" (the same path), "a symbolic link", "a hard link", or null (they do not). */
function sameFile(a: string, b: string): string | null {
  if (resolve(a) === resolve(b)) return "";
  const x = identify(a);
  const y = identify(b);
  if (x.real === y.real) return "a symbolic link";
  if (x.ino !== undefined && x.dev === y.dev && x.ino === y.ino) return "a hard link";
  return null;
}

/**
 * Refuses, before anything is read or written, an output that is one of the inputs (the same
 * path, or the same file through a symbolic or a hard link) and two outputs that are one file.
 */
export function refuseOverwrites(inputs: InputPath[], outputs: OutputPath[]): void {
  const dash = outputs.find((o) => o.path === "-" && !o.stdout);
  if (dash) throw new UsageError(`${dash.flag} writes a file, not standard output: give a file name`);
  const files = outputs.filter((o) => !isStdout(o));
  for (const o of files) {
    for (const i of inputs) {
      const how = sameFile(o.path, i.path);
      if (how !== null)
        throw new FatalError(`${o.flag} ${o.path} is one of the inputs (${i.what} ${i.path}${how ? `, through ${how}` : ""}): choose another file; hotmess never overwrites an input`);
    }
  }
  for (let a = 0; a < files.length; a++)
    for (let b = a + 1; b < files.length; b++)
      if (sameFile(files[a]!.path, files[b]!.path) !== null) throw new FatalError(`${files[a]!.flag} ${files[a]!.path} and ${files[b]!.flag} ${files[b]!.path} are the same file: give each output its own file`);
}

const ERRNO_WORDS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "a read-only file system",
  // /proc, /sys and their like answer ENOENT to anything new
  ENOENT: "it takes no new files",
  ENOSPC: "no space left on the device",
  EDQUOT: "over the disk quota",
};

function errnoWords(e: NodeJS.ErrnoException): string {
  return e.code ? `${e.code}: ${ERRNO_WORDS[e.code] ?? e.message.replace(/^\w+: /, "").replace(/, \w+ '.*'$/, "")}` : e.message;
}

/** Creates and removes a file (or a folder) in `dir`: the only sure test that it can be written. */
function probe(dir: string, kind: "file" | "dir"): NodeJS.ErrnoException | null {
  const p = join(resolve(dir), `.hotmess-write-check-${process.pid}-${Date.now().toString(36)}`);
  try {
    if (kind === "file") closeSync(openSync(p, "wx"));
    else mkdirSync(p);
  } catch (e) {
    return e as NodeJS.ErrnoException;
  }
  try {
    if (kind === "file") unlinkSync(p);
    else rmdirSync(p);
  } catch {
    // already gone
  }
  return null;
}

/**
 * What is at `path`: its stats, null when nothing is. A folder of the path that is a symbolic
 * link to nothing is named as such (a file that is one is simply replaced by the atomic write).
 */
function statOrNull(path: string, folder = true): Stats | null {
  try {
    return statSync(resolve(path));
  } catch (e) {
    // ENOTDIR: a file stands where a folder of the path should be (named by the caller's walk up)
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR") throw e;
    if (!folder) return null;
    let link = false;
    try {
      link = lstatSync(resolve(path)).isSymbolicLink();
    } catch {
      // nothing there at all
    }
    if (link) throw new Error(`${path} is a symbolic link to nothing`);
    return null;
  }
}

/** The nearest folder above `path` that exists (as the user wrote it), and what it is. */
function nearestExisting(path: string): { path: string; stat: Stats } {
  let p = path;
  for (;;) {
    const up = dirname(p);
    const st = statOrNull(up);
    if (st || up === p) return { path: up, stat: st ?? statSync(resolve(up)) };
    p = up;
  }
}

/** Why a file cannot be created at `path`, or null when it can. */
function fileProblem(path: string): string | null {
  const st = statOrNull(path, false);
  if (st?.isDirectory()) return "it is a directory (give a file name)";
  const dir = dirname(path);
  const dst = statOrNull(dir);
  if (!dst) {
    const above = nearestExisting(dir);
    return above.stat.isDirectory() ? `no such directory ${dir} (create it first)` : `${above.path} is a file, not a directory`;
  }
  if (!dst.isDirectory()) return `${dir} is a file, not a directory`;
  const e = probe(dir, "file");
  return e ? `${dir} is not writable (${errnoWords(e)})` : null;
}

/** Why run files cannot be written in `dir` (made if missing, as the run will), or null when they can. */
function dirProblem(dir: string): string | null {
  const st = statOrNull(dir);
  if (st) {
    if (!st.isDirectory()) return "it is a file, not a directory";
    const e = probe(dir, "file");
    return e ? `${dir} is not writable (${errnoWords(e)})` : null;
  }
  // the run makes the missing folders; the nearest one that exists must take a new folder
  const above = nearestExisting(dir);
  if (!above.stat.isDirectory()) return `${above.path} is a file, not a directory`;
  const e = probe(above.path, "dir");
  return e ? `${above.path} is not writable (${errnoWords(e)})` : null;
}

function check(problem: () => string | null, what: string): void {
  let why: string | null;
  try {
    why = problem();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    why = err.code ? errnoWords(err) : err.message;
  }
  if (why) throw new FatalError(`cannot write ${what}: ${why}`);
}

/**
 * Checks, without leaving anything behind, that each output file can be written (its folder
 * exists and takes a new file) and that each run folder can be made and written. Fails at once
 * with the path and the reason in words. (Node's own recursive mkdir spins for ever on a path
 * under /proc: ENOENT for the child, EEXIST for the parent, again; checked here, it never gets
 * there.)
 */
export function checkWritable(o: { files?: OutputPath[]; dirs?: string[] }): void {
  const made = new Set((o.dirs ?? []).map((d) => resolve(d)));
  for (const f of o.files ?? []) {
    if (isStdout(f)) continue;
    // a file in a run folder not made yet (`--out new --json new/a.json`): the folder's check covers it
    const folder = resolve(dirname(f.path));
    if (made.has(folder) && !existsSync(folder)) continue;
    check(() => fileProblem(f.path), f.path);
  }
  for (const d of o.dirs ?? []) check(() => dirProblem(d), `run files to ${d}`);
}

/** A path a flag may leave out (undefined: the flag was not given). */
type Given<T extends { path: string }> = Omit<T, "path"> & { path: string | undefined };

/**
 * What a command will write, checked before any work (refuseOverwrites, then checkWritable):
 * the outputs of the flags given, the inputs they must not be, and the run folders `dirs`.
 */
export function planOutputs(outputs: Given<OutputPath>[], o: { inputs?: Given<InputPath>[]; dirs?: string[] } = {}): void {
  const given = <T extends { path: string | undefined }>(xs: T[]) => xs.filter((x): x is T & { path: string } => x.path !== undefined);
  const files = given(outputs);
  refuseOverwrites(given(o.inputs ?? []), files);
  checkWritable({ files, dirs: o.dirs ?? [] });
}

/** Where a command writes its analysis: --json FILE (or - for standard output, instead of the table) and --html FILE. */
export interface AnalysisOutputs {
  json?: string | undefined;
  html?: string | undefined;
}

/** The --json and --html outputs, for planOutputs. */
export function analysisOutputs(out: AnalysisOutputs): Given<OutputPath>[] {
  return [
    { flag: "--json", path: out.json, stdout: true },
    { flag: "--html", path: out.html },
  ];
}

/**
 * An analysis where the command was told to put it, with the environment's keys redacted first
 * (the table cuts long texts: a key cut short would no longer be found in the printed line):
 * `--json -` on standard output instead of what `print` shows, else `print` and a --json file;
 * then the --html view, which names the --json file for the runs it leaves out. The analysis is
 * redacted without a copy of what does not change, and written prompt by prompt: a large one
 * is never twice in memory, nor one string.
 */
export function writeAnalysisOutputs(analysis: Analysis, out: AnalysisOutputs, io: Io, print: (analysis: Analysis) => void): void {
  const a = redactorOf(io).shared(analysis);
  let json: { file: string; layout: JsonLayout } | null = null;
  if (out.json === "-") for (const piece of jsonPieces(a, "prompts")) io.stdout.write(piece);
  else {
    print(a);
    if (out.json !== undefined) json = { file: out.json, layout: writeJson(out.json, a, io) };
  }
  if (out.html !== undefined) writeHtml(out.html, a, io, json);
}

/** Writes the hotmess.analysis/1 document; returns where each prompt is in it. */
export function writeJson(file: string, analysis: Analysis, io: Io): JsonLayout {
  const layout: JsonLayout = { bytes: 0, items: [] };
  try {
    writeFileAtomic(file, jsonPieces(analysis, "prompts", layout));
  } catch (e) {
    throw new FatalError(`cannot write ${file}: ${(e as Error).message}`);
  }
  const n = analysis.prompts.length;
  io.stderr.write(`hotmess: wrote ${file} (${n} prompt${n === 1 ? "" : "s"}, hotmess.analysis/1)\n`);
  return layout;
}

/** Writes the self-contained comparison view; `json`: the analysis JSON written with it, which the view loads runs it leaves out from. */
export function writeHtml(file: string, analysis: Analysis, io: Io, json: { file: string; layout: JsonLayout } | null = null): void {
  const full = json ? { file: relative(dirname(resolve(file)), resolve(json.file)), bytes: json.layout.bytes, prompts: json.layout.items } : null;
  let cut: { runsPerPrompt: number; runsLeftOut: number } | null = null;
  try {
    cut = writeReportHtml(file, analysis, { full });
  } catch (e) {
    throw new FatalError(`cannot write the report ${file}: ${(e as Error).message}`);
  }
  io.stderr.write(`hotmess: wrote the comparison view ${resolve(file)}\n`);
  if (cut)
    io.stderr.write(
      `hotmess: the view holds the first ${cut.runsPerPrompt} runs of each prompt (${cut.runsLeftOut} runs left out, to stay under ${REPORT_LIMIT_BYTES / 1e6} MB); ` +
        (full ? `it loads the rest from ${json!.file} when you pick that file in it\n` : `write --json FILE too, and the view can load every run from it\n`),
    );
}

/** Standard error with a live line kept at the bottom of a terminal (a run's progress). */
export interface LiveLine {
  /** Draws `text` as the live line (on a terminal; nothing otherwise). */
  setLive(text: string): void;
  /** Writes a line above the live line: clears it, writes the line, draws it again. */
  print(line: string): void;
  /** Takes the live line away: what follows starts on a clean line and nothing is drawn again. */
  clear(): void;
}

/** The live line of an Io's standard error; without a terminal there is none, and print writes plain lines. */
export function liveLine(io: Io): LiveLine {
  const tty = io.stderr.isTTY === true;
  const CLEAR = "\r\x1b[K";
  let live = "";
  const draw = () => {
    if (live) io.stderr.write(`${CLEAR}  ${live}`);
  };
  return {
    setLive(text) {
      if (!tty) return;
      live = text;
      draw();
    },
    print(line) {
      io.stderr.write(`${tty ? CLEAR : ""}${line}\n`);
      if (tty) draw();
    },
    clear() {
      if (tty && live) io.stderr.write(CLEAR);
      live = "";
    },
  };
}

/** The redaction of an Io: the one main made, else one from its environment's keys. */
export function redactorOf(io: Io): Redactor {
  return io.redact ?? redactor(secretsFromEnv(io.env));
}

/** The streams with every key of the environment (and anything shaped like a key) redacted from every text; the redactor goes with them. */
export function redactingIo(io: Io): Io {
  const redact = redactorOf(io);
  const wrap = (out: Out): Out => ({
    write: (text: string) => out.write(redact.text(text)),
    get isTTY() {
      return out.isTTY;
    },
    get columns() {
      return out.columns;
    },
  });
  return { stdout: wrap(io.stdout), stderr: wrap(io.stderr), env: io.env, redact, ...(io.confirm ? { confirm: io.confirm } : {}) };
}
