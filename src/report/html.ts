// The self-contained HTML report: the comparison view (dist/webview.js and its stylesheet)
// with one `hotmess.analysis/1` document inlined. It opens from disk with no network request:
// a strict Content-Security-Policy allows only the nonce'd inline script and style.
//
// Size: the page stays under REPORT_LIMIT_BYTES. Every figure of every prompt is in it; the runs
// (their steps and their cells in the aligned columns, which grow with runs × columns: a 50 MB
// trace set made a 270 MB page) are embedded for the first K runs of each prompt, K as large as
// the limit allows. The page says what it left out, and the view loads the rest from the
// analysis JSON when the reader picks that file (only the prompt shown, when the report was
// written with it and knows where each prompt is in it).
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Analysis, PromptAnalysis } from "../core/types";
import type { ReportCut, ReportDocument } from "../protocol/webview";
import { writeFileAtomic } from "./write";

export interface ReportAssets {
  webviewJs: string;
  css: string;
}

/** The size a report is kept under (the view's code, its stylesheet and the document), in bytes. */
export const REPORT_LIMIT_BYTES = 25_000_000;

/** Room kept beside the view's code and the document for the rest of the page. */
const PAGE_MARGIN = 200_000;

export interface RenderOptions extends ReportAssets {
  title?: string;
  /** The CSP nonce; a fresh random one when absent (tests pass their own). */
  nonce?: string;
  /** The size to keep the page under (REPORT_LIMIT_BYTES by default; tests pass a small one). */
  limitBytes?: number;
  /** The analysis with every run written beside the report, for the view to load the rest from. */
  full?: ReportCut["full"];
  /** Told what the page left out, when it leaves runs out. */
  onCut?: (cut: ReportCut) => void;
}

/** Bytes of a value's JSON as the page holds it (UTF-8, with <, > and & escaped). */
function jsonBytes(value: unknown): number {
  return Buffer.byteLength(jsonForScript(value));
}

/**
 * What each run of a prompt adds to the document, in bytes: the run (its steps' texts) and its
 * cells in every column. A run's gap cell is one object in many columns: measured once.
 */
function runCosts(p: PromptAnalysis): number[] {
  const at = new Map(p.runs.map((r, i) => [r.index, i]));
  const cost = p.runs.map((r) => jsonBytes(r) + 1);
  const known = new Map<object, number>();
  for (const col of p.columns)
    for (const cell of col.cells) {
      const i = at.get(cell.run);
      if (i === undefined) continue;
      let c = known.get(cell);
      if (c === undefined) known.set(cell, (c = jsonBytes(cell) + 1));
      cost[i]! += c;
    }
  return cost;
}

/** A prompt with its first k runs (by position: runs are in index order) and their cells. */
function firstRuns(p: PromptAnalysis, k: number): PromptAnalysis {
  if (p.runs.length <= k) return p;
  const kept = new Set(p.runs.slice(0, k).map((r) => r.index));
  return { ...p, runs: p.runs.slice(0, k), columns: p.columns.map((c) => ({ ...c, cells: c.cells.filter((cell) => kept.has(cell.run)) })) };
}

/**
 * The document a report embeds: the analysis itself when it fits in `budget` bytes, else every
 * prompt with its first K runs, K the largest that fits (the same K for every prompt, so the
 * report can say in one sentence what it holds), and `report` saying so.
 */
export function reportDocument(analysis: Analysis, budget: number, full: ReportCut["full"] = null): ReportDocument {
  const prompts = analysis.prompts;
  const most = prompts.reduce((m, p) => Math.max(m, p.runs.length), 0);
  const costs: (number[] | undefined)[] = [];
  const prefix: number[][] = prompts.map(() => [0]);
  const runsCost = (i: number, k: number): number => {
    const pre = prefix[i]!;
    if (pre.length <= Math.min(k, prompts[i]!.runs.length)) {
      const c = (costs[i] ??= runCosts(prompts[i]!));
      for (let j = pre.length - 1; j < c.length; j++) pre.push(pre[j]! + c[j]!);
    }
    return pre[Math.min(k, prompts[i]!.runs.length)]!;
  };
  const empty: ReportDocument = { ...analysis, prompts: prompts.map((p) => firstRuns(p, 0)), report: { runsPerPrompt: 0, runsLeftOut: 0, limitBytes: 0, full } };
  const base = jsonBytes(empty);
  const fits = (k: number) => base + prompts.reduce((t, _, i) => t + runsCost(i, k), 0) <= budget;
  if (fits(most)) return analysis;
  // the largest K that fits: double while it fits, then halve the gap
  let lo = 0;
  let hi = 1;
  while (hi < most && fits(hi)) {
    lo = hi;
    hi *= 2;
  }
  hi = Math.min(hi, most);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  const total = prompts.reduce((t, p) => t + p.runs.length, 0);
  const kept = prompts.reduce((t, p) => t + Math.min(lo, p.runs.length), 0);
  return { ...analysis, prompts: prompts.map((p) => firstRuns(p, lo)), report: { runsPerPrompt: lo, runsLeftOut: total - kept, limitBytes: 0, full } };
}

/** The Content-Security-Policy of the report page. */
export function reportCsp(nonce: string): string {
  return `default-src 'none'; img-src data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'`;
}

/**
 * JSON for a <script type="application/json"> element: `<`, `>` and `&` are escaped as \u003c
 * etc. (so `</script>` or `<!--` in a trace cannot end or alter the element), and so are U+2028
 * and U+2029. JSON.parse reads the escapes back to the same characters.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Text for an inline <script> or <style>: nothing in it may close the element early. */
function inlineSafe(code: string, tag: "script" | "style"): string {
  let out = code.replace(/\n\/\/# sourceMappingURL=\S*\s*$/, "\n").replace(/\/\*# sourceMappingURL=\S*\s*\*\/\s*$/, "");
  out = out.replace(new RegExp(`</(${tag})`, "gi"), "<\\/$1");
  if (tag === "script") out = out.replace(/<!--/g, "<\\!--");
  return out;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** The report page. Pure: no file system. */
export function renderReportHtml(analysis: Analysis, opts: RenderOptions): string {
  const nonce = opts.nonce ?? randomBytes(18).toString("base64");
  if (!/^[A-Za-z0-9+/=_-]+$/.test(nonce)) throw new Error("renderReportHtml: the nonce must be base64");
  const ids = analysis.prompts.map((p) => p.id);
  const title = opts.title ?? `Hot Mess Inspector · ${ids.length === 1 ? ids[0] : `${ids.length} prompts`}`;
  const limit = opts.limitBytes ?? REPORT_LIMIT_BYTES;
  const doc = reportDocument(analysis, limit - Buffer.byteLength(opts.webviewJs) - Buffer.byteLength(opts.css) - Buffer.byteLength(title) - PAGE_MARGIN, opts.full ?? null);
  if (doc.report) {
    doc.report.limitBytes = limit;
    opts.onCut?.(doc.report);
  }
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${reportCsp(nonce)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<meta name="generator" content="${escapeHtml(`${analysis.generator?.name ?? "hotmess"} ${analysis.generator?.version ?? ""}`.trim())}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style nonce="${nonce}">\n${inlineSafe(opts.css, "style")}\n</style>`,
    "</head>",
    "<body>",
    '<div id="app"><noscript>The Hot Mess Inspector report needs JavaScript.</noscript></div>',
    `<script type="application/json" id="hotmess-data" nonce="${nonce}">${jsonForScript(doc)}</script>`,
    `<script nonce="${nonce}">\n${inlineSafe(opts.webviewJs, "script")}\n</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** Where the built view lives, whether this runs from dist/ (bundled) or from src/ (tsx). */
function candidates(file: string): string[] {
  return [join(__dirname, file), join(__dirname, "..", "dist", file), join(__dirname, "..", "..", "dist", file)];
}

/** Reads dist/webview.js and dist/webview.css (esbuild emits the stylesheet beside the bundle). */
export function loadReportAssets(): ReportAssets {
  const js = candidates("webview.js").find((f) => existsSync(f));
  if (!js) throw new Error("the comparison view is not built (dist/webview.js is missing): run `npm run build`");
  const cssFile = join(dirname(js), "webview.css");
  if (!existsSync(cssFile)) throw new Error(`the comparison view's stylesheet is missing (${cssFile}): run \`npm run build\``);
  return { webviewJs: readFileSync(js, "utf8"), css: readFileSync(cssFile, "utf8") };
}

/**
 * Writes the report atomically (src/report/write.ts); `full`: the analysis JSON written beside it
 * (see RenderOptions). Returns what the page left out (null: nothing).
 */
export function writeReportHtml(
  file: string,
  analysis: Analysis,
  opts: { title?: string; assets?: ReportAssets; full?: ReportCut["full"] } = {},
): Pick<ReportCut, "runsPerPrompt" | "runsLeftOut"> | null {
  let cut: ReportCut | null = null;
  writeFileAtomic(
    file,
    renderReportHtml(analysis, { ...(opts.assets ?? loadReportAssets()), ...(opts.title ? { title: opts.title } : {}), ...(opts.full ? { full: opts.full } : {}), onCut: (c) => (cut = c) }),
  );
  return cut;
}
