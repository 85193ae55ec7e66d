// The run engine against scripted in-process providers: concurrency, retries and their
// visibility, fatal refusals, cancellation, timeouts, incomplete streams, adaptive stopping and
// cost accounting.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatWait, runSamples, type RunEvent } from "../src/sampling/engine";
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
  // unknown before any sample finished too (not "$0.0000" beside "cost unknown")
  const progress: number[] = [];
  // eslint-disable-next-line require-yield
  const failing = provider(async function* () {
    throw new SamplingError("auth", "401", 401);
  });
  const none = await runSamples({ provider: failing, request, n: 2, price: null, onEvent: (e) => void (e.type === "progress" && progress.push(e.progress.costUsd as number)) });
  assert.equal(none.progress.costUsd, null);
  assert.ok(progress.every((c) => c === null), JSON.stringify(progress));
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
    // the sample that got it is a failure line with its reason; the samples never started are not
    assert.equal(r.failures.length, 1);
    assert.deepEqual(r.failures[0], { index: 4, kind, message: `Anthropic answered ${status} ${msg}`, attempts: 1, status, retryable: false });
    assert.equal(r.status, "failed");
  }
});

test("a request the provider's check() refuses is never sent: the run fails at once with one refused-request failure", { timeout: 5_000 }, async () => {
  let streamed = 0;
  const refusing: Provider = {
    ...provider(() => {
      streamed++;
      return answer("x");
    }),
    check: () => "the base URL has a key in its query (key=…)",
  };
  const events: RunEvent[] = [];
  const r = await runSamples({ provider: refusing, request, n: 4, firstIndex: 2, onEvent: (e) => void events.push(e) });
  assert.equal(streamed, 0, "stream() was never called");
  assert.equal(r.status, "failed");
  assert.equal(r.message, "the base URL has a key in its query (key=…)");
  assert.deepEqual(r.failures, [{ index: 2, kind: "request", message: "the base URL has a key in its query (key=…)", attempts: 0, retryable: false }]);
  assert.ok(!events.some((e) => e.type === "retry"), "no retry");
  assert.deepEqual(
    events.filter((e) => e.type === "failure").map((e) => e.type === "failure" && e.failure.index),
    [2],
  );
});

test("a fatal error met by several samples at once is one failure and one message", async () => {
  const events: RunEvent[] = [];
  // eslint-disable-next-line require-yield
  const p = provider(async function* () {
    await wait(5);
    throw new SamplingError("auth", "Anthropic answered 401 authentication_error: invalid x-api-key", 401);
  });
  const r = await runSamples({ provider: p, request, n: 8, concurrency: 4, onEvent: (e) => void events.push(e) });
  assert.equal(p.calls, 4);
  assert.equal(r.status, "failed");
  assert.equal(r.failures.length, 1);
  assert.equal(events.filter((e) => e.type === "failure").length, 1);
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

test("a sample that keeps failing is reported after its retries, with its reason; when none finished, the run failed", async () => {
  // eslint-disable-next-line require-yield
  const q = provider(async function* () {
    throw new SamplingError("server", "500 api_error: boom", 500, undefined, "req_011CAbc", "https://api.anthropic.com/v1/messages");
  });
  const events: RunEvent[] = [];
  const r = await runSamples({ provider: q, request, n: 2, maxRetries: 2, backoffBaseMs: 1, onEvent: (e) => void events.push(e) });
  assert.equal(r.status, "failed");
  assert.equal(r.status, "failed");
  assert.match(r.message!, /no sample finished: 2 of 2 failed .*500 api_error: boom/);
  assert.equal(r.samples.length, 0);
  assert.equal(r.failures.length, 2);
  assert.deepEqual(r.failures[0], { index: 0, kind: "server", message: "500 api_error: boom", attempts: 3, status: 500, url: "https://api.anthropic.com/v1/messages", requestId: "req_011CAbc", retryable: true });
  assert.equal(events.filter((e) => e.type === "retry").length, 4);
});

test("some samples finished and some failed: the run is partial", async () => {
  const q = provider(async function* (call) {
    if (call % 2 === 1) throw new SamplingError("server", "500 api_error: boom", 500);
    yield* answer("Answer: 4");
  });
  const r = await runSamples({ provider: q, request, n: 4, concurrency: 1, maxRetries: 0 });
  assert.equal(r.samples.length, 2);
  assert.equal(r.failures.length, 2);
  assert.notEqual(r.status, "failed");
  assert.equal(r.status, "partial");
  const all = await runSamples({ provider: provider(() => answer("Answer: 4")), request, n: 2 });
  assert.equal(all.status, "complete");
});

test("an error mid-stream: the failure keeps what the model had said in its last attempt", async () => {
  // not retryable (a request error): the first attempt's words
  const refused = provider(async function* () {
    yield { type: "thinking", text: "16 - 3 = 13. " };
    yield { type: "text", text: "She has 13" };
    throw new SamplingError("request", "Anthropic sent an error mid-stream (invalid_request_error): prompt is too long", undefined);
  });
  const r = await runSamples({ provider: refused, request, n: 3, concurrency: 1 });
  assert.equal(r.status, "failed");
  assert.deepEqual(r.failures[0]!.partial, { text: "She has 13", thinking: "16 - 3 = 13. " });
  assert.equal(r.failures[0]!.retryable, false);
  // retried until the retries ran out: the last attempt's words
  const flaky = provider(async function* (call) {
    yield { type: "text", text: `attempt ${call}` };
    throw new SamplingError("overloaded", "Anthropic sent an error mid-stream (overloaded_error): Overloaded");
  });
  const f = await runSamples({ provider: flaky, request, n: 1, maxRetries: 2, backoffBaseMs: 1 });
  assert.deepEqual(f.failures[0]!.partial, { text: "attempt 2", thinking: "" });
  // nothing said: no partial
  // eslint-disable-next-line require-yield
  const silent = provider(async function* () {
    throw new SamplingError("server", "500 api_error", 500);
  });
  const s = await runSamples({ provider: silent, request, n: 1, maxRetries: 0 });
  assert.equal(s.failures[0]!.partial, undefined);
});

test("a retry-after beyond the cap: that sample fails as retryable at once, no new sample starts, in-flight ones finish", { timeout: 10_000 }, async () => {
  const events: RunEvent[] = [];
  const p = provider(async function* (call, signal) {
    if (call === 2) throw new SamplingError("rate_limit", "Anthropic answered 429 rate_limit_error: slow down", 429, 3_600_000, "req_011CLimit");
    yield* answer(`Answer: ${call}`, { delay: call === 1 ? 150 : 10, signal });
  });
  const t0 = Date.now();
  const r = await runSamples({ provider: p, request, n: 8, concurrency: 2, onEvent: (e) => void events.push(e) });
  assert.ok(Date.now() - t0 < 2000, `no hour-long sleep (${Date.now() - t0} ms)`);
  assert.equal(p.calls, 3, "nothing started after the 429");
  assert.deepEqual(
    r.samples.map((s) => s.index),
    [0, 1],
    "the sample in flight finished",
  );
  assert.equal(r.failures.length, 1);
  const f = r.failures[0]!;
  assert.equal(f.index, 2);
  assert.equal(f.kind, "rate_limit");
  assert.equal(f.retryable, true);
  assert.equal(f.retryAfterMs, 3_600_000);
  assert.equal(f.status, 429);
  assert.equal(f.requestId, "req_011CLimit");
  assert.match(f.message, /429 rate_limit_error: slow down.*the server asked to wait 60 min before retrying \(more than the 60 s limit/);
  assert.ok(!events.some((e) => e.type === "retry"), "no retry");
  // told at once: the failure event came before the in-flight sample finished
  const order = events.filter((e) => e.type === "failure" || e.type === "sample").map((e) => (e.type === "failure" ? "failure" : `sample ${e.type === "sample" ? e.sample.index : ""}`));
  assert.deepEqual(order, ["sample 0", "failure", "sample 1"]);
  assert.equal(r.status, "partial");
  assert.match(r.message!, /the server asked to wait 60 min/);
  assert.match(r.message!, /2 of 8 samples finished/);
});

test("the retry-after cap: up to it the wait is honoured, beyond it nobody waits (samples waiting to retry stop too)", { timeout: 10_000 }, async () => {
  const slept: number[] = [];
  const honoured = provider(async function* (call) {
    if (call === 0) throw new SamplingError("rate_limit", "429", 429, 2000);
    yield* answer("x");
  });
  const ok = await runSamples({ provider: honoured, request, n: 1, maxRetryWaitMs: 2000, sleep: async (ms) => void slept.push(ms) });
  assert.equal(ok.samples.length, 1);
  assert.ok(slept[0]! >= 2000, `waited ${slept[0]} ms`);
  // sample 0 is waiting out a 5 s backoff when sample 1 is told to wait 10 s (the cap is 1 s):
  // sample 0 stops waiting and fails as retryable with its own reason; nothing else starts
  const p = provider(async function* (call, signal) {
    if (call === 0) throw new SamplingError("server", "500 api_error", 500);
    await wait(30, signal);
    if (call === 1) throw new SamplingError("overloaded", "529 overloaded_error", 529, 10_000);
    yield* answer("x");
  });
  const t0 = Date.now();
  const r = await runSamples({ provider: p, request, n: 6, concurrency: 2, backoffBaseMs: 5000, random: () => 1, maxRetryWaitMs: 1000 });
  assert.ok(Date.now() - t0 < 2000, `${Date.now() - t0} ms`);
  assert.equal(p.calls, 2);
  assert.deepEqual(
    r.failures.map((f) => [f.index, f.kind, f.retryable]).sort(),
    [
      [0, "server", true],
      [1, "overloaded", true],
    ],
  );
  assert.match(r.failures.find((f) => f.index === 1)!.message, /asked to wait 10 s before retrying \(more than the 1 s limit/);
  assert.equal(r.status, "failed", "nothing finished");
});

test("truncated samples are flagged", async () => {
  const p = provider(() => answer("Answer: 4 and then", { truncated: true }));
  const r = await runSamples({ provider: p, request, n: 1 });
  assert.equal(r.samples[0]!.truncated, true);
  assert.equal(r.samples[0]!.stopReason, "max_tokens");
});

/** Each wave after the first is the size the previous one projected (at least 1, all the rest when out of reach), never past n. */
function assertWavesFollowProjection(waves: Extract<RunEvent, { type: "wave" }>[], n: number) {
  for (let i = 1; i < waves.length; i++) {
    const prev = waves[i - 1]!;
    const want = prev.more === null ? n : Math.max(1, prev.more);
    assert.equal(waves[i]!.samples - prev.samples, Math.min(want, n - prev.samples), `wave ${i + 1} follows the projection after ${prev.samples} samples (${prev.more})`);
  }
}

test("adaptive stopping: waves sized by the projection until the interval is narrower than W, or the maximum", async () => {
  // every rerun gives the same wrong answer. The interval no longer collapses to a point when the
  // runs agree (10 agreeing runs do not prove the prompt always agrees): at 10 it is wider than
  // W, the projection says how many more it takes, and the run stops once the width is under W
  const same = provider(() => answer("Answer: 5"));
  const waves: Extract<RunEvent, { type: "wave" }>[] = [];
  const r = await runSamples({ provider: same, request, n: 200, concurrency: 4, untilCi: { width: 0.2, reference: 4, minSamples: 10 }, onEvent: (e) => void (e.type === "wave" && waves.push(e)) });
  assert.equal(waves[0]!.samples, 10, "the first wave reaches the minimum");
  assert.ok(waves[0]!.ciWidth! >= 0.2, `10 agreeing runs leave the interval wider than W: ${waves[0]!.ciWidth}`);
  assert.ok(waves[0]!.more! > 0);
  assertWavesFollowProjection(waves, 200);
  for (const w of waves.slice(0, -1)) assert.ok(w.ciWidth! >= 0.2, `no stop while the width is ${w.ciWidth}`);
  assert.ok(waves.at(-1)!.ciWidth! < 0.2, "it stops once the width is under W");
  assert.equal(r.samples.length, waves.at(-1)!.samples);
  assert.ok(r.samples.length < 200 && r.samples.length <= 10 + waves[0]!.more! * 2, `stopped after ${r.samples.length}, not in fixed small waves to 200`);
  assert.equal(r.stoppedEarly, true);

  // answers scattered at random and W out of reach: the projection says so (null), and the next
  // wave takes the run straight to the maximum
  let k = 0;
  const scattered = provider(() => answer(`Answer: ${[4, 5, 6, 7][k++ % 4]}`));
  const far: Extract<RunEvent, { type: "wave" }>[] = [];
  const s = await runSamples({ provider: scattered, request, n: 24, concurrency: 4, untilCi: { width: 0.01, reference: 4, minSamples: 8 }, onEvent: (e) => void (e.type === "wave" && far.push(e)) });
  assert.deepEqual(
    far.map((w) => [w.samples, w.more]),
    [
      [8, null],
      [24, null],
    ],
  );
  assert.equal(s.samples.length, 24);
  assert.equal(s.stoppedEarly, false);

  // a mix of right and wrong answers, one at a time: every wave is the projected size, never past n
  let j = 0;
  const mixed = provider(() => answer(`Answer: ${[4, 4, 4, 5, 4, 6, 4, 4, 7, 4][j++ % 10]}`));
  const mix: Extract<RunEvent, { type: "wave" }>[] = [];
  const m = await runSamples({ provider: mixed, request, n: 60, concurrency: 1, untilCi: { width: 0.3, reference: 4, minSamples: 10 }, onEvent: (e) => void (e.type === "wave" && mix.push(e)) });
  assert.ok(mix.length >= 2, `more than one wave: ${JSON.stringify(mix)}`);
  assertWavesFollowProjection(mix, 60);
  assert.ok(mix.at(-1)!.ciWidth! < 0.3 || m.samples.length === 60);
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

test("waits in words", () => {
  assert.deepEqual(
    [800, 1000, 60_000, 89_000, 3_600_000, 7_199_000, 86_400_000, 3 * 86_400_000].map(formatWait),
    ["800 ms", "1 s", "60 s", "89 s", "60 min", "2 h", "24 h", "3 days"],
  );
});

test("prompt-cache tokens: each sample records its cached reads and writes, costs them at the cache rates, and the progress sums them", async () => {
  // the first rerun writes the prefix to the cache, the next ones read it
  const p = provider(async function* (call) {
    yield { type: "usage", inputTokens: 10_000, ...(call === 0 ? { cacheWriteTokens: 9_000 } : { cacheReadTokens: 9_000 }) };
    yield { type: "tool_call", id: `toolu_${call}`, name: "get_reservation_details", arguments: '{"reservation_id":"EHGLP3"}' };
    yield { type: "usage", outputTokens: 40 };
    yield { type: "stop", reason: "tool_use", truncated: false };
  });
  const progress: RunEvent[] = [];
  const price = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
  const r = await runSamples({ provider: p, request, n: 3, concurrency: 1, price, onEvent: (e) => void (e.type === "progress" && progress.push(e)) });
  assert.equal(r.status, "complete");
  const byIndex = [...r.samples].sort((a, b) => a.index - b.index);
  assert.deepEqual(byIndex[0]!.usage, { inputTokens: 10_000, outputTokens: 40, cacheWriteTokens: 9_000 });
  assert.deepEqual(byIndex[1]!.usage, { inputTokens: 10_000, outputTokens: 40, cacheReadTokens: 9_000 });
  assert.equal(byIndex[0]!.costUsd, (1_000 * 3 + 9_000 * 3.75 + 40 * 15) / 1e6);
  assert.equal(byIndex[1]!.costUsd, (1_000 * 3 + 9_000 * 0.3 + 40 * 15) / 1e6);
  assert.equal(r.progress.cacheReadTokens, 18_000);
  assert.equal(r.progress.cacheWriteTokens, 9_000);
  assert.equal(r.progress.inputTokens, 30_000);
  // a run without the cache says nothing of it
  const plain = await runSamples({ provider: provider(() => answer("4")), request, n: 2 });
  assert.equal("cacheReadTokens" in plain.progress, false);
  assert.equal("cacheReadTokens" in plain.samples[0]!.usage, false);
});
