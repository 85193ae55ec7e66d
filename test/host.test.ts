// Host logic that needs no editor: the messages the view may send, and reading runs and trace
// sets into one comparison (what Open Run…, Import Traces… and a restored panel do).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isViewMessage } from "../src/protocol/webview";
import { loadAnalysis, loadView } from "../src/report/load";
import { benchmarkPrompts } from "../src/sampling/benchmark";
import { SimulatedProvider } from "../src/sampling/simulated";
import { recordRun } from "../src/sampling/record";
import { DEFAULT_PRICES } from "../src/sampling/prices";

const tool = { name: "test", version: "0" };

test("only well-formed messages from the view are acted on", () => {
  assert.ok(isViewMessage({ type: "ready" }));
  assert.ok(isViewMessage({ type: "run/cancel" }));
  assert.ok(isViewMessage({ type: "export/request", format: "csv" }));
  assert.ok(isViewMessage({ type: "run/resume", file: "/w/.hotmess/runs/a.jsonl" }));
  for (const bad of [null, 1, "ready", {}, { type: "export/request" }, { type: "export/request", format: "exe" }, { type: "eval", code: "x" }, { type: ["ready"] }, { type: "run/resume" }, { type: "run/resume", file: 3 }, { type: "run/resume", file: "" }])
    assert.equal(isViewMessage(bad), false, JSON.stringify(bad));
});

test("a run in which no sample finished: loadView keeps it with its state; loadAnalysis (hotmess export) says how it failed", () => {
  const dir = mkdtempSync(join(tmpdir(), "hotmess-host-"));
  const file = join(dir, "failed.jsonl");
  const header = { type: "header", schema: "hotmess.run/1", id: "f", createdAt: "2026-12-04T10:00:00.000Z", tool, provider: "anthropic", model: "claude-sonnet-4-5", prompt: "2 + 2?", parameters: { n: 8, maxTokens: 100, thinking: { type: "none" }, concurrency: 4, idleTimeoutMs: 1000 } };
  writeFileSync(file, [header, { type: "end", status: "failed", message: "Anthropic answered 401 authentication_error: invalid x-api-key", finishedAt: "2026-12-04T10:00:01.000Z" }].map((l) => JSON.stringify(l)).join("\n") + "\n");
  const view = loadView([file], { generator: tool });
  assert.equal(view.analysis, null);
  assert.equal(view.runs.length, 1);
  assert.equal(view.runs[0]!.state.summary, "Run failed: 0 of 8 samples finished");
  assert.throws(() => loadAnalysis([file], { generator: tool }), { message: `no usable prompt in ${file} (${file}: Run failed: 0 of 8 samples finished: 401 invalid x-api-key)` });
});

test("a recorded run and a trace set load into one comparison; problems are named", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hotmess-host-"));
  const [bp] = benchmarkPrompts(["easy"], 2);
  const recorded = await recordRun({
    provider: new SimulatedProvider({ tokensPerSecond: 0 }),
    providerName: "simulated",
    request: { prompt: bp!.prompt, model: "simulated-reasoner", maxTokens: 16000, thinking: { type: "none" } },
    n: 5,
    concurrency: 2,
    idleTimeoutMs: 10_000,
    retries: 0,
    prices: DEFAULT_PRICES,
    reference: bp!.reference,
    benchmark: bp!.spec,
    outDir: dir,
    tool,
  });
  assert.equal(recorded.run.samples.length, 5);
  const loaded = loadAnalysis([recorded.file], { generator: tool });
  assert.equal(loaded.analysis.prompts.length, 1);
  assert.equal(loaded.analysis.prompts[0]!.n, 5);
  assert.equal(loaded.analysis.prompts[0]!.model, "simulated-reasoner");
  assert.ok(loaded.analysis.prompts[0]!.optimizer, "the benchmark problem travels in the run file");
  assert.equal(loaded.records[0]!.samples.length, 5);
  const traces = join(dir, "traces.jsonl");
  writeFileSync(traces, [JSON.stringify({ id: "a", reference: 4, samples: [{ text: "Answer: 4" }, { text: "Answer: 5" }] }), "{oops", ""].join("\n"));
  const both = loadAnalysis([recorded.file, traces], { generator: tool });
  assert.equal(both.analysis.prompts.length, 2);
  assert.deepEqual(
    both.skipped.map((s) => [s.file, s.line]),
    [[traces, 2]],
  );
  const empty = join(dir, "empty.jsonl");
  writeFileSync(empty, "\n");
  assert.throws(() => loadAnalysis([empty], { generator: tool }), /is empty/);
  const bad = join(dir, "bad.jsonl");
  writeFileSync(bad, "{oops\n");
  assert.throws(() => loadAnalysis([bad], { generator: tool }), /no usable prompt .*line 1: not valid JSON/);
});
