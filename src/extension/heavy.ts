// What the extension needs only when it is used: the model SDKs (for a run), the language
// client (for the first prompt file) and the importers of other tools' logs (Import Traces…). Bundled apart as dist/heavy.js and required on first use,
// so that activating the extension does not load them (see lazy.ts).
import * as vscode from "vscode";
import { join } from "node:path";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { LANGUAGE_ID, type InitializationOptions } from "../protocol/lsp";

export { AnthropicProvider } from "../sampling/anthropic";
export { OpenAIProvider } from "../sampling/openai";
export { importFiles, ImportFormatError } from "../import";

export function startLanguageClient(context: vscode.ExtensionContext): LanguageClient {
  const module = vscode.Uri.joinPath(context.extensionUri, "dist", "server.js").fsPath;
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ["--nolazy", "--inspect=6019"] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: LANGUAGE_ID }],
    synchronize: { configurationSection: "hotmess" },
    outputChannelName: "Hot Mess Inspector (language server)",
    // hovers link only to opening a run and retrying it: those commands are trusted, and no HTML
    markdown: { isTrusted: { enabledCommands: ["hotmess.openRunFile", "hotmess.resumeRun"] }, supportHtml: false },
    initializationOptions: { fallbackRunDirectory: join(context.globalStorageUri.fsPath, "runs") } satisfies InitializationOptions,
  };
  const client = new LanguageClient("hotmess", "Hot Mess Inspector", serverOptions, clientOptions);
  void client.start();
  context.subscriptions.push({ dispose: () => void client.stop() });
  return client;
}

// sweeps (Run Sweep, polling batches): the batch clients and the sweep lifecycle, which splits batches with the SDKs' encodings
export { AnthropicBatchClient } from "../sampling/batch-anthropic";
export { OpenAIBatchClient } from "../sampling/batch-openai";
export { endSweep, estimateSweep, failedRequests, pollSweep, readPrompts, recordedBatchIds, recoverUnrecorded, requestFor, resubmitFailed, runLiveSweep, sourceName, submitUnsent, sweepHeader, SweepWriter } from "../sampling/sweep";
