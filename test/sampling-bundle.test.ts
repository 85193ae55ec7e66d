// The providers as the packaged editor runs them: bundled and minified (esbuild --production
// renames classes, so `constructor.name` no longer says "APIConnectionError"). The failure
// classification must not depend on class names: an unreachable server, a dropped connection
// and a mid-stream error are told apart the same as in the unminified build.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import type { AnthropicProvider } from "../src/sampling/anthropic";
import type { runSamples as RunSamples } from "../src/sampling/engine";
import type { OpenAIProvider } from "../src/sampling/openai";
import type { SampleRequest } from "../src/sampling/types";
import { startFakeAnthropic, type FakeAnthropic } from "./fakes/anthropic";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/openai";
import { freePort } from "./support/net";

interface Bundle {
  AnthropicProvider: typeof AnthropicProvider;
  OpenAIProvider: typeof OpenAIProvider;
  runSamples: typeof RunSamples;
}

let bundle: Bundle;
let anthropic: FakeAnthropic;
let openai: FakeOpenAI;
before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "hotmess-bundle-"));
  const src = join(__dirname, "..", "src", "sampling");
  const entry = join(dir, "entry.ts");
  writeFileSync(entry, [`export { AnthropicProvider } from ${JSON.stringify(join(src, "anthropic"))};`, `export { OpenAIProvider } from ${JSON.stringify(join(src, "openai"))};`, `export { runSamples } from ${JSON.stringify(join(src, "engine"))};`].join("\n"));
  const outfile = join(dir, "providers.js");
  // the options of the editor's production bundle (esbuild.mjs --production)
  await build({ entryPoints: [entry], outfile, bundle: true, minify: true, platform: "node", format: "cjs", target: "node20", logLevel: "silent", nodePaths: [join(__dirname, "..", "node_modules")] });
  bundle = createRequire(__filename)(outfile) as Bundle;
  anthropic = await startFakeAnthropic();
  openai = await startFakeOpenAI();
});
after(async () => {
  await anthropic.close();
  await openai.close();
});

const request: SampleRequest = { prompt: "2 + 2?", model: "claude-opus-4-6", maxTokens: 100, thinking: { type: "none" } };


test("minified: a refused connection fails the run at once for both providers", { timeout: 20_000 }, async () => {
  const port = await freePort();
  for (const provider of [new bundle.AnthropicProvider({ apiKey: "sk-ant-bundle-key-000", baseURL: `http://127.0.0.1:${port}` }), new bundle.OpenAIProvider({ apiKey: "sk-bundle-key-0000000000", baseURL: `http://127.0.0.1:${port}/v1` })]) {
    const t0 = Date.now();
    const r = await bundle.runSamples({ provider, request, n: 4, concurrency: 2 });
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(r.status, "failed");
    assert.equal(r.failures.length, 1);
    assert.equal(r.failures[0]!.kind, "unreachable");
    assert.match(r.message!, new RegExp(`^cannot connect to 127\\.0\\.0\\.1:${port} \\(connection refused\\)`));
  }
});

test("minified: a connection dropped before the answer is a retryable connection failure; a mid-stream request error is not retried", async () => {
  openai.enqueue({ kind: "reset", afterChunks: 0 });
  const provider = new bundle.OpenAIProvider({ apiKey: "sk-bundle-key-0000000000", baseURL: `${openai.url}/v1` });
  const dropped = await bundle.runSamples({ provider, request, n: 1, maxRetries: 0 });
  assert.equal(dropped.failures[0]!.kind, "connection");
  assert.equal(dropped.failures[0]!.retryable, true);
  assert.match(dropped.failures[0]!.message, /^connection to the OpenAI-compatible server at .* failed/);
  anthropic.enqueue({ kind: "error-event", type: "invalid_request_error", message: "prompt is too long", afterChunks: 9 });
  const refused = await bundle.runSamples({ provider: new bundle.AnthropicProvider({ apiKey: "sk-ant-bundle-key-000", baseURL: anthropic.url }), request, n: 2, concurrency: 1 });
  assert.equal(refused.status, "failed");
  assert.equal(refused.failures[0]!.kind, "request");
  assert.deepEqual(refused.failures[0]!.partial, { thinking: "Let me work this out. Two plus two is four.", text: "The answer" });
});
