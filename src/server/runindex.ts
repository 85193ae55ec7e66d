// The language server's view of a run store (a directory of `hotmess.run/1` files), kept up to
// date incrementally:
//   - per file it remembers size, mtime and inode, the header line, and the run's summary;
//   - a change of directory (fs.watch, a `hotmess/runsChanged` notification, or the periodic
//     stat pass that catches what watching misses) costs one readdir and a stat per file; only
//     files whose size, mtime or inode changed are read again, and then only their first line;
//   - summaries (the analysis of a run) are computed for the runs a hint can show (the latest
//     run of each prompt hash, the latest run recorded from each prompt-file position), in the
//     background, one per event-loop turn, so requests are answered in between;
//   - a run that is still being written is kept in memory, and when its file grows only the new
//     tail is read (run files are append-only); a finished run keeps only its summary.
// Listeners hear of a change once the summaries it needs are computed.
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import { parseRunFile, type ParsedRun, type RunHeader } from "../core";
import { promptHash } from "../sampling/store";
import { summarizeRun, type RunSummary } from "./summary";

export interface RunEntry {
  /** Absolute path. */
  readonly file: string;
  readonly name: string;
  size: number;
  mtimeMs: number;
  ino: number;
  header: RunHeader;
  headerLine: string;
  /** header.promptHash, or the run store's hash of its prompt for runs written without one. */
  hash: string;
  /** header.createdAt as a time (the mtime when unreadable): the latest run wins. */
  time: number;
  /** The latest summary (null: no samples, or unreadable), and the size and mtime it was computed at. */
  summary: RunSummary | null;
  summarizedAt: { size: number; mtimeMs: number } | null;
  /** An unfinished run, kept so a grown file is read from where it was left. */
  retained: { consumed: number; run: ParsedRun } | null;
}

export interface RunIndexOptions {
  /** Stat pass interval when watching misses a change (ms; 0: none). Default 2000. */
  pollIntervalMs?: number;
  /** Coalescing delay of file-watch events (ms). Default 30. */
  debounceMs?: number;
  /** Bootstrap resamples of the summaries (default: `hotmess analyze`'s 1000). */
  resamples?: number;
  /** Watch the directory (default true). */
  watch?: boolean;
  /** Problems worth a log line. */
  log?: (message: string) => void;
}

/** The key of a prompt-file position in `header.source` (paths with forward slashes). */
export function normalizeSourceFile(file: string): string {
  return file.replace(/\\/g, "/").replace(/^(\.\/)+/, "");
}
const indexKey = (file: string, prompt: number) => `${normalizeSourceFile(file)}\u0000#${prompt}`;
const idKey = (file: string, id: string) => `${normalizeSourceFile(file)}\u0000id:${id}`;

const newestFirst = (a: RunEntry, b: RunEntry) => b.time - a.time || b.mtimeMs - a.mtimeMs || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0);

export class RunIndex {
  private readonly entries = new Map<string, RunEntry>();
  /** Files that are not run files, at the size and mtime they were looked at. */
  private readonly ignored = new Map<string, { size: number; mtimeMs: number }>();
  private byHash = new Map<string, RunEntry[]>();
  private bySource = new Map<string, RunEntry[]>();
  private readonly queue: RunEntry[] = [];
  private pumping = false;
  private dirty = false;
  private readonly listeners = new Set<() => void>();
  private watcher: FSWatcher | null = null;
  private watchedIno = -1;
  private debounce: ReturnType<typeof setTimeout> | null = null;
  private poll: ReturnType<typeof setInterval> | null = null;
  private disposed = false;
  private readonly options: Required<RunIndexOptions>;
  /** Counters, for tests and the benchmark. */
  readonly stats = { syncs: 0, headerReads: 0, fullReads: 0, tailReads: 0, summaries: 0 };

  constructor(
    readonly dir: string,
    options: RunIndexOptions = {},
  ) {
    this.options = { pollIntervalMs: 2000, debounceMs: 30, resamples: 1000, watch: true, log: () => {}, ...options };
  }

  /** Scans the directory, starts watching it, and starts the stat pass. */
  start(): void {
    this.sync();
    this.startWatching();
    if (this.options.pollIntervalMs > 0) {
      this.poll = setInterval(() => {
        this.startWatching();
        this.sync();
      }, this.options.pollIntervalMs);
      this.poll.unref?.();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.watcher?.close();
    this.watcher = null;
    if (this.poll) clearInterval(this.poll);
    if (this.debounce) clearTimeout(this.debounce);
    this.listeners.clear();
    this.queue.length = 0;
  }

  /** Called when the index changed and the summaries the change needed are computed. */
  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether summaries are still being computed. */
  get busy(): boolean {
    return this.queue.length > 0;
  }

  /** The latest run of a prompt hash. */
  latest(hash: string): RunEntry | undefined {
    return this.byHash.get(hash)?.[0];
  }

  /**
   * The latest run recorded from a prompt-file position: the same front-matter id when the
   * prompt has one, else the same index; runs that `accept` refuses are passed over.
   */
  latestFromSource(file: string, prompt: { index: number; id?: string | undefined }, accept: (e: RunEntry) => boolean = () => true): RunEntry | undefined {
    const list = this.bySource.get(prompt.id !== undefined ? idKey(file, prompt.id) : indexKey(file, prompt.index));
    return list?.find(accept);
  }

  /** Whether an entry's summary is missing or older than its file. */
  needsSummary(e: RunEntry): boolean {
    return e.summarizedAt === null || e.summarizedAt.size !== e.size || e.summarizedAt.mtimeMs !== e.mtimeMs;
  }

  /** Asks for an entry's summary first (a hint is waiting for it). */
  prioritize(e: RunEntry): void {
    if (!this.needsSummary(e) || this.disposed) return;
    const at = this.queue.indexOf(e);
    if (at === 0) return;
    if (at > 0) this.queue.splice(at, 1);
    this.queue.unshift(e);
    this.pump();
  }

  /** Re-reads what changed in the directory (one readdir, one stat per file). */
  sync(): boolean {
    if (this.disposed) return false;
    this.stats.syncs++;
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith(".jsonl"));
    } catch {
      names = []; // no run store (yet)
    }
    const present = new Set(names);
    let changed = false;
    for (const name of [...this.entries.keys()])
      if (!present.has(name)) {
        this.entries.delete(name);
        changed = true;
      }
    for (const name of [...this.ignored.keys()]) if (!present.has(name)) this.ignored.delete(name);
    for (const name of names) {
      const file = join(this.dir, name);
      let st;
      try {
        st = statSync(file);
      } catch {
        continue;
      }
      if (!st.isFile()) continue;
      const known = this.entries.get(name);
      if (known) {
        if (known.size === st.size && known.mtimeMs === st.mtimeMs && known.ino === st.ino) continue;
        changed = true;
        // Run files only grow. A file that shrank, was replaced or rewritten in place starts over.
        if (st.ino !== known.ino || st.size < known.size || st.size === known.size) {
          this.entries.delete(name);
          this.add(name, file, st);
        } else {
          known.size = st.size;
          known.mtimeMs = st.mtimeMs;
        }
        continue;
      }
      const ig = this.ignored.get(name);
      if (ig && ig.size === st.size && ig.mtimeMs === st.mtimeMs) continue;
      if (this.add(name, file, st)) changed = true;
    }
    if (changed) {
      this.rebuild();
      this.dirty = true;
      this.pump();
    }
    return changed;
  }

  private add(name: string, file: string, st: { size: number; mtimeMs: number; ino: number }): boolean {
    const line = this.readFirstLine(file);
    let header: RunHeader | null = null;
    if (line !== null)
      try {
        header = parseRunFile(line).header;
      } catch {
        header = null;
      }
    if (!header) {
      this.ignored.set(name, { size: st.size, mtimeMs: st.mtimeMs });
      return false;
    }
    this.ignored.delete(name);
    const time = Date.parse(header.createdAt);
    this.entries.set(name, {
      file,
      name,
      size: st.size,
      mtimeMs: st.mtimeMs,
      ino: st.ino,
      header,
      headerLine: line!,
      hash: typeof header.promptHash === "string" && header.promptHash !== "" ? header.promptHash : promptHash(header.prompt, header.system),
      time: Number.isFinite(time) ? time : st.mtimeMs,
      summary: null,
      summarizedAt: null,
      retained: null,
    });
    return true;
  }

  /** The first line of a file (its header), read in chunks; null when the file is empty. */
  private readFirstLine(file: string): string | null {
    this.stats.headerReads++;
    let fd: number;
    try {
      fd = openSync(file, "r");
    } catch {
      return null;
    }
    try {
      const chunks: Buffer[] = [];
      let chunk = 64 * 1024;
      let position = 0;
      while (true) {
        const buf = Buffer.alloc(chunk);
        const got = readSync(fd, buf, 0, chunk, position);
        if (got === 0) break;
        const nl = buf.subarray(0, got).indexOf(10);
        if (nl >= 0) {
          chunks.push(buf.subarray(0, nl));
          break;
        }
        chunks.push(buf.subarray(0, got));
        position += got;
        chunk = Math.min(chunk * 2, 4 * 1024 * 1024);
      }
      const text = Buffer.concat(chunks).toString("utf8").trim();
      return text === "" ? null : text;
    } finally {
      closeSync(fd);
    }
  }

  private rebuild(): void {
    const byHash = new Map<string, RunEntry[]>();
    const bySource = new Map<string, RunEntry[]>();
    const push = (m: Map<string, RunEntry[]>, k: string, e: RunEntry) => {
      const l = m.get(k);
      if (l) l.push(e);
      else m.set(k, [e]);
    };
    for (const e of this.entries.values()) {
      push(byHash, e.hash, e);
      const s = e.header.source;
      if (s && typeof s.file === "string") {
        if (typeof s.prompt === "number") push(bySource, indexKey(s.file, s.prompt), e);
        if (typeof s.id === "string" && s.id !== "") push(bySource, idKey(s.file, s.id), e);
      }
    }
    for (const l of byHash.values()) l.sort(newestFirst);
    for (const l of bySource.values()) l.sort(newestFirst);
    this.byHash = byHash;
    this.bySource = bySource;
    // The runs a hint can show get their summaries now; others when a hint asks for them.
    const wanted = new Set<RunEntry>();
    for (const l of byHash.values()) wanted.add(l[0]!);
    for (const l of bySource.values()) wanted.add(l[0]!);
    const queued = new Set(this.queue);
    for (let i = this.queue.length - 1; i >= 0; i--) if (!this.entries.has(this.queue[i]!.name) || this.entries.get(this.queue[i]!.name) !== this.queue[i]) this.queue.splice(i, 1);
    for (const e of wanted) if (this.needsSummary(e) && !queued.has(e)) this.queue.push(e);
  }

  /** Computes queued summaries, one per event-loop turn; tells listeners when the queue is empty. */
  private pump(): void {
    if (this.pumping || this.disposed) return;
    this.pumping = true;
    const step = () => {
      if (this.disposed) return;
      const e = this.queue.shift();
      if (e) {
        if (this.entries.get(e.name) === e && this.needsSummary(e)) this.summarize(e);
        setImmediate(step);
        return;
      }
      this.pumping = false;
      if (this.dirty) {
        this.dirty = false;
        for (const f of [...this.listeners]) f();
      }
    };
    setImmediate(step);
  }

  private summarize(e: RunEntry): void {
    const at = { size: e.size, mtimeMs: e.mtimeMs };
    let run: ParsedRun;
    let consumed: number;
    try {
      const r = e.retained;
      if (r && e.size > r.consumed) {
        // append-only: read from the end of the last complete line read before
        this.stats.tailReads++;
        const tail = readFrom(e.file, r.consumed);
        const part = parseRunFile(e.headerLine + "\n" + tail);
        consumed = r.consumed + Math.max(0, part.goodLength - (Buffer.byteLength(e.headerLine, "utf8") + 1));
        run = { ...r.run, samples: r.run.samples.concat(part.samples), failures: r.run.failures.concat(part.failures), end: part.end ?? r.run.end, warnings: part.warnings, goodLength: consumed, missingNewline: part.missingNewline };
      } else {
        this.stats.fullReads++;
        const text = readFrom(e.file, 0);
        run = parseRunFile(text);
        consumed = run.goodLength;
      }
    } catch (err) {
      this.options.log(`${e.file}: ${(err as Error).message}`);
      e.summary = null;
      e.summarizedAt = at;
      e.retained = null;
      this.dirty = true;
      return;
    }
    this.stats.summaries++;
    try {
      e.summary = summarizeRun(run, this.options.resamples);
    } catch (err) {
      this.options.log(`${e.file}: the analysis failed: ${(err as Error).message}`);
      e.summary = null;
    }
    e.summarizedAt = at;
    e.retained = run.end === null ? { consumed, run } : null;
    this.dirty = true;
  }

  private startWatching(): void {
    if (!this.options.watch || this.disposed) return;
    let ino: number;
    try {
      ino = statSync(this.dir).ino;
    } catch {
      this.stopWatching();
      return;
    }
    if (this.watcher && ino === this.watchedIno) return;
    this.stopWatching();
    try {
      this.watcher = watch(this.dir, { persistent: false }, () => this.schedule());
      this.watcher.on("error", () => this.stopWatching());
      this.watchedIno = ino;
      // the directory may have appeared (or been replaced) since the last pass
      this.schedule();
    } catch {
      this.watcher = null;
    }
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = null;
    this.watchedIno = -1;
  }

  private schedule(): void {
    if (this.debounce || this.disposed) return;
    this.debounce = setTimeout(() => {
      this.debounce = null;
      this.sync();
    }, this.options.debounceMs);
  }
}

/** A file's bytes from `offset` to its current end, as text. */
function readFrom(file: string, offset: number): string {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return "";
    const buf = Buffer.alloc(size - offset);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return buf.toString("utf8", 0, got);
  } finally {
    closeSync(fd);
  }
}
