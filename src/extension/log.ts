// The output channel. Every line goes through redaction first: API keys never reach the log,
// even when an error message from a server repeats one back.
import * as vscode from "vscode";

const KEY_PATTERNS = [/sk-ant-[A-Za-z0-9_-]{8,}/g, /sk-(?:proj-)?[A-Za-z0-9_-]{20,}/g, /(Bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/g, /(x-api-key["':\s]+)[A-Za-z0-9._-]{8,}/gi];

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 6) out = out.split(s).join("[redacted]");
  for (const re of KEY_PATTERNS) out = out.replace(re, (_m, prefix: string | undefined) => `${typeof prefix === "string" ? prefix : ""}[redacted]`);
  return out;
}

export class Log {
  private readonly channel: vscode.LogOutputChannel;
  private secrets: string[] = [];

  constructor() {
    this.channel = vscode.window.createOutputChannel("Hot Mess Inspector", { log: true });
  }

  /** Secrets to scrub from every line (the keys in use). */
  setSecrets(secrets: string[]): void {
    this.secrets = secrets.filter(Boolean);
  }

  info(line: string): void {
    this.channel.info(redact(line, this.secrets));
  }
  warn(line: string): void {
    this.channel.warn(redact(line, this.secrets));
  }
  error(line: string): void {
    this.channel.error(redact(line, this.secrets));
  }
  show(): void {
    this.channel.show(true);
  }
  dispose(): void {
    this.channel.dispose();
  }
}
