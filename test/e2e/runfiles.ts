// Run files written by hand for the e2e tests: a recorded run of the simulated reasoner with the
// given replies, as `hotmess run` writes it (header, samples, end).
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** Writes `dir/name`: a complete run of `texts` for `prompt`, optionally of a prompt file's prompt and with a reference. Returns its path. */
export function runFile(dir: string, name: string, id: string, prompt: string, texts: string[], createdAt: string, source?: { file: string; prompt: number }, reference?: string): string {
  const header = { type: "header", schema: "hotmess.run/1", id, createdAt, tool: { name: "hotmess", version: "0.1.0" }, provider: "simulated", model: "simulated-reasoner", prompt, ...(reference ? { reference } : {}), parameters: { n: texts.length, maxTokens: 256, thinking: { type: "none" }, concurrency: 1 }, ...(source ? { source } : {}) };
  const sample = (index: number, text: string) => ({ type: "sample", index, text, thinking: "", redactedThinking: 0, usage: { inputTokens: 10, outputTokens: 10 }, costUsd: null, latencyMs: 1, truncated: false, stopReason: "end_turn" });
  const f = join(dir, name);
  writeFileSync(f, [header, ...texts.map((t, i) => sample(i, t)), { type: "end", status: "complete", finishedAt: createdAt }].map((x) => JSON.stringify(x)).join("\n") + "\n");
  return f;
}
