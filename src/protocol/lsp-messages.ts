// The Hot Mess messages of ./lsp as typed vscode-jsonrpc message objects, for the language server
// and for tests that talk to it (kept apart so the extension's activation bundle does not load the
// protocol library).
import { NotificationType, RequestType } from "vscode-languageserver-protocol";
import { PROMPT_AT_METHOD, RUNS_CHANGED_METHOD, type PromptAtParams, type PromptInfo, type RunsChangedParams } from "./lsp";

export const RunsChangedNotification = {
  method: RUNS_CHANGED_METHOD,
  type: new NotificationType<RunsChangedParams | undefined>(RUNS_CHANGED_METHOD),
} as const;

export const PromptAtRequest = {
  method: PROMPT_AT_METHOD,
  type: new RequestType<PromptAtParams, PromptInfo | null, void>(PROMPT_AT_METHOD),
} as const;
