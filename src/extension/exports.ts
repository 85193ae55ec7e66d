// Export Comparison…: the four formats of src/report/export.ts, written where the user chose,
// atomically, with every secret in use scrubbed.
import type * as vscode from "vscode";
import { existsSync } from "node:fs";
import { basename, dirname, isAbsolute, join } from "node:path";
import { readStoredRun } from "./runstore";
import type { Loaded } from "../report/load";
import { exportCsv, exportHtml, exportJson, exportMarkdown, tracesFromRecords } from "../report/export";
import { loadReportAssets } from "../report/html";
import { writeFileAtomic } from "../report/write";
import type { ExportFormat } from "../protocol/webview";

export const EXPORT_FORMATS: { id: ExportFormat; label: string; extension: string; description: string }[] = [
  { id: "html", label: "HTML", extension: "html", description: "this view as one self-contained file (no network)" },
  { id: "md", label: "Markdown", extension: "md", description: "summary and tables, ready for a pull request" },
  { id: "csv", label: "CSV", extension: "csv", description: "one row per run × aligned step, with divergence and group" },
  { id: "json", label: "JSON", extension: "json", description: "hotmess.analysis/1 with the raw traces" },
];

export function renderExport(format: ExportFormat, loaded: Loaded, secrets: string[], opts: { reportLink?: string } = {}): string {
  switch (format) {
    case "json":
      return exportJson(loaded.analysis, tracesFromRecords(loaded.records), { secrets });
    case "csv":
      return exportCsv(loaded.analysis, { secrets });
    case "md":
      return exportMarkdown(loaded.analysis, { secrets, runs: loaded.runs.map(({ run }) => run.header), ...(opts.reportLink ? { reportLink: opts.reportLink } : {}) });
    case "html":
      return exportHtml(loaded.analysis, { secrets, ...loadReportAssets() });
  }
}

/**
 * Writes an export; a Markdown one (for a pull request) gets the HTML report beside it, with the
 * same name, and links to it. Returns the files written.
 */
export async function writeExport(uri: vscode.Uri, format: ExportFormat, loaded: Loaded, secrets: string[]): Promise<string[]> {
  if (uri.scheme !== "file") throw new Error(`exports are written to local files (not ${uri.scheme}:)`);
  if (format !== "md") {
    writeFileAtomic(uri.fsPath, renderExport(format, loaded, secrets));
    return [uri.fsPath];
  }
  const html = uri.fsPath.replace(/\.(md|markdown)$/i, "") + ".html";
  writeFileAtomic(html, renderExport("html", loaded, secrets));
  writeFileAtomic(uri.fsPath, renderExport("md", loaded, secrets, { reportLink: basename(html) }));
  return [uri.fsPath, html];
}

/**
 * Where an export goes by default: beside the prompt file the run came from (its header's
 * `source`, found in a workspace folder), named after it ("ducks.prompt.md" → "ducks.hotmess.md";
 * a file's second prompt "ducks-2.hotmess.md"); else, for runs in the hidden run store, the
 * workspace folder; else beside the file shown. Never inside `.hotmess/`.
 */
export function exportBase(files: readonly string[], folders: readonly string[]): string {
  const first = files[0];
  if (!first) return folders[0] ? join(folders[0], "comparison") : "comparison";
  const header = readStoredRun(first, 0).header;
  const src = header?.source;
  if (src) {
    const abs = isAbsolute(src.file) ? src.file : folders.map((d) => join(d, src.file)).find((f) => existsSync(f));
    if (abs && existsSync(abs)) {
      const name = basename(abs).replace(/\.prompt\.md$|\.prompt$|\.md$|\.txt$/i, "");
      const which = src.id ?? (src.prompt > 0 ? String(src.prompt + 1) : "");
      return join(dirname(abs), `${name}${which ? `-${which.replace(/[^\w.-]+/g, "_")}` : ""}.hotmess`);
    }
  }
  const stem = basename(first).replace(/\.jsonl$/, "");
  const hidden = first.split(/[\\/]/).includes(".hotmess");
  const folder = folders.find((d) => first.startsWith(d));
  return hidden && folder ? join(folder, stem) : join(dirname(first), stem);
}
