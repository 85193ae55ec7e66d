// The tool command of a rollout (`hotmess run --steps K --tool-command 'CMD ARGS'`): a program
// the user names that answers an agent's tool call when the replay table has no result for it.
//
// - It is run without a shell: spawn(argv[0], argv.slice(1), {shell: false}). The words come from
//   `splitCommand` (white space, '…' and "…" quoting, nothing else): no variables, globs, pipes,
//   redirections or `;`. An argument such as `;rm -rf x` reaches the program as that text.
// - The call goes to its standard input as one JSON object, {"name", "arguments", "id"}, and
//   standard input is closed. Its standard output, up to 64 kB (the rest is read and dropped,
//   the cut noted at the end of the text), is the result.
// - Exit status 0: the result. Another status (or a signal): an error result saying so, with the
//   end of its standard error. Running longer than the timeout (30 s by default): it is killed
//   (SIGKILL) and the result is an error saying so. A program that cannot be started (not found,
//   not executable) is not a result: runToolCommand throws a ToolCommandError.
// - Its output is untrusted text: it goes to the model as the tool's result and into the run
//   file, and is never parsed, run or interpreted here.
// - Its environment is this process's without the model API keys (ANTHROPIC_API_KEY,
//   OPENAI_API_KEY, and any variable holding one of the provider's keys): a tool has no need of
//   them.
import { spawn } from "node:child_process";

export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;
export const DEFAULT_TOOL_OUTPUT_BYTES = 64 * 1024;
/** How much of standard error an error result quotes (its end). */
const STDERR_TAIL_CHARS = 2000;

/** A program that could not be started: not a tool's result, the rollout stops with it. */
export class ToolCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolCommandError";
  }
}

/**
 * A command line split into its words without a shell: white space separates words; '…' keeps
 * everything inside as it is; "…" too, except that \" and \\ stand for " and \ there; a backslash
 * elsewhere is itself (Windows paths). Throws on an unclosed quote or an empty command.
 */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = c;
      inWord = true;
      let closed = false;
      for (i++; i < line.length; i++) {
        const d = line[i]!;
        if (d === end) {
          closed = true;
          break;
        }
        if (end === '"' && d === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) {
          word += line[++i]!;
          continue;
        }
        word += d;
      }
      if (!closed) throw new Error(`the tool command has an unclosed ${end === "'" ? "single" : "double"} quote: ${line}`);
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  if (words.length === 0 || words[0] === "") throw new Error("the tool command is empty: give the program to run and its arguments");
  return words;
}

/** The environment a tool command gets: this one without the model API keys (by name, and any variable holding one of `secrets`). */
export function toolEnvironment(env: NodeJS.ProcessEnv, secrets: readonly string[] = []): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if (k === "ANTHROPIC_API_KEY" || k === "OPENAI_API_KEY") continue;
    if (secrets.some((s) => s !== "" && v.includes(s))) continue;
    out[k] = v;
  }
  return out;
}

export interface ToolCall {
  id: string;
  name: string;
  arguments: unknown;
}

export interface ToolCommandOptions {
  /** Killed after this long (default 30 s). */
  timeoutMs?: number;
  /** Standard output kept, in bytes (default 64 kB). */
  maxBytes?: number;
  /** Default: this process's, without the model API keys (toolEnvironment). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Aborting kills the program; the result is then an error saying so. */
  signal?: AbortSignal;
}

export interface ToolCommandResult {
  /** The result as the model gets it (untrusted text). */
  text: string;
  isError: boolean;
  /** The exit status, null when it was killed. */
  exitCode: number | null;
  timedOut: boolean;
  /** Standard output was longer than the cap and was cut. */
  cut: boolean;
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${ms} ms`;
}

/**
 * Runs the tool command for one call (see the file comment). Resolves with the result (an error
 * result for a non-zero exit, a signal or a timeout); rejects with a ToolCommandError when the
 * program cannot be started.
 */
export function runToolCommand(argv: readonly string[], call: ToolCall, opts: ToolCommandOptions = {}): Promise<ToolCommandResult> {
  if (argv.length === 0 || !argv[0]) return Promise.reject(new ToolCommandError("the tool command is empty"));
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? DEFAULT_TOOL_OUTPUT_BYTES;
  return new Promise<ToolCommandResult>((resolve, reject) => {
    let child;
    try {
      child = spawn(argv[0]!, argv.slice(1), {
        shell: false,
        stdio: ["pipe", "pipe", "pipe"],
        env: opts.env ?? toolEnvironment(process.env),
        windowsHide: true,
        ...(opts.cwd ? { cwd: opts.cwd } : {}),
      });
    } catch (e) {
      reject(new ToolCommandError(`cannot run the tool command ${JSON.stringify(argv[0])}: ${(e as Error).message}`));
      return;
    }
    const out: Buffer[] = [];
    let outBytes = 0;
    let cut = false;
    let errText = "";
    let timedOut = false;
    let aborted = false;
    let settled = false;
    child.stdout.on("data", (b: Buffer) => {
      if (outBytes >= maxBytes) {
        cut = true;
        return;
      }
      const keep = b.subarray(0, maxBytes - outBytes);
      if (keep.length < b.length) cut = true;
      out.push(keep);
      outBytes += keep.length;
    });
    child.stderr.on("data", (b: Buffer) => {
      errText = (errText + b.toString("utf8")).slice(-STDERR_TAIL_CHARS);
    });
    // a program that does not read its input closes the pipe: not an error of ours
    child.stdin.on("error", () => {});
    const finish = (r: Omit<ToolCommandResult, "cut" | "timedOut">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      resolve({ ...r, timedOut, cut });
    };
    const kill = () => {
      child.kill("SIGKILL");
      // a grandchild may hold the pipes open: do not wait for them
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
      finish({ text: `the tool command did not finish within ${seconds(timeoutMs)} and was killed`, isError: true, exitCode: null });
    }, timeoutMs);
    const onAbort = () => {
      aborted = true;
      kill();
      finish({ text: "the tool command was stopped: the run was cancelled", isError: true, exitCode: null });
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      const why = e.code === "ENOENT" ? "no such program (give its path, or put it on PATH)" : e.code === "EACCES" ? "it is not executable" : e.message;
      reject(new ToolCommandError(`cannot run the tool command ${JSON.stringify(argv[0])}: ${why}`));
    });
    child.on("close", (code: number | null, signal: NodeJS.Signals | null) => {
      if (timedOut || aborted) return;
      let text = Buffer.concat(out).toString("utf8");
      if (cut) text += `\n[hotmess: the tool command's output was cut at ${maxBytes} bytes]`;
      const tail = errText.trim();
      if (code === 0) finish({ text, isError: false, exitCode: 0 });
      else {
        const how = code !== null ? `exited with status ${code}` : `was killed by ${signal ?? "a signal"}`;
        const parts = [`the tool command ${how}`];
        if (tail) parts.push(`its standard error ends: ${tail}`);
        if (text.trim()) parts.push(`its output: ${text}`);
        finish({ text: parts.join("\n"), isError: true, exitCode: code });
      }
    });
    child.stdin.end(JSON.stringify({ name: call.name, arguments: call.arguments, id: call.id }) + "\n");
  });
}
