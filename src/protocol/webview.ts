// The messages between the extension host and the comparison view, typed once and imported by
// both sides (the host in src/extension/panel.ts, the view in webview/main.ts).
import type { Analysis } from "../core/types";
import type { RunState } from "../core/runstate";

export type ExportFormat = "json" | "csv" | "md" | "html";

/**
 * What a self-contained HTML report left out of its document to stay under its size limit, and
 * where the rest is (src/report/html.ts reportDocument). The figures are always those of every run.
 */
export interface ReportCut {
  /** Runs each prompt carries: its first `runsPerPrompt` by index (all of them when it has no more). */
  runsPerPrompt: number;
  /** Runs left out, over all prompts. */
  runsLeftOut: number;
  /** The size the report is kept under, in bytes. */
  limitBytes: number;
  /**
   * The analysis with every run, when it was written with the report (`--json`): its path as
   * seen from the report's folder, its size, and where each prompt is in it ([start, end) in
   * bytes), so the view reads only the prompt shown. null: the report does not know of one.
   */
  full: { file: string; bytes: number; prompts: [number, number][] } | null;
}

/** The document a self-contained report embeds: an analysis, and what was left out of it. */
export type ReportDocument = Analysis & { report?: ReportCut };

/** Where the view's document came from, so a reloaded window can read it again. */
export type ViewSource = { kind: "runs"; files: string[]; /** Two versions to compare (the lens's Δ, the Runs view's Compare): the first is before. */ compare?: boolean } | { kind: "traces"; file: string } | { kind: "live"; files: string[] };

/** Live sampling progress, shown above the view while a run fills it. */
export interface LiveProgress {
  target: number;
  done: number;
  failed: number;
  streaming: number;
  retrying: number;
  inputTokens: number;
  outputTokens: number;
  /** Of inputTokens, read from the provider's prompt cache (a rerun of a long prefix); absent when none was. */
  cacheReadTokens?: number;
  costUsd: number | null;
  /** Finished, cancelled or failed: the run is over. */
  finished: boolean;
  message?: string;
}

// ---- host → view ----
export interface SetAnalysis {
  type: "analysis/set";
  analysis: Analysis;
  source?: ViewSource;
}
export interface SetProgress {
  type: "run/progress";
  progress: LiveProgress;
}
export interface RevealColumn {
  type: "view/reveal";
  prompt: string;
  column: number;
}
/** A run file the view shows, with what became of its run (src/core/runstate.ts). */
export interface RunInView {
  /** Its path: what Retry sends back (the host resumes only files its panel shows). */
  file: string;
  /** The file name, for display. */
  name: string;
  prompt: string;
  model: string;
  provider: string;
  state: RunState;
}
/**
 * The runs behind the view and their states; the view shows a banner for each that did not
 * complete (why, with Retry). Sent with every document, and alone when no sample finished (then
 * no analysis is sent, and the banner shows the prompt).
 */
export interface SetRuns {
  type: "runs/set";
  runs: RunInView[];
  source?: ViewSource;
}
export type HostMessage = SetAnalysis | SetProgress | RevealColumn | SetRuns;

// ---- view → host ----
export interface Ready {
  type: "ready";
}
export interface RequestExport {
  type: "export/request";
  format: ExportFormat;
}
export interface CancelRun {
  type: "run/cancel";
}
/** Retry: run the samples of a run file that did not finish, into the same file (`hotmess run --resume`). */
export interface ResumeRun {
  type: "run/resume";
  file: string;
}
/**
 * "Rerun from here": sample N times what the agent does at step `step` (the trajectory step's
 * index: a view Step's `source`) of run `run` (its index) of prompt `prompt` (its id), with
 * everything before that step's turn frozen. The host reads the prefix from the panel's own
 * files, never from the message.
 */
export interface RerunFrom {
  type: "rerun/from";
  prompt: string;
  run: number;
  step: number;
}
/**
 * "Set as reference": make an answer class's answer the reference of prompt `prompt` (its id): the
 * host writes it into the prompt file the run came from and analyses the view again with it.
 */
export interface SetReference {
  type: "reference/set";
  prompt: string;
  answer: string;
}
/**
 * Change how prompt `prompt`'s replies are classed: by meaning with a judge (`judge`), or by hand,
 * merging the class of run `run` (its index) into another or splitting replies out of it. The
 * host asks which judge, class or replies, and keeps the choice in the prompt's run file.
 */
export interface ChangeClasses {
  type: "classes/change";
  prompt: string;
  action: "judge" | "merge" | "split";
  run?: number;
}
export type ViewMessage = Ready | RequestExport | CancelRun | ResumeRun | RerunFrom | SetReference | ChangeClasses;

const VIEW_TYPES = new Set(["ready", "export/request", "run/cancel", "run/resume", "rerun/from", "reference/set", "classes/change"]);
const FORMATS = new Set(["json", "csv", "md", "html"]);

/** Checks a message from the view (it comes from a page that renders untrusted text). */
export function isViewMessage(m: unknown): m is ViewMessage {
  if (typeof m !== "object" || m === null) return false;
  const t = (m as { type?: unknown }).type;
  if (typeof t !== "string" || !VIEW_TYPES.has(t)) return false;
  if (t === "export/request") return FORMATS.has((m as { format?: unknown }).format as string);
  if (t === "rerun/from") {
    const r = m as { prompt?: unknown; run?: unknown; step?: unknown };
    return typeof r.prompt === "string" && r.prompt !== "" && Number.isInteger(r.run) && (r.run as number) >= 0 && Number.isInteger(r.step) && (r.step as number) >= 0;
  }
  if (t === "reference/set") {
    const r = m as { prompt?: unknown; answer?: unknown };
    return typeof r.prompt === "string" && r.prompt !== "" && typeof r.answer === "string" && r.answer !== "" && r.answer.length <= 10_000;
  }
  if (t === "classes/change") {
    const r = m as { prompt?: unknown; action?: unknown; run?: unknown };
    if (typeof r.prompt !== "string" || r.prompt === "") return false;
    if (r.action === "judge") return r.run === undefined;
    return (r.action === "merge" || r.action === "split") && Number.isInteger(r.run) && (r.run as number) >= 0;
  }
  if (t === "run/resume") return typeof (m as { file?: unknown }).file === "string" && (m as { file: string }).file !== "";
  return true;
}
