// The messages between the extension (the language client, src/extension) and the language
// server (src/server), typed once and imported by both sides. Standard LSP messages are not
// repeated here; these are Hot Mess's own (`hotmess/…`), the commands the server's code lenses,
// inlay hints and hover links name (the extension implements them), and the settings the server
// reads with `workspace/configuration`.
//
// Nothing here loads vscode-languageserver-protocol: the extension's activation bundle imports
// this file, and the protocol library (~125 KB) would double the code VS Code loads to activate.
// The typed message objects for vscode-jsonrpc are in ./lsp-messages (server and client bundles).
import type { Conversation } from "../core/conversation";
import type { PromptSettings, Range, ToolsSource } from "../core/promptfile";

/** The language id of prompt files (`*.prompt`, `*.prompt.md`): the client's documentSelector. */
export const LANGUAGE_ID = "hotmess-prompt";

/** The configuration section the server asks for (`workspace/configuration`, scoped to a folder). */
export const CONFIG_SECTION = "hotmess";

/** The settings the server reads (a subset of the extension's `hotmess.*`). */
export interface ServerSettings {
  /** `hotmess.n`: reruns per prompt when its front matter has no `n`. */
  n: number;
  /** `hotmess.incoherenceWarningThreshold`: warn when the incoherence interval's lower bound is above it. */
  incoherenceWarningThreshold: number;
  /** `hotmess.runDirectory`: the run store, relative to the workspace folder (or absolute). */
  runDirectory: string;
}

export const DEFAULT_SERVER_SETTINGS: Readonly<ServerSettings> = { n: 8, incoherenceWarningThreshold: 0.5, runDirectory: ".hotmess/runs" };

/** `initializationOptions` (all optional; editors other than VS Code may send none). */
export interface InitializationOptions {
  /** Settings for a client that cannot answer `workspace/configuration`. */
  settings?: Partial<ServerSettings>;
  /** Absolute run directory when the editor has no workspace folder (VS Code: the extension's storage). */
  fallbackRunDirectory?: string;
  /** How often the run store is checked when file watching misses a change (ms; default 2000; 0: never). */
  pollIntervalMs?: number;
}

/** Commands the server puts in code lenses, inlay hints and hover links; the client implements them. */
export const Commands = {
  /** Arguments {@link RerunPromptArgs}: reruns prompt `promptIndex` of the prompt file `uri`. */
  rerunPrompt: "hotmess.rerunPrompt",
  /** Arguments {@link OpenRunFileArgs}: opens a run file in the comparison view. */
  openRunFile: "hotmess.openRunFile",
  /** Arguments {@link OpenRunFileArgs}: continues a failed or partial run file (Retry). */
  resumeRun: "hotmess.resumeRun",
  /** Arguments {@link CompareRunsArgs}: opens two run files in one comparison view (before, after). */
  compareRuns: "hotmess.compareRuns",
} as const;
/** Two absolute run-file paths: the previous version's run, then the current one's. */
export type CompareRunsArgs = [before: string, after: string];
/** `uri` is the document URI as a string (LSP arguments are JSON). */
export type RerunPromptArgs = [uri: string, promptIndex: number];
/** An absolute file system path. */
export type OpenRunFileArgs = [runFile: string];

/** A `command:` link for Markdown (hovers): the client must trust exactly these commands. */
export function commandLink(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

// ---- client → server ----

/**
 * `hotmess/runsChanged`: a run finished (or a run file was written); the server re-reads the run
 * store at once instead of waiting for the file watcher, then asks the client to refresh.
 */
export interface RunsChangedParams {
  /** Absolute paths of the run files written; omitted: check the whole store. */
  files?: string[];
}
export const RUNS_CHANGED_METHOD = "hotmess/runsChanged";

/** `hotmess/promptAt`: the prompt of an open document at a position, or by its index. */
export interface PromptAtParams {
  textDocument: { uri: string };
  /** The prompt containing this position (the nearest before it when between prompts)… */
  position?: { line: number; character: number };
  /** …or prompt number `index` (0-based). */
  index?: number;
}

/** Everything the client needs to rerun a prompt as the server sees it. */
export interface PromptInfo {
  uri: string;
  index: number;
  /** The prompt hash a run of it will carry (`header.promptHash`). */
  hash: string;
  range: Range;
  bodyRange: Range;
  settings: PromptSettings;
  /** The user message (variables filled in) and the system message; a conversation prompt: the label its runs record, and its system prompt. */
  user: string;
  system?: string;
  /** A conversation prompt's prefix (a run samples its next assistant turn, the tools declared), and where its tools came from. */
  conversation?: Conversation;
  tools?: ToolsSource;
  /** Reruns: the front matter's `n`, else `hotmess.n`. */
  n: number;
  /** Errors in the front matter (a run should not start while there are any). */
  errors: { message: string; range: Range }[];
  /** Variables used but not defined. */
  unresolved: string[];
  /** What a run of it should record as `header.source`: the file relative to its workspace folder (absolute outside one); null when not a file. */
  source: { file: string; prompt: number; id?: string } | null;
  /** The absolute run directory the server reads for this document: write runs there. */
  runDirectory: string;
  /** Its latest run: the file, and whether the prompt changed since. */
  lastRun: { file: string; stale: boolean } | null;
}
export const PROMPT_AT_METHOD = "hotmess/promptAt";
