// The output channel. Every line goes through redaction first: API keys never reach the log,
// even when an error message from a server repeats one back.
import * as vscode from "vscode";
import { redactSecrets as redact, secretsFromEnv } from "../core/redact";

export class Log {
  private readonly channel: vscode.LogOutputChannel;
  // the environment's keys from the first line on; the stored ones arrive with setSecrets
  private secrets: string[] = secretsFromEnv(process.env);

  constructor() {
    this.channel = vscode.window.createOutputChannel("Hot Mess Inspector", { log: true });
  }

  /** Secrets to scrub from every line: every key known (Secrets.known(), the environment's included). */
  setSecrets(secrets: readonly string[]): void {
    this.secrets = [...secrets];
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
