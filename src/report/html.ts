// The self-contained HTML report: the comparison view (dist/webview.js and its stylesheet)
// with one `hotmess.analysis/1` document inlined. It opens from disk with no network request:
// a strict Content-Security-Policy allows only the nonce'd inline script and style.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Analysis } from "../core/types";
import { writeFileAtomic } from "./write";

export interface ReportAssets {
  webviewJs: string;
  css: string;
}

export interface RenderOptions extends ReportAssets {
  title?: string;
  /** The CSP nonce; a fresh random one when absent (tests pass their own). */
  nonce?: string;
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
    `<script type="application/json" id="hotmess-data" nonce="${nonce}">${jsonForScript(analysis)}</script>`,
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

/** Writes the report atomically (src/report/write.ts). */
export function writeReportHtml(file: string, analysis: Analysis, opts: { title?: string; assets?: ReportAssets } = {}): void {
  writeFileAtomic(file, renderReportHtml(analysis, { ...(opts.assets ?? loadReportAssets()), ...(opts.title ? { title: opts.title } : {}) }));
}
