// The run engine against scripted in-process providers: concurrency, retries and their
// visibility, fatal refusals, cancellation, timeouts, incomplete streams, adaptive stopping and
// cost accounting.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runSamples, type RunEvent } from "../src/sampling/engine";
import { SamplingError, type Provider, type ProviderEvent, type SampleRequest } from "../src/sampling/types";

const request: SampleRequest = { prompt: "2 + 2?", model: "m", maxTokens: 100, thinking: { type: "none" } };

type Script = (call: number, signal: AbortSignal) => AsyncIterable<ProviderEvent>;

function provider(script: Script): Provider & { calls: number; maxConcurrent: number } {
  let active = 0;
  const p = {
    id: "scripted",
    calls: 0,
    maxConcurrent: 0,
    check: () => null,
    async *stream(_r: SampleRequest, signal: AbortSignal): AsyncIterable<ProviderEvent> {
      const call = p.calls++;
      active++;
      p.maxConcurrent = Math.max(p.maxConcurrent, active);
      try {
        yield* script(call, signal);
      } finally {
        active--;
      }
    },
  };
  return p;
}

const wait = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });

async function* answer(text: string, opts: { delay?: number; signal?: AbortSignal; input?: number; output?: number; thinking?: string; truncated?: boolean } = {}): AsyncIterable<ProviderEvent> {
  yield { type: "usage", inputTokens: opts.input ?? 10 };
  if (opts.thinking) yield { type: "thinking", text: opts.thinking };
  if (opts.delay) await wait(opts.delay, opts.signal);
  if (opts.signal?.aborted) return;
  yield { type: "text", text };
  yield { type: "usage", outputTokens: opts.output ?? 5 };
  yield { type: "stop", reason: opts.truncated ? "max_tokens" : "end_turn", truncated: opts.truncated ?? false };
}

test("n independent samples, never more than `concurrency` at once, each its own request", async () => {
  const p = provider((call, signal) => answer(`Answer: ${call}`, { delay: 20, signal }));
  const r = await runSamples({ provider: p, request, n: 10, concurrency: 3 });
  assert.equal(r.status, "complete");
  assert.equal(r.samples.length, 10);
  assert.equal(p.calls, 10, "one request per sample: nothing cached");
  assert.equal(p.maxConcurrent, 3);
  assert.deepEqual(
    r.samples.map((s) => s.index),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.equal(new Set(r.samples.map((s) => s.text)).size, 10);
});

test("usage and cost are accounted per sample and per run; unknown price → null cost", async () => {
  const p = provider(() => answer("Answer: 4", { input: 1000, output: 2000, thinking: "2+2=4" }));
  const priced = await runSamples({ provider: p, request, n: 4, price: { input: 3, output: 15 } });
  const each = (1000 * 3 + 2000 * 15) / 1e6;
  for (const s of priced.samples) {
    assert.equal(s.costUsd, each);
    assert.deepEqual(s.usage, { inputTokens: 1000, outputTokens: 2000 });
    assert.equal(s.thinking, "2+2=4");
    assert.equal(s.text, "Answer: 4");
  }
  assert.ok(Math.abs(priced.progress.costUsd! - 4 * each) < 1e-12);
  assert.equal(priced.progress.inputTokens, 4000);
  const unknown = await runSamples({ provider: p, request, n: 2, price: null });
  assert.equal(unknown.progress.costUsd, null);
  assert.equal(unknown.samples[0]!.costUsd, null);
});

test("429 with retry-after: retried after the wait it asked for, visibly; all samples arrive", async () => {
  const events: RunEvent[] = [];
  const started: number[] = [];
  const p = provider(async function* (call) {
    started.push(Date.now());
    if (call === 1) throw new SamplingError("rate_limit", "Anthropic answered 429 rate_limit_error: slow down", 429, 150);
    yield* answer("Answer: 4");
  });
  const t0 = Date.now();
  const r = await runSamples({ provider: p, request, n: 3, concurrency: 1, onEvent: (e) => void events.push(e) });
  assert.equal(r.status, "complete");
  assert.equal(r.samples.length, 3);
  const retry = events.find((e) => e.type === "retry");
  assert.ok(retry && retry.type === "retry");
  assert.equal(retry.index, 1);
  assert.equal(retry.attempt, 1);
  assert.ok(retry.waitMs >= 150, `waits at least retry-after (${retry.waitMs})`);
  assert.match(retry.reason, /429 rate_limit_error: slow down/);
  assert.ok(started[2]! - started[1]! >= 145, "the retry started after retry-after");
  assert.equal(r.samples.find((s) => s.index === 1)!.retries, 1);
  assert.ok(Date.now() - t0 >= 150);
});

test("a retry-after pauses every sample, not only the one that was told", async () => {
  const starts: number[] = [];
  const p = provider(async function* (call) {
    starts.push(Date.now());
    if (call === 0) throw new SamplingError("overloaded", "529 overloaded_error", 529, 120);
    await wait(5);
    yield* answer("x");
  });
  const t0 = Date.now();
  await runSamples({ provider: p, request, n: 6, concurrency: 1 });
  // after the 529, the next attempts (whichever sample) wait for the pause
  assert.ok(starts[1]! - t0 >= 115, `second attempt at +${starts[1]! - t0} ms`);
});

test("backoff with jitter when no retry-after: exponential, capped, in [0.5, 1] of the step", async () => {
  const waits: number[] = [];
  const p = provider(async function* (call) {
    if (call < 4) throw new SamplingError("server", "500 api_error", 500);
    yield* answer("x");
  });
  await runSamples({
    provider: p,
    request,
    n: 1,
    backoffBaseMs: 10,
    backoffMaxMs: 40,
    random: () => 1,
    sleep: async (ms) => void waits.push(ms),
  });
  assert.deepEqual(waits, [10, 20, 40, 40]);
  const half: number[] = [];
  const q = provider(async function* (call) {
    if (call < 2) throw new SamplingError("connection", "reset", undefined);
    yield* answer("x");
  });
  await runSamples({ provider: q, request, n: 1, backoffBaseMs: 10, random: () => 0, sleep: async (ms) => void half.push(ms) });
  assert.deepEqual(half, [5, 10]);
});

test("401 and 400 fail the run at once with the API's own message; nothing is retried", async () => {
  for (const [kind, status, msg] of [
    ["auth", 401, "authentication_error: invalid x-api-key"],
    ["request", 400, "invalid_request_error: max_tokens: must be positive"],
  ] as const) {
    const events: RunEvent[] = [];
    const p = provider(async function* (call, signal) {
      if (call === 4) throw new SamplingError(kind, `Anthropic answered ${status} ${msg}`, status);
      yield* answer("x", { delay: call < 4 ? 1 : 200, signal });
    });
    const r = await runSamples({ provider: p, request, n: 20, concurrency: 2, onEvent: (e) => void events.push(e) });
    assert.equal(r.status, "failed");
    assert.match(r.message!, new RegExp(`${status} ${msg}`));
    assert.ok(!events.some((e) => e.type === "retry"), "no retry");
    assert.ok(p.calls < 20, `stopped early (${p.calls} calls)`);
    assert.ok(r.samples.length >= 2, "finished samples are kept");
  }
});

test("cancellation stops in-flight streams at once and keeps every finished sample", async () => {
  const ctl = new AbortController();
  let aborted = 0;
  const p = provider(async function* (call, signal) {
    if (call < 3) {
      yield* answer(`Answer: ${call}`);
      return;
    }
    signal.addEventListener("abort", () => aborted++);
    yield { type: "thinking", text: "thinking forever" };
    await wait(10_000, signal);
  });
  const kept: number[] = [];
  setTimeout(() => ctl.abort(), 80);
  const t0 = Date.now();
  const r = await runSamples({ provider: p, request, n: 10, concurrency: 2, signal: ctl.signal, onEvent: (e) => void (e.type === "sample" && kept.push(e.sample.index)) });
  assert.ok(Date.now() - t0 < 1000, "stopped at once");
  assert.equal(r.status, "cancelled");
  assert.equal(r.samples.length, 3);
  assert.deepEqual(kept.sort(), [0, 1, 2]);
  assert.ok(aborted >= 1, "the in-flight streams saw the abort");
  assert.match(r.message!, /cancelled with 3 of 10 samples finished \(kept\)/);
});

test("a stream that ends without its stop is retried, never stored as a finished sample", async () => {
  const p = provider(async function* (call) {
    yield { type: "text", text: "Answer: 4" };
    if (call === 0) return; // no stop event
    yield { type: "stop", reason: "end_turn", truncated: false };
  });
  const events: RunEvent[] = [];
  const r = await runSamples({ provider: p, request, n: 1, backoffBaseMs: 1, onEvent: (e) => void events.push(e) });
  assert.equal(r.samples.length, 1);
  assert.equal(r.samples[0]!.retries, 1);
  const retry = events.find((e) => e.type === "retry");
  assert.ok(retry && retry.type === "retry" && /without its stop/.test(retry.reason));
});

test("a stall past the idle timeout is abandoned and retried", async () => {
  const p = provider(async function* (call, signal) {
    yield { type: "thinking", text: "hmm" };
    if (call === 0) await wait(5000, signal);
    if (signal.aborted) return;
    yield* answer("Answer: 4");
  });
  const events: RunEvent[] = [];
  const t0 = Date.now();
  const r = await runSamples({ provider: p, request, n: 1, idleTimeoutMs: 100, backoffBaseMs: 1, onEvent: (e) => void events.push(e) });
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(r.samples.length, 1);
  const retry = events.find((e) => e.type === "retry");
  assert.ok(retry && retry.type === "retry" && /no data for 100 ms/.test(retry.reason), JSON.stringify(retry));
});

test("a sample that keeps failing is reported after its retries", async () => {
  // eslint-disable-next-line require-yield
  const q = provider(async function* () {
    throw new SamplingError("server", "500 api_error: boom", 500);
  });
  const events: RunEvent[] = [];
  const r = await runSamples({ provider: q, request, n: 2, maxRetries: 2, backoffBaseMs: 1, onEvent: (e) => void events.push(e) });
  assert.equal(r.status, "complete");
  assert.equal(r.samples.length, 0);
  assert.equal(r.failures.length, 2);
  assert.deepEqual(r.failures[0], { index: 0, kind: "server", message: "500 api_error: boom", attempts: 3 });
  assert.equal(events.filter((e) => e.type === "retry").length, 4);
});

test("truncated samples are flagged", async () => {
  const p = provider(() => answer("Answer: 4 and then", { truncated: true }));
  const r = await runSamples({ provider: p, request, n: 1 });
  assert.equal(r.samples[0]!.truncated, true);
  assert.equal(r.samples[0]!.stopReason, "max_tokens");
});

test("adaptive stopping: waves until the interval is narrower than W, or the maximum", async () => {
  // every rerun gives the same wrong answer: incoherence 0 with a zero-width interval → stops at the minimum
  const same = provider(() => answer("Answer: 5"));
  const waves: RunEvent[] = [];
  const r = await runSamples({ provider: same, request, n: 200, concurrency: 4, untilCi: { width: 0.2, reference: 4, minSamples: 10 }, onEvent: (e) => void (e.type === "wave" && waves.push(e)) });
  assert.equal(r.samples.length, 10);
  assert.equal(r.stoppedEarly, true);
  assert.equal(waves.length, 1);
  // answers scattered at random: the interval stays wide → runs to the maximum
  let k = 0;
  const scattered = provider(() => answer(`Answer: ${[4, 5, 6, 7][k++ % 4]}`));
  const s = await runSamples({ provider: scattered, request, n: 24, concurrency: 4, untilCi: { width: 0.01, reference: 4, minSamples: 8 } });
  assert.equal(s.samples.length, 24);
  assert.equal(s.stoppedEarly, false);
});

test("a resumed run counts its existing samples toward n and continues the indices", async () => {
  const p = provider((call) => answer(`Answer: ${call}`));
  const first = await runSamples({ provider: p, request, n: 3 });
  const r = await runSamples({ provider: p, request, n: 5, existing: first.samples });
  assert.equal(r.samples.length, 5);
  assert.deepEqual(
    r.samples.map((s) => s.index),
    [0, 1, 2, 3, 4],
  );
  assert.equal(p.calls, 5);
});
