// Prompt files in the editor: the language client that starts the language server (code lenses,
// inlay hints, hovers, diagnostics; src/server) over IPC when a prompt file is opened, and the
// commands its code lenses call: rerun one prompt of a file with its front matter applied (a
// conversation prompt: its next action, with its tools file read beside it), and open a run file.
import * as vscode from "vscode";
import { relative } from "node:path";
import { nextActionTitle, parsePromptFile, type PromptSettings } from "../core";
import { promptHash, toolsFileReader } from "../sampling/store";
import type { Settings } from "./config";
import type { RunRequest } from "./runs";
import { LANGUAGE_ID } from "../protocol/lsp";



/**
 * Folding for prompt files: each prompt, and its front matter. (A language configuration cannot
 * do it: `===` both ends one prompt and starts the next, and both front-matter fences read `---`.)
 */
export function registerFolding(): vscode.Disposable {
  return vscode.languages.registerFoldingRangeProvider(
    { language: LANGUAGE_ID },
    {
      provideFoldingRanges(document) {
        const ranges: vscode.FoldingRange[] = [];
        for (const p of parsePromptFile(document.getText(), promptHash)) {
          if (p.range.end.line > p.range.start.line) ranges.push(new vscode.FoldingRange(p.range.start.line, p.range.end.line, vscode.FoldingRangeKind.Region));
          if (p.bodyRange.start.line - 1 > p.range.start.line) ranges.push(new vscode.FoldingRange(p.range.start.line, p.bodyRange.start.line - 1));
        }
        return ranges;
      },
    },
  );
}

/** A prompt file's front matter as settings over the user's. */
export function overridesFrom(s: PromptSettings): Partial<Settings> {
  const o: Partial<Settings> = {};
  if (s.n !== undefined) o.n = s.n;
  if (s.provider !== undefined) o.provider = s.provider as Settings["provider"];
  if (s.model !== undefined) o.model = s.model;
  if (s.temperature !== undefined) o.temperature = s.temperature;
  if (s.thinking !== undefined) o.thinking = s.thinking as Settings["thinking"];
  if (s.thinkingBudget !== undefined) o.thinkingBudget = s.thinkingBudget;
  if (s.maxTokens !== undefined) o.maxTokens = s.maxTokens;
  return o;
}

/** A tools file larger than this is refused (as the language server does). */

/**
 * The run of prompt `index` of a prompt file, as the code lens above it starts it. A
 * conversation prompt runs its next action: `conversation` is its prefix with its tools, `prompt`
 * the label its runs record (whose hash the language server matches the runs by).
 */
export async function promptRunRequest(uri: vscode.Uri, index: number): Promise<RunRequest> {
  const document = await vscode.workspace.openTextDocument(uri);
  const prompts = parsePromptFile(document.getText(), promptHash, { readToolsFile: toolsFileReader(uri.scheme === "file" ? uri.fsPath : null) });
  const p = prompts[index];
  if (!p) throw new Error(`${vscode.workspace.asRelativePath(uri)} has no prompt ${index + 1} (it has ${prompts.length})`);
  const errors = p.problems.filter((x) => x.severity === "error");
  if (errors.length > 0) throw new Error(`prompt ${index + 1} of ${vscode.workspace.asRelativePath(uri)}: ${errors[0]!.message} (line ${errors[0]!.range.start.line + 1})`);
  if (p.unresolved.length > 0) throw new Error(`prompt ${index + 1} uses {{${p.unresolved[0]!.name}}}, which its front matter's vars do not define (line ${p.unresolved[0]!.range.start.line + 1})`);
  if (p.user.trim() === "") throw new Error(`prompt ${index + 1} of ${vscode.workspace.asRelativePath(uri)} has no user message`);
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const file = folder ? relative(folder.uri.fsPath, uri.fsPath) : uri.fsPath;
  const c = p.conversation;
  return {
    prompt: p.user,
    ...(p.system ? { system: p.system } : {}),
    title: p.settings.id ?? (c ? nextActionTitle(c) : (p.user.split("\n")[0] ?? "").slice(0, 40)),
    document,
    overrides: overridesFrom(p.settings),
    ...(p.settings.n !== undefined ? { n: p.settings.n } : {}),
    // a conversation's reference is its expected next action (the run records it as such)
    ...(p.settings.reference !== undefined ? { reference: p.settings.reference } : {}),
    // how its answers are extracted and compared (answer: / compare:), recorded in the run's header
    ...(p.settings.answerSpec ? { answerSpec: p.settings.answerSpec } : {}),
    source: { file, prompt: index, ...(p.settings.id ? { id: p.settings.id } : {}) },
    ...(c ? { conversation: c } : {}),
  };
}
