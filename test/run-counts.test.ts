// A partial run's counts read the same wherever they show (runState's summary and brief): the
// Open Run picker's row, the prompt file's lens and hint, the status bar. A run stopped by the
// wait cap has samples that never started: they are not "failed".
import "./stubs/install";
import { test } from "node:test";
import assert from "node:assert/strict";
import * as vscode from "./stubs/vscode";
import { parsePromptFile, parseRunFile, runState, type RunHeader } from "../src/core";
import { stateBadge } from "../src/extension/runstore";
import { StatusBar } from "../src/extension/status";
import { codeLenses, inlayHints } from "../src/server/render";
import { summarizeRun } from "../src/server/summary";

const header = { type: "header", schema: "hotmess.run/1", id: "r1", createdAt: "2026-12-04T10:00:00.000Z", tool: { name: "t", version: "0" }, provider: "anthropic", model: "claude-sonnet-4-5", prompt: "2 + 2?", parameters: { n: 8, maxTokens: 100, thinking: { type: "none" }, concurrency: 4, idleTimeoutMs: 120000 } };
const sample = (index: number) => ({ type: "sample", index, text: "Answer: 4", thinking: "", redactedThinking: 0, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: null, latencyMs: 1, retries: 0, truncated: false, stopReason: "end_turn", finishedAt: "2026-12-04T10:00:01.000Z" });
// 5 finished, 1 gave up on a wait longer than the cap, 2 never started (the run stopped first)
const capped = { type: "failure", index: 5, kind: "rate_limit", message: "Anthropic answered 429 rate_limit_error: slow down", attempts: 1, status: 429, retryable: true, retryAfterMs: 3_600_000 };
const run = parseRunFile([header, ...[0, 1, 2, 3, 4].map(sample), capped, { type: "end", status: "partial", finishedAt: "2026-12-04T10:00:02.000Z" }].map((l) => JSON.stringify(l)).join("\n") + "\n");

test("a run stopped by the wait cap: 1 failed and 2 not started, alike in the sentence, the picker, the lens, the hint and the status bar", () => {
  const state = runState(run);
  assert.equal(state.summary, "Partial: 5 of 8 samples finished, 1 failed, 2 not started");
  assert.equal(state.brief, "5 of 8 finished, 1 failed, 2 not started");
  assert.equal(stateBadge(state), "$(warning) partial: 5 of 8 finished, 1 failed, 2 not started (429 slow down)");

  const prompt = parsePromptFile("2 + 2?\n", () => "h")[0]!;
  const entry = { file: "/w/.hotmess/runs/r1.jsonl", header: run.header as RunHeader, summary: summarizeRun(run, 50), summarizedAt: { size: 1, mtimeMs: 1 } };
  const view = { prompt, n: 8, run: entry as never, stale: false };
  assert.equal(codeLenses("file:///w/p.prompt", [view])[0]!.command!.title, "▶ Rerun ×8 · disagreement 0.00 (no reference) · 1 answer · ⚠ 5 of 8 finished, 1 failed, 2 not started: 429 slow down");
  assert.equal((inlayHints([view])[0]!.label as { value: string }[])[0]!.value, "disagreement 0.00 (no reference) · ⚠ 5 of 8 finished, 1 failed, 2 not started: 429 slow down");

  vscode.reset();
  const bar = new StatusBar();
  bar.failed(state, [entry.file]);
  assert.equal(vscode.recorded.statusText, "$(warning) Hot Mess: 5 of 8 finished, 1 failed, 2 not started");
  assert.equal(vscode.recorded.statusTooltip, "Partial: 5 of 8 samples finished, 1 failed, 2 not started: 429 slow down. Click to open it (Retry is there).");
  bar.dispose();
});

test("the short counts of every status", () => {
  const lines = (...l: object[]) => parseRunFile(l.map((x) => JSON.stringify(x)).join("\n") + "\n");
  const end = (status: string) => ({ type: "end", status, finishedAt: "2026-12-04T10:00:02.000Z" });
  assert.equal(runState(lines(header, sample(0), end("cancelled"))).brief, "1 of 8 finished");
  assert.equal(runState(lines(header, sample(0), sample(1))).brief, "2 of 8 recorded");
  assert.equal(runState(lines(header, end("failed"))).brief, "0 of 8 finished");
  assert.equal(runState(lines({ ...header, parameters: { ...header.parameters, n: 2 } }, sample(0), sample(1), end("complete"))).brief, "2 of 2 finished");
});
