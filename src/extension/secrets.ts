// API keys: in VS Code's SecretStorage (the OS keychain), with the environment as a fallback
// (ANTHROPIC_API_KEY / OPENAI_API_KEY in the extension host's environment). Never in settings,
// logs, run files, exports or the view: `known()` lists every key to redact from them.
import type * as vscode from "vscode";
import { secretsFromEnv } from "../core/redact";

export type KeyedProvider = "anthropic" | "openai";

export const KEY_PROVIDERS: { id: KeyedProvider; label: string; env: string; hint: string }[] = [
  { id: "anthropic", label: "Anthropic", env: "ANTHROPIC_API_KEY", hint: "sk-ant-…, from console.anthropic.com → API keys" },
  { id: "openai", label: "OpenAI (or an OpenAI-compatible server)", env: "OPENAI_API_KEY", hint: "sk-…, from platform.openai.com → API keys" },
];

export class Secrets {
  /** The keys to redact, read once and again after a key changes. */
  private knownKeys: Promise<string[]> | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly watching: { dispose(): void } | undefined;

  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    // a key stored or removed from another window of VS Code
    this.watching = storage.onDidChange?.(() => this.changed());
  }

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
    this.changed();
  }

  async delete(p: KeyedProvider): Promise<void> {
    await this.storage.delete(Secrets.key(p));
    this.changed();
  }

  /**
   * Every key the product knows, to redact (src/core/redact.ts) from all that the view shows and
   * the log writes: the stored ones and the environment's (the providers' and any other
   * *_API_KEY, *_TOKEN, *_SECRET there).
   */
  known(): Promise<string[]> {
    this.knownKeys ??= Promise.all(KEY_PROVIDERS.map((k) => this.storage.get(Secrets.key(k.id))))
      .then((stored) => [...stored.filter((s): s is string => !!s), ...secretsFromEnv(this.env)])
      .catch(() => secretsFromEnv(this.env));
    return this.knownKeys;
  }

  /** Called after the known keys changed (a key stored or removed, here or in another window). */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(): void {
    this.knownKeys = null;
    for (const f of this.listeners) f();
  }

  dispose(): void {
    this.watching?.dispose();
    this.listeners.clear();
  }
}
