// Export Comparison…: the four formats of src/report/export.ts, written where the user chose,
// atomically, with every secret in use scrubbed.
import type * as vscode from "vscode";
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

export function renderExport(format: ExportFormat, loaded: Loaded, secrets: string[]): string {
  switch (format) {
    case "json":
      return exportJson(loaded.analysis, tracesFromRecords(loaded.records), { secrets });
    case "csv":
      return exportCsv(loaded.analysis, { secrets });
    case "md":
      return exportMarkdown(loaded.analysis, { secrets });
    case "html":
      return exportHtml(loaded.analysis, { secrets, ...loadReportAssets() });
  }
}

export async function writeExport(uri: vscode.Uri, format: ExportFormat, loaded: Loaded, secrets: string[]): Promise<void> {
  if (uri.scheme !== "file") throw new Error(`exports are written to local files (not ${uri.scheme}:)`);
  writeFileAtomic(uri.fsPath, renderExport(format, loaded, secrets));
}
