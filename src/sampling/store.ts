// The run store: a run is a JSON Lines file (src/core/runfile.ts), written as the run goes.
// The header is written first; each finished sample is appended and flushed to disk the moment
// it finishes, so a crash loses at most the line being written, which readers skip. Resuming
// cuts such a torn line off before appending again.
import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync, existsSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { parseRunFile, type ParsedRun, type RunEndLine, type RunFailureLine, type RunHeader, type RunSampleLine } from "../core";
import type { FailedSample, FinishedSample } from "./engine";

/** A stable hash of a prompt's text (whitespace at the ends ignored), to find its runs. */
export function promptHash(prompt: string, system?: string): string {
  return createHash("sha256")
    .update((system ?? "").trim() + "\u0000" + prompt.trim())
    .digest("hex")
    .slice(0, 16);
}

/** A base URL as it may be stored: without user name, password or query (they can hold keys). */
export function safeBaseURL(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.search = "";
    u.hash = "";
    return u.toString().replace(/\/$/, "");
  } catch {
    return undefined;
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
  private constructor(
    readonly file: string,
    private fd: number | null,
  ) {}

  /** Creates a new run file in `dir` (made if missing) and writes its header. */
  static create(dir: string, header: Omit<RunHeader, "type" | "schema">): RunWriter {
    mkdirSync(dir, { recursive: true });
    const stamp = header.createdAt.replace(/[:.]/g, "-").replace(/-\d{3}Z$/, "Z");
    let file = join(dir, `${stamp}-${slug(header.model)}.jsonl`);
    for (let k = 2; existsSync(file); k++) file = join(dir, `${stamp}-${slug(header.model)}-${k}.jsonl`);
    const fd = openSync(file, "wx", 0o644);
    const w = new RunWriter(file, fd);
    w.line({ type: "header", schema: "hotmess.run/1", ...header });
    return w;
  }

  /** Opens an existing run file to append to it (after cutting off a torn last line). */
  static resume(file: string): { writer: RunWriter; run: ParsedRun } {
    const text = readFileSync(file, "utf8");
    const run = parseRunFile(text);
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

  private line(v: object): void {
    this.raw(JSON.stringify(v) + "\n");
  }

  sample(s: FinishedSample): void {
    const line: RunSampleLine = { type: "sample", ...s };
    this.line(line);
  }

  failure(f: FailedSample): void {
    const line: RunFailureLine = { type: "failure", ...f };
    this.line(line);
  }

  end(status: RunEndLine["status"], message?: string, stoppedEarly?: boolean): void {
    const line: RunEndLine = { type: "end", status, ...(message ? { message } : {}), ...(stoppedEarly ? { stoppedEarly } : {}), finishedAt: new Date().toISOString() };
    this.line(line);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Reads a run file from disk. */
export function readRun(file: string): ParsedRun {
  return parseRunFile(readFileSync(file, "utf8"));
}
