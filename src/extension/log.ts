// The output channel. Every line goes through redaction first: API keys never reach the log,
// even when an error message from a server repeats one back.
import * as vscode from "vscode";
import { redactSecrets as redact } from "../core";

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
