// The run store: a run is a JSON Lines file (src/core/runfile.ts), written as the run goes.
// The header is written first; each finished sample is appended and flushed to disk the moment
// it finishes, so a crash loses at most the line being written, which readers skip. Resuming
// cuts such a torn line off before appending again.
import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeSync, existsSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import type { ToolsFileReader } from "../core";
import { isSweepFile } from "../core/sweepfile";
import { parseRunFile, REDACTED, redactDeep, redactSecrets, type ParsedRun, type RunEndLine, type RunFailureLine, type RunHeader, type RunSampleLine } from "../core";
import type { FailedSample, FinishedSample } from "./engine";

/** A stable hash of a prompt's text (whitespace at the ends ignored), to find its runs. */
export function promptHash(prompt: string, system?: string): string {
  return createHash("sha256")
    .update((system ?? "").trim() + "\u0000" + prompt.trim())
    .digest("hex")
    .slice(0, 16);
}

/** Query parameters named like a credential: key, api_key, api-key, token, access_token, client_secret, password, sig… */
const SECRET_PARAM = /(^|[-_.])(key|apikey|token|secret|password|passwd|pwd|auth|authorization|signature|sig|credentials?)$/i;

/**
 * A base URL as it may be stored or shown: without user name, password and query (they can hold
 * keys); with `keepQuery`, the query stays but for its parameters named like a credential.
 * Undefined without a URL, or for one that does not parse.
 */
export function safeBaseURL(url: string | undefined, keepQuery = false): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.hash = "";
    if (!keepQuery) u.search = "";
    else for (const k of [...u.searchParams.keys()]) if (SECRET_PARAM.test(k)) u.searchParams.delete(k);
    return u.toString().replace(/\/(?=$|\?)/, "");
  } catch {
    return undefined;
  }
}

/**
 * Why a base URL cannot be used, or null when it can (or when there is none). A key must not
 * travel in a URL: a user name and password, a query parameter named like a key (`?api_key=`,
 * `?key=`, `?token=`…), or anything that looks like an API key. Logs, run files and error
 * messages quote URLs. The message never repeats the credentials, and says where the key
 * belongs (`keyVariable`: ANTHROPIC_API_KEY, OPENAI_API_KEY). Both providers' check() says
 * it, which the run engine calls before any request, so every front end gets it.
 */
export function checkBaseURL(url: string | undefined, keyVariable: string): string | null {
  if (url === undefined || url === "") return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    const shown = redactSecrets(url.replace(/\?.*$/, "")).replace(/\/\/[^/]*@/, "//…@");
    return `the base URL "${shown}" is not a URL: give it in full, with http:// or https:// (e.g. http://localhost:11434/v1)`;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return `the base URL must start with http:// or https:// (it starts with ${u.protocol}): e.g. http://localhost:11434/v1`;
  const why = "a key must not travel in a URL (logs and run files would keep it)";
  const put = `put the key in ${keyVariable} (in the editor: Hot Mess: Set API Key)`;
  if (u.username || u.password) return `the base URL has ${u.password ? "a user name and password" : "a user name"} in it: ${why}. ${cap(put)} and give the URL without ${u.password ? "them" : "it"}: ${safeBaseURL(url, true)}`;
  const param = [...u.searchParams.keys()].find((k) => SECRET_PARAM.test(k));
  if (param) return `the base URL has a key in its query (${param}=…): ${why}. ${cap(put)} and give the URL without it: ${safeBaseURL(url, true)}`;
  const shown = safeDecode(u.toString());
  if (redactSecrets(shown) !== shown) return `the base URL has what looks like an API key in it (${redactSecrets(shown)}): ${why}. ${cap(put)} and give the URL without it`;
  return null;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A URL with its %-escapes decoded (a key may hide behind them), or as it is when they are malformed. */
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Makes a directory and the parents it lacks, one level at a time from the nearest one that
 * exists, so a path that cannot be made fails at once with its error. (mkdirSync's recursive
 * mode loops for ever where a level cannot be made, as under /proc on Node 20: ENOENT for the
 * child, EEXIST for the parent, again.)
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break; // a root that is not there
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      // made meanwhile (another run starting in the same folder)
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40) || "run"
  );
}

export class RunWriter {
  /** Keys redacted from every line written (src/core/redact.ts). */
  private secrets: readonly string[] = [];
  /** The header as written (keys redacted), for a file this writer created; null for a resumed one. */
  header: RunHeader | null = null;

  private constructor(
    readonly file: string,
    private fd: number | null,
  ) {}

  /**
   * Creates a new run file in `dir` (made if missing) and writes its header, with `secrets`
   * redacted from it and from every line after it (a prompt, a reply can quote a key).
   */
  static create(dir: string, header: Omit<RunHeader, "type" | "schema">, secrets: readonly string[] = []): RunWriter {
    makeDirs(dir);
    const stamp = header.createdAt.replace(/[:.]/g, "-").replace(/-\d{3}Z$/, "Z");
    let file = join(dir, `${stamp}-${slug(header.model)}.jsonl`);
    for (let k = 2; existsSync(file); k++) file = join(dir, `${stamp}-${slug(header.model)}-${k}.jsonl`);
    const fd = openSync(file, "wx", 0o644);
    const w = new RunWriter(file, fd);
    w.secrets = secrets;
    w.header = w.line<RunHeader>({ type: "header", schema: "hotmess.run/1", ...header });
    return w;
  }

  /** Redacts these keys from every line written from now on (a resumed file: keys known once the provider is). */
  redacting(secrets: readonly string[]): this {
    this.secrets = secrets;
    return this;
  }

  /** Opens an existing run file to append to it (after cutting off a torn last line). */
  static resume(file: string): { writer: RunWriter; run: ParsedRun } {
    const text = readFileSync(file, "utf8");
    const run = parseRunFile(text);
    // A key in the prompt is kept only as [redacted]: resuming would rerun another prompt.
    const h = run.header;
    if (h.prompt.includes(REDACTED) || (h.system ?? "").includes(REDACTED))
      throw new Error(`its ${h.prompt.includes(REDACTED) ? "prompt" : "system prompt"} held an API key, which the run file keeps only as ${REDACTED}: resuming would rerun a different prompt. Start a new run with the prompt instead`);
    const fd = openSync(file, "r+");
    ftruncateSync(fd, run.goodLength);
    const w = new RunWriter(file, fd);
    w.position = run.goodLength;
    if (run.missingNewline) w.raw("\n");
    return { writer: w, run };
  }

  private position: number | null = null;

  private raw(s: string): void {
    if (this.fd === null) throw new Error(`run file ${this.file} is closed`);
    const buf = Buffer.from(s, "utf8");
    if (this.position === null) writeSync(this.fd, buf);
    else {
      writeSync(this.fd, buf, 0, buf.length, this.position);
      this.position += buf.length;
    }
    fsyncSync(this.fd);
  }

  /** Writes a line with the keys redacted; returns it as written. */
  private line<T extends object>(v: T): T {
    const clean = redactDeep(v, this.secrets);
    this.raw(JSON.stringify(clean) + "\n");
    return clean;
  }

  /** Appends a finished sample; returns the line as written (keys redacted). */
  sample(s: FinishedSample): RunSampleLine {
    return this.line<RunSampleLine>({ type: "sample", ...s });
  }

  /** Appends a failure with its reason; returns the line as written (keys redacted). */
  failure(f: FailedSample): RunFailureLine {
    return this.line<RunFailureLine>({ type: "failure", ...f });
  }

  end(status: RunEndLine["status"], message?: string, stoppedEarly?: boolean): RunEndLine {
    return this.line<RunEndLine>({ type: "end", status, ...(message ? { message } : {}), ...(stoppedEarly ? { stoppedEarly } : {}), finishedAt: new Date().toISOString() });
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * A file's first non-blank line, without reading the rest (a sweep file can be tens of
 * megabytes): read in 64 KB pieces until a line ends, up to 4 MB (a run header holding a long
 * conversation). "" when the file cannot be read or has nothing.
 */
export function readFirstLine(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return "";
  }
  try {
    const buf = Buffer.alloc(64 * 1024);
    const decoder = new TextDecoder();
    let text = "";
    for (let at = 0; at <= 4 * 1024 * 1024; ) {
      const n = readSync(fd, buf, 0, buf.length, at);
      if (n === 0) break;
      at += n;
      text += decoder.decode(buf.subarray(0, n), { stream: true });
      // the lines ended so far: the first that is not blank is it; blank ones are dropped
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n")) {
        const line = text.slice(0, nl).trim();
        if (line !== "") return line;
        text = text.slice(nl + 1);
      }
    }
    return text.trim();
  } catch {
    return "";
  } finally {
    closeSync(fd);
  }
}

/** Whether a file is a sweep file (its first line a hotmess.sweep header). */
export function isSweepPath(file: string): boolean {
  const first = readFirstLine(file);
  return first.includes('"hotmess.sweep/') && isSweepFile(first);
}

/** Reads a run file from disk. */
export function readRun(file: string): ParsedRun {
  return parseRunFile(readFileSync(file, "utf8"));
}

/** A tools file larger than this is refused (tool declarations are a few kilobytes). */
export const MAX_TOOLS_FILE_BYTES = 1_000_000;

/** When a file last changed ("" when it cannot be read): a prompt whose tools file changed is read again. */
export function fileStamp(path: string): string {
  try {
    const st = statSync(path);
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return "";
  }
}

/**
 * The tools files a prompt file names (`tools: FILE`), read relative to it; each file read is
 * noted in `seen` with its stamp.
 */
export function toolsFileReader(promptFile: string | null, seen?: Map<string, string>): ToolsFileReader {
  return (file) => {
    if (promptFile === null) return { error: "the prompt file is not saved: a tools file is read relative to it" };
    const path = resolve(dirname(promptFile), file);
    seen?.set(path, fileStamp(path));
    try {
      if (statSync(path).size > MAX_TOOLS_FILE_BYTES) return { error: `it is larger than ${MAX_TOOLS_FILE_BYTES / 1e6} MB` };
      return { text: readFileSync(path, "utf8") };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { error: code === "ENOENT" ? `no such file (${path})` : code === "EISDIR" ? "it is a directory" : (e as Error).message };
    }
  };
}
