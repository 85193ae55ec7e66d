// VS Code's Language Model API (`vscode.lm`) as a provider: the chat models the user already has
// in the editor (Copilot and others). They stream text only (no separate thinking), so the reply
// is the trace; token counts come from the model's own counter.
import * as vscode from "vscode";
import { SamplingError, type Provider, type ProviderEvent, type SampleRequest } from "../sampling/types";

/** The models the editor offers, for the model picker. */
export async function languageModels(): Promise<vscode.LanguageModelChat[]> {
  if (!vscode.lm?.selectChatModels) return [];
  try {
    return await vscode.lm.selectChatModels({});
  } catch {
    return [];
  }
}

export class LanguageModelProvider implements Provider {
  readonly id = "vscode-lm";

  check(r: SampleRequest): string | null {
    if (r.temperature !== undefined) return "models from VS Code's Language Model API take no temperature: clear the hotmess.temperature setting";
    return null;
  }

  async *stream(r: SampleRequest, signal: AbortSignal): AsyncIterable<ProviderEvent> {
    const [model] = await vscode.lm.selectChatModels({ id: r.model });
    if (!model) throw new SamplingError("request", `VS Code has no language model "${r.model}" (any more): pick another with "Hot Mess: Select Provider and Model"`);
    const source = new vscode.CancellationTokenSource();
    const onAbort = () => source.cancel();
    signal.addEventListener("abort", onAbort, { once: true });
    const messages = [...(r.system ? [vscode.LanguageModelChatMessage.User(r.system)] : []), vscode.LanguageModelChatMessage.User(r.prompt)];
    let text = "";
    try {
      const input = await Promise.resolve(model.countTokens([r.system ?? "", r.prompt].join("\n"), source.token)).catch(() => 0);
      yield { type: "usage", inputTokens: input };
      const response = await model.sendRequest(messages, { justification: "Hot Mess Inspector reruns your prompt to measure how the reruns differ." }, source.token);
      for await (const piece of response.text) {
        if (signal.aborted) return;
        text += piece;
        yield { type: "text", text: piece };
      }
      if (signal.aborted) return;
      const output = await Promise.resolve(model.countTokens(text, source.token)).catch(() => Math.ceil(text.length / 4));
      yield { type: "usage", outputTokens: output };
      yield { type: "stop", reason: "end_turn", truncated: false };
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof vscode.LanguageModelError) {
        const fatal = e.code === vscode.LanguageModelError.NoPermissions.name || e.code === vscode.LanguageModelError.Blocked.name || e.code === vscode.LanguageModelError.NotFound.name;
        throw new SamplingError(fatal ? "auth" : "server", `${model.name}: ${e.message}${e.code ? ` (${e.code})` : ""}`);
      }
      throw new SamplingError("server", `${model.name}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      signal.removeEventListener("abort", onAbort);
      source.dispose();
    }
  }
}
