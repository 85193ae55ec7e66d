// "Set as reference" (issue "why do the reruns disagree"): from an answer class of a prompt that
// has no target, its answer becomes the prompt's `reference:` in the prompt file its run came
// from (a WorkspaceEdit, saved: Undo takes it back) and a `reference` line into the prompt's run
// files, and the view is analysed again with it, so the incoherence appears where "no target"
// stood, and stays when the run is reopened. A run that did not come from a prompt file (a
// selection) keeps it in its run file, and gets the line to paste into its prompt; an imported
// trace set gets the line to paste, copied on request.
import { existsSync, readFileSync } from "node:fs";
import { basename, isAbsolute, join } from "node:path";
import * as vscode from "vscode";
import { referenceEdit, frontMatterValue } from "../core/promptfile";
import { parseRunFile, type RunReferenceLine } from "../core/runfile";
import { appendRunLine } from "../sampling/classes";
import type { SetReference, ViewSource } from "../protocol/webview";

/** The prompt file (absolute) and prompt index a view's prompt came from, when its run recorded one. */
export function promptFileOf(source: ViewSource, prompt: string, folders: readonly string[]): { file: string; index: number } | { missing: string } {
  if (source.kind === "traces") return { missing: `${basename(source.file)} is a trace set, not a prompt file` };
  for (const f of source.files) {
    let header;
    try {
      header = parseRunFile(readFileSync(f, "utf8")).header;
    } catch {
      continue;
    }
    if (header.id !== prompt) continue;
    if (!header.source) return { missing: `its run (${basename(f)}) was not made from a prompt file` };
    const rel = header.source.file;
    const candidates = isAbsolute(rel) ? [rel] : folders.map((d) => join(d, rel));
    const file = candidates.find((c) => existsSync(c));
    if (!file) return { missing: `its prompt file ${rel} is not in this workspace any more` };
    return { file, index: header.source.prompt };
  }
  return { missing: `no run of this view is prompt "${prompt}"` };
}

/** The run files of a view that are prompt `prompt`'s runs. */
function runFilesOf(source: ViewSource, prompt: string): string[] {
  if (source.kind === "traces") return [];
  return source.files.filter((f) => {
    try {
      return parseRunFile(readFileSync(f, "utf8")).header.id === prompt;
    } catch {
      return false;
    }
  });
}

/**
 * Sets the reference; returns true when the view should be analysed again with it (the panel's
 * `references` then holds it). Each run file of the prompt gets a `reference` line, so the run
 * reopened later (and the prompt file's CodeLens) measures against it too; the prompt file, when
 * the run came from one, gets `reference:` for the runs to come.
 */
export async function setReference(source: ViewSource, m: SetReference, references: Map<string, string>): Promise<boolean> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath);
  const where = promptFileOf(source, m.prompt, folders);
  const runs = runFilesOf(source, m.prompt);
  const recordInRuns = () => {
    const line: RunReferenceLine = { type: "reference", reference: m.answer, at: new Date().toISOString() };
    for (const f of runs) appendRunLine(f, line);
    references.set(m.prompt, m.answer);
  };
  const shown = m.answer.length > 40 ? m.answer.slice(0, 39) + "…" : m.answer;
  if ("missing" in where) {
    const value = frontMatterValue(m.answer) ?? JSON.stringify(m.answer);
    const line = source.kind === "traces" ? `"reference": ${JSON.stringify(m.answer)}` : `reference: ${value}`;
    if (runs.length > 0) {
      // the run keeps it; the prompt's own source is not known, so its next runs will not
      recordInRuns();
      void vscode.window.showInformationMessage(`Hot Mess: reference set to ${shown} in ${runs.map((f) => basename(f)).join(", ")}. Its prompt file is not known (${where.missing}): add ${line} to the prompt for the runs to come.`, "Copy").then((pick) => (pick === "Copy" ? vscode.env.clipboard.writeText(line) : undefined));
      return true;
    }
    const pick = await vscode.window.showInformationMessage(`Hot Mess: cannot set the reference of "${m.prompt}" in a file: ${where.missing}. Add ${line} to its ${source.kind === "traces" ? "line of the trace set" : "prompt's front matter"} and rerun.`, "Copy");
    if (pick === "Copy") await vscode.env.clipboard.writeText(line);
    return false;
  }
  const uri = vscode.Uri.file(where.file);
  const doc = await vscode.workspace.openTextDocument(uri);
  const edit = referenceEdit(doc.getText(), where.index, m.answer);
  if ("error" in edit) {
    void vscode.window.showErrorMessage(`Hot Mess: ${basename(where.file)}: ${edit.error}`);
    return false;
  }
  const we = new vscode.WorkspaceEdit();
  const r = edit.range;
  we.replace(uri, new vscode.Range(new vscode.Position(r.start.line, r.start.character), new vscode.Position(r.end.line, r.end.character)), edit.newText);
  if (!(await vscode.workspace.applyEdit(we))) {
    void vscode.window.showErrorMessage(`Hot Mess: could not edit ${basename(where.file)}`);
    return false;
  }
  await doc.save();
  recordInRuns();
  void vscode.window.setStatusBarMessage(`Hot Mess: reference set to ${shown} in ${basename(where.file)}`, 5000);
  return true;
}
