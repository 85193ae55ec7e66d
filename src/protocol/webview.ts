// The messages between the extension host and the comparison view, typed once and imported by
// both sides (the host in src/extension/panel.ts, the view in webview/main.ts).
import type { Analysis } from "../core/types";

export type ExportFormat = "json" | "csv" | "md" | "html";

/** Where the view's document came from, so a reloaded window can read it again. */
export type ViewSource = { kind: "runs"; files: string[] } | { kind: "traces"; file: string } | { kind: "live"; files: string[] };

/** Live sampling progress, shown above the view while a run fills it. */
export interface LiveProgress {
  target: number;
  done: number;
  failed: number;
  streaming: number;
  retrying: number;
  inputTokens: number;
  outputTokens: number;
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
export type HostMessage = SetAnalysis | SetProgress | RevealColumn;

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
export type ViewMessage = Ready | RequestExport | CancelRun;

const VIEW_TYPES = new Set(["ready", "export/request", "run/cancel"]);
const FORMATS = new Set(["json", "csv", "md", "html"]);

/** Checks a message from the view (it comes from a page that renders untrusted text). */
export function isViewMessage(m: unknown): m is ViewMessage {
  if (typeof m !== "object" || m === null) return false;
  const t = (m as { type?: unknown }).type;
  if (typeof t !== "string" || !VIEW_TYPES.has(t)) return false;
  if (t === "export/request") return FORMATS.has((m as { format?: unknown }).format as string);
  return true;
}
