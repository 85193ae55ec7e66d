// API keys: in VS Code's SecretStorage (the OS keychain), with the environment as a fallback
// (ANTHROPIC_API_KEY / OPENAI_API_KEY in the extension host's environment). Never in settings,
// logs, run files or exports.
import type * as vscode from "vscode";

export type KeyedProvider = "anthropic" | "openai";

export const KEY_PROVIDERS: { id: KeyedProvider; label: string; env: string; hint: string }[] = [
  { id: "anthropic", label: "Anthropic", env: "ANTHROPIC_API_KEY", hint: "sk-ant-…, from console.anthropic.com → API keys" },
  { id: "openai", label: "OpenAI (or an OpenAI-compatible server)", env: "OPENAI_API_KEY", hint: "sk-…, from platform.openai.com → API keys" },
];

export class Secrets {
  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private static key(p: KeyedProvider): string {
    return `hotmess.apiKey.${p}`;
  }

  async get(p: KeyedProvider): Promise<string | undefined> {
    const stored = await this.storage.get(Secrets.key(p));
    if (stored) return stored;
    const env = KEY_PROVIDERS.find((k) => k.id === p)!.env;
    return this.env[env] || undefined;
  }

  /** Where the key in use comes from. */
  async origin(p: KeyedProvider): Promise<"stored" | "environment" | "none"> {
    if (await this.storage.get(Secrets.key(p))) return "stored";
    return this.env[KEY_PROVIDERS.find((k) => k.id === p)!.env] ? "environment" : "none";
  }

  async set(p: KeyedProvider, value: string): Promise<void> {
    await this.storage.store(Secrets.key(p), value);
  }

  async delete(p: KeyedProvider): Promise<void> {
    await this.storage.delete(Secrets.key(p));
  }
}
