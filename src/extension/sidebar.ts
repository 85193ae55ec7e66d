// The Runs view in the activity bar (issue "the everyday loop"): the run store grouped by the
// prompt file each run came from (runs of a selection or an import under their own heading),
// newest first, each run with its status, n, the headline incoherence with its interval (or what
// stands for it), and its age; a failed or partial run says why. Click opens it; its context
// menu reruns its prompt file, retries what did not finish, or deletes it. Figures are computed
// once per file version (size and mtime) and kept, so a refresh reads only what changed.
import { readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import * as vscode from "vscode";
import { analyzeRun, analyzeRuns, parseRunFile, redactSecrets, runState, type RunHeader, type RunState } from "../core";
import { headlineText } from "../core/headline";
import { isSweepFile, parseSweepFile, sweepProgress, sweepRuns, type SweepHeader } from "../core/sweepfile";
import { listRunFiles } from "./runstore";
import { sweepStatusText } from "./sweeps";
import { fmtCount } from "../sampling/prices";

export const RUNS_VIEW = "hotmess.runs";

/** What a run's row shows, from one parse of its file. */
export interface RunRow {
  file: string;
  mtime: number;
  header: RunHeader | null;
  state: RunState | null;
  /** Samples analysed; the n the run was started with. */
  n: number;
  planned: number | null;
  /** "incoherence 0.42 [0.31–0.55]", "disagreement 0.53 (no reference)", or null without samples. */
  figure: string | null;
  /** Why it cannot be read, when it cannot. */
  problem: string | null;
  /** A sweep file (hotmess.sweep/1): its header and where it stands; `figure` is then the pooled incoherence, once every batch is collected. */
  sweep?: SweepRow;
}

export interface SweepRow {
  header: SweepHeader;
  /** "1,240/3,000 · 2 batches processing" */
  status: string;
  requests: number;
  succeeded: number;
  failed: number;
  pending: number;
  openBatches: number;
  unrecorded: number;
  /** Requests in no batch and without a reply or failure (a refused submission's; a live sweep's not yet run). */
  unsent: number;
  ended: string | null;
}

/** A sweep file's row: its progress, and once nothing is pending the pooled incoherence over its prompts. */
function sweepRow(row: RunRow, text: string, secrets: readonly string[]): RunRow {
  try {
    const s = parseSweepFile(text);
    const p = sweepProgress(s);
    row.planned = s.header.parameters.n;
    row.n = p.succeeded;
    row.sweep = { header: s.header, status: sweepStatusText(s), requests: p.requests, succeeded: p.succeeded, failed: p.failed, pending: p.pending, openBatches: p.open.length, unrecorded: p.unrecorded.length, unsent: p.unsent, ended: s.end?.status ?? null };
    // the pooled figure once the sweep has ended (not at each sample of a live sweep: it analyses every prompt)
    if (s.end !== null && p.pending === 0 && p.succeeded > 0) {
      const runs = sweepRuns(s).filter((r) => r.samples.length > 0);
      const pooled = analyzeRuns(runs, { resamples: 200 }).pooled;
      const b = pooled.brier;
      const t = b ? headlineText({ estimate: b.estimate, ci95: b.ci95, caveat: null }) : null;
      row.figure = b ? (t === null ? "pooled incoherence — (no error to split)" : `pooled incoherence ${t}`) : pooled.disagreement !== null ? `disagreement ${pooled.disagreement.toFixed(2)} (no reference)` : null;
    }
  } catch (e) {
    row.problem = redactSecrets((e as Error).message, secrets);
  }
  return row;
}

/** A run file's row (keys redacted from what it says); never throws. */
export function readRunRow(file: string, mtime: number, secrets: readonly string[] = []): RunRow {
  const row: RunRow = { file, mtime, header: null, state: null, n: 0, planned: null, figure: null, problem: null };
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    return { ...row, problem: `cannot read it: ${(e as Error).message}` };
  }
  const nl = text.indexOf("\n");
  if (isSweepFile((nl >= 0 ? text.slice(0, nl) : text).trim())) return sweepRow(row, text, secrets);
  try {
    const run = parseRunFile(text);
    row.header = run.header;
    row.planned = run.header.parameters?.n ?? null;
    row.n = run.samples.length;
    const state = runState(run, secrets);
    row.state = state;
    if (run.samples.length > 0) {
      const p = analyzeRun(run, { resamples: 200 }).prompts[0]!;
      const text = p.brier ? headlineText({ estimate: p.brier.estimate, ci95: p.brier.ci95, caveat: p.caveat }) : null;
      row.figure = p.brier ? (text === null ? "incoherence — (no error to split)" : `incoherence ${text}`) : `disagreement ${p.disagreement.toFixed(2)} (no reference)`;
    }
  } catch (e) {
    row.problem = redactSecrets((e as Error).message, secrets);
  }
  return row;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", then the date. */
export function age(mtime: number, now = Date.now()): string {
  const s = Math.max(0, (now - mtime) / 1000);
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  if (s < 7 * 86400) return `${Math.floor(s / 86400)} day${s < 2 * 86400 ? "" : "s"} ago`;
  return new Date(mtime).toISOString().slice(0, 10);
}

/** A prompt's name: its id when it is one a person gave (not a hash), else its first line. */
export function promptName(header: Pick<RunHeader, "id" | "prompt"> | null, file: string): string {
  if (!header) return basename(file);
  const first = header.prompt.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
  const generated = /^(?:[0-9a-f]{8,}|run-|selection-|prompt-)/i.test(header.id) || /\d{4}-\d{2}-\d{2}T/.test(header.id);
  const name = !generated && header.id ? header.id : first || header.id;
  return name.length > 60 ? name.slice(0, 59) + "…" : name;
}

type Node = { kind: "group"; key: string; label: string; rows: RunRow[] } | { kind: "run"; row: RunRow };

const OTHER = "\u0000other";
const SWEEPS = "\u0000sweeps";

export class RunsView implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly cache = new Map<string, { key: string; row: RunRow }>();

  constructor(
    private readonly dirs: () => string[],
    private readonly secrets: () => Promise<readonly string[]>,
  ) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }

  /** One run file's row, from the cache when the file has not changed since (Open Run… shows the same figures). */
  rowOf(file: string, mtime: number, known: readonly string[]): RunRow {
    let size = 0;
    try {
      size = statSync(file).size;
    } catch {
      return readRunRow(file, mtime, known);
    }
    const key = `${mtime}:${size}`;
    const hit = this.cache.get(file);
    if (hit && hit.key === key) return hit.row;
    const row = readRunRow(file, mtime, known);
    this.cache.set(file, { key, row });
    return row;
  }

  /** The rows of every run directory, newest first, read again only where a file changed. */
  private async rows(): Promise<RunRow[]> {
    const known = await this.secrets().catch(() => [] as readonly string[]);
    const out: RunRow[] = [];
    const seen = new Set<string>();
    for (const dir of this.dirs()) {
      for (const { file, mtime } of listRunFiles(dir)) {
        if (seen.has(file)) continue;
        seen.add(file);
        out.push(this.rowOf(file, mtime, known));
      }
    }
    for (const f of [...this.cache.keys()]) if (!seen.has(f)) this.cache.delete(f);
    return out.sort((a, b) => b.mtime - a.mtime);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node?.kind === "run") return [];
    if (node?.kind === "group") return node.rows.map((row) => ({ kind: "run", row }));
    const rows = await this.rows();
    // grouped by prompt file, the group of the newest run first; runs of no file last
    const groups = new Map<string, RunRow[]>();
    for (const r of rows) {
      const key = r.sweep ? SWEEPS : r.header?.source?.file ?? OTHER;
      const g = groups.get(key);
      if (g) g.push(r);
      else groups.set(key, [r]);
    }
    return [...groups.entries()]
      // sweeps first (their batches are what is going on), runs of no file last
      .sort(([a], [b]) => (a === SWEEPS ? -1 : b === SWEEPS ? 1 : a === OTHER ? 1 : b === OTHER ? -1 : 0))
      .map(([key, rs]) => ({ kind: "group", key, label: key === OTHER ? "Selections and imports" : key === SWEEPS ? "Sweeps" : key, rows: rs }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === "group") {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.key}`;
      item.description = node.key === SWEEPS ? `${node.rows.length} sweep${node.rows.length === 1 ? "" : "s"}` : `${node.rows.length} run${node.rows.length === 1 ? "" : "s"}`;
      item.iconPath = node.key === OTHER ? new vscode.ThemeIcon("files") : node.key === SWEEPS ? new vscode.ThemeIcon("layers") : vscode.ThemeIcon.File;
      if (node.key !== OTHER && node.key !== SWEEPS) item.resourceUri = vscode.Uri.file(node.key);
      item.contextValue = "hotmess.promptGroup";
      return item;
    }
    const r = node.row;
    if (r.sweep) return sweepItem(r, r.sweep);
    const item = new vscode.TreeItem(promptName(r.header, r.file), vscode.TreeItemCollapsibleState.None);
    item.id = `run:${r.file}`;
    const status = r.state?.status ?? (r.problem ? "failed" : "complete");
    const nText = r.planned !== null && r.planned !== r.n ? `n ${r.n}/${r.planned}` : `n ${r.n}`;
    const why = status === "complete" ? r.figure ?? "" : status === "unfinished" ? "running or interrupted" : `${status}${r.state?.reason ? `: ${r.state.reason}` : r.problem ? `: ${r.problem}` : ""}`;
    item.description = [nText, why, age(r.mtime)].filter(Boolean).join(" · ");
    item.iconPath =
      status === "complete"
        ? new vscode.ThemeIcon("pass", new vscode.ThemeColor("testing.iconPassed"))
        : status === "partial"
          ? new vscode.ThemeIcon("warning", new vscode.ThemeColor("list.warningForeground"))
          : status === "unfinished"
            ? new vscode.ThemeIcon("clock")
            : status === "cancelled"
              ? new vscode.ThemeIcon("circle-slash")
              : new vscode.ThemeIcon("error", new vscode.ThemeColor("list.errorForeground"));
    const md = new vscode.MarkdownString(undefined, false);
    md.appendText(`${r.header?.prompt?.slice(0, 400) ?? basename(r.file)}\n\n`);
    md.appendText(`${r.header ? `${r.header.provider} · ${r.header.model} · ` : ""}${nText}${r.figure ? ` · ${r.figure}` : ""}\n`);
    if (status !== "complete") md.appendText(`${status}${r.state?.summary ? `: ${r.state.summary}` : ""}${r.problem ? `: ${r.problem}` : ""}\n`);
    md.appendText(`${basename(r.file)} · ${new Date(r.mtime).toLocaleString()}`);
    item.tooltip = md;
    item.resourceUri = undefined;
    item.command = { title: "Open Run", command: "hotmess.openRunFile", arguments: [r.file] };
    item.contextValue = `hotmess.run${r.header?.source ? ".fromFile" : ""}${r.state?.resumable ? ".resumable" : ""}`;
    return item;
  }
}

/**
 * A sweep's row: "word-problems.jsonl", then its size, mode and where it stands
 * ("50 × 5 · batch · 1,240/3,000 · 2 batches processing · 5 min ago"), the pooled incoherence once
 * collected. Its menu: Open, Resume Polling (batches out, not polled here), Resubmit Failed,
 * Continue (a live sweep with requests left), Delete.
 */
function sweepItem(r: RunRow, s: SweepRow): vscode.TreeItem {
  // the label is where the prompts came from; the figures lead the description (the sidebar is narrow)
  const from = s.header.source ? basename(s.header.source.replace(/\/+$/, "")) : basename(r.file);
  const item = new vscode.TreeItem(from, vscode.TreeItemCollapsibleState.None);
  item.id = `sweep:${r.file}`;
  const inProgress = s.openBatches > 0;
  const state = inProgress ? null : s.unrecorded ? "batch id not recorded" : s.ended === null ? "unfinished" : s.ended;
  item.description = [`${fmtCount(s.header.prompts)} × ${s.header.parameters.n}`, s.header.mode, s.status, state && state !== "complete" && state !== "partial" ? state : "", r.figure ?? "", r.problem ? `cannot read it: ${r.problem}` : "", age(r.mtime)].filter(Boolean).join(" · ");
  item.iconPath = inProgress
    ? new vscode.ThemeIcon("cloud-upload")
    : r.problem || s.unrecorded
      ? new vscode.ThemeIcon("error", new vscode.ThemeColor("list.errorForeground"))
      : s.failed > 0 || (s.ended !== null && s.ended !== "complete")
        ? new vscode.ThemeIcon("warning", new vscode.ThemeColor("list.warningForeground"))
        : s.ended === null
          ? new vscode.ThemeIcon("clock")
          : new vscode.ThemeIcon("pass", new vscode.ThemeColor("testing.iconPassed"));
  const md = new vscode.MarkdownString(undefined, false);
  md.appendText(`Sweep of ${fmtCount(s.header.prompts)} prompts × ${s.header.parameters.n} (${s.header.mode}) · ${s.header.provider} · ${s.header.model}\n\n`);
  md.appendText(`${fmtCount(s.succeeded)} of ${fmtCount(s.requests)} replies${s.pending ? ` · ${fmtCount(s.pending)} in ${s.openBatches} batch${s.openBatches === 1 ? "" : "es"}` : ""}${s.failed ? ` · ${fmtCount(s.failed)} failed` : ""}${r.figure ? ` · ${r.figure}` : ""}\n`);
  if (s.unrecorded) md.appendText(`${s.unrecorded} submission(s) sent without a recorded batch id: look for them in the provider's console; they are never sent again\n`);
  md.appendText(`${basename(r.file)} · ${new Date(r.mtime).toLocaleString()}`);
  item.tooltip = md;
  item.command = { title: "Open Sweep", command: "hotmess.openRunFile", arguments: [r.file] };
  const live = s.header.mode === "live";
  // Continue: a live sweep's requests left, or a batch sweep's never sent (a refused submission)
  const left = live ? s.succeeded < s.requests : s.unsent > 0 && s.unrecorded === 0;
  item.contextValue = `hotmess.sweep${inProgress ? ".open" : ""}${s.failed > 0 && !live ? ".failed" : ""}${left ? ".continue" : ""}`;
  return item;
}
