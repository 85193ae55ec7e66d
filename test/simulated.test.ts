// The simulated reasoner as a provider: it answers any prompt (the optimizer benchmark by running
// the optimizer, arithmetic by working it out, anything else with a labelled simulated trace),
// says in every output that no model was called, streams token by token at its speed, reports
// tokens, honours cancellation, is seeded, and runs through the engine like the real providers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeRecords, hashSeed, mulberry32 } from "../src/core";
import { benchmarkPrompts } from "../src/sampling/benchmark";
import { runSamples } from "../src/sampling/engine";
import { DEFAULT_KNOBS, SIMULATED_NOTICE, SIMULATED_REPLY_NOTICE, SimulatedProvider, simulateRun, tokens } from "../src/sampling/simulated";
import type { ProviderEvent, SampleRequest } from "../src/sampling/types";

const [easy, , hard] = benchmarkPrompts(["easy", "medium", "hard"], 1);
const request = (prompt: string, maxTokens = 16000): SampleRequest => ({ prompt, model: "simulated-reasoner", maxTokens, thinking: { type: "none" } });

async function collect(p: SimulatedProvider, r: SampleRequest, signal = new AbortController().signal) {
  const events: ProviderEvent[] = [];
  for await (const e of p.stream(r, signal)) events.push(e);
  return events;
}

/** The thinking and the reply of one streamed sample. */
async function sample(p: SimulatedProvider, prompt: string, maxTokens = 16000) {
  const events = await collect(p, request(prompt, maxTokens));
  const join = (type: "thinking" | "text") =>
    events
      .filter((e) => e.type === type)
      .map((e) => (e as { text: string }).text)
      .join("");
  return { thinking: join("thinking"), text: join("text"), events };
}

/** Every imperfection off: the reasoner does the work right. */
const PERFECT = { tokensPerSecond: 0, slip: { probability: 0, kind: "rate" as const, size: 0 }, noise: { probability: 0, sigma: 0 }, distraction: { base: 0, growth: 1 } };

test("any prompt is answered: none is refused, whatever it asks", () => {
  const p = new SimulatedProvider();
  for (const prompt of ["What is the capital of France?", "What is 2 + 2?", "Write a haiku about autumn.", easy!.prompt]) assert.equal(p.check(request(prompt)), null, prompt);
});

test("arithmetic: one line per operation in the order a person does them, then the answer", async () => {
  const p = new SimulatedProvider(PERFECT);
  const a = await sample(p, "What is 17 * 24 + 3?");
  assert.deepEqual(a.thinking.split("\n").slice(-2), ["17 × 24 = 408", "408 + 3 = 411"]);
  assert.match(a.text, /\nAnswer: 411$/);
  const b = await sample(p, "Compute (12 + 7) * 3 - 5");
  assert.deepEqual(b.thinking.split("\n").slice(-3), ["12 + 7 = 19", "19 × 3 = 57", "57 - 5 = 52"]);
  assert.match(b.text, /\nAnswer: 52$/);
  const c = await sample(p, "How much is 2 + 3 * 4, and why?");
  assert.deepEqual(c.thinking.split("\n").slice(-2), ["3 × 4 = 12", "2 + 12 = 14"]);
  const d = await sample(p, "What is 12 times 7 plus 5?");
  assert.deepEqual(d.thinking.split("\n").slice(-2), ["12 × 7 = 84", "84 + 5 = 89"]);
  const z = await sample(p, "What is 5 + 7 / 0?");
  assert.match(z.thinking, /7 ÷ 0 has no value/);
  assert.match(z.text, /\nAnswer: undefined$/);
});

test("arithmetic reruns disagree as a model's do: a slip most runs share (bias), scattered slips (variance)", async () => {
  const p = new SimulatedProvider({ tokensPerSecond: 0 });
  const prompt = "What is 17 * 24 + 3?";
  const r = await runSamples({ provider: p, request: request(prompt), n: 16, concurrency: 4 });
  assert.equal(r.status, "complete");
  const a = analyzeRecords([{ id: "arith", prompt, reference: 411, samples: r.samples.map((s) => ({ text: s.text, thinking: s.thinking })) }]).prompts[0]!;
  const [top, ...rest] = a.answers.filter((c) => c.count > 0).sort((x, y) => y.count - x.count);
  assert.ok(top && !top.reference && top.count >= 8, `most runs share one wrong answer: ${JSON.stringify(a.answers.map((c) => [c.key, c.count]))}`);
  assert.ok(rest.length >= 1, "and some runs land elsewhere");
  assert.ok(a.brier!.bias2 > 0 && a.brier!.variance > 0);
  // the step lines align: one column per operation, plus the notice and the opening line
  assert.ok(a.columns.length <= 6, `${a.columns.length} aligned columns`);
  const stepText = (cell: { run: number; step: number | null }) => (cell.step === null ? "" : a.runs[cell.run]!.steps[cell.step]!.text);
  assert.ok(
    a.columns.some((c) => c.cells.filter((cell) => /^17 × 24 = \d+$/.test(stepText(cell))).length >= 14),
    "the multiplications share a column",
  );
});

test("arithmetic: a distraction is more likely the longer the work", async () => {
  const knobs = { ...PERFECT, distraction: { base: 0.02, growth: 1.3 } };
  const wandered = async (prompt: string) => {
    const p = new SimulatedProvider(knobs);
    let n = 0;
    for (let i = 0; i < 200; i++) if (/wait|actually|shortcut|getting long/i.test((await sample(p, prompt)).thinking)) n++;
    return n;
  };
  const short = await wandered("What is 3 + 4?");
  const long = await wandered("What is 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12 + 13 + 14 + 15?");
  assert.ok(long > 2 * short, `${long} of 200 long runs wandered, ${short} of 200 short ones`);
});

test("any other prompt: a labelled simulated trace, and an answer from a few labelled placeholders", async () => {
  const p = new SimulatedProvider({ tokensPerSecond: 0 });
  const prompt = "Should I rewrite our billing service in Rust?";
  const r = await runSamples({ provider: p, request: request(prompt), n: 16, concurrency: 4 });
  assert.equal(r.status, "complete");
  const a = analyzeRecords([{ id: "other", prompt, samples: r.samples.map((s) => ({ text: s.text, thinking: s.thinking })) }]).prompts[0]!;
  const classes = a.answers.filter((c) => c.count > 0);
  assert.ok(classes.length >= 2 && classes.length <= 4, `${classes.length} answer classes`);
  // every placeholder says it is simulated, and reads as written (answer classes are compared without whitespace)
  for (const c of classes) assert.match(String(c.key), /^\[simulated-answer-[abc]\]$/, "every placeholder answer says it is simulated");
  for (const s of r.samples) {
    assert.ok(s.thinking.split("\n").length >= 4, "a few steps");
    assert.match(s.text, /no model was called/);
  }
});

test("every output says it is simulated: the first line of the thinking and of the reply, in each mode", async () => {
  const p = new SimulatedProvider({ tokensPerSecond: 0 });
  for (const prompt of [easy!.prompt, "What is 17 * 24 + 3?", "Summarise the French Revolution in three sentences."]) {
    const s = await sample(p, prompt);
    assert.equal(s.thinking.split("\n")[0], "[Simulated reasoner: no model was called. Set an API key to rerun this prompt on a real model.]");
    assert.match(s.text.split("\n")[0]!, /^\[Simulated reasoner: no model was called\./);
  }
});

test("it stands in for no real model: another model name is refused with what to do", () => {
  const p = new SimulatedProvider();
  const msg = p.check({ ...request("What is 2 + 2?"), model: "claude-sonnet-4-5" });
  assert.match(msg!, /simulated reasoner .*"simulated-reasoner"/);
  assert.match(msg!, /claude-sonnet-4-5/);
  assert.match(msg!, /ANTHROPIC_API_KEY/);
});

test("arithmetic and other prompts are seeded: the same seed gives the same reruns, another seed others", async () => {
  for (const prompt of ["What is 123 * 45 - 67 + 8 * 9?", "Name three birds."]) {
    const runs = async (seed: number) => {
      const p = new SimulatedProvider({ tokensPerSecond: 0, seed });
      const out: string[] = [];
      for (let i = 0; i < 12; i++) {
        const s = await sample(p, prompt);
        out.push(s.thinking + "\n" + s.text);
      }
      return out;
    };
    const a = await runs(1);
    assert.deepEqual(a, await runs(1));
    assert.notDeepEqual(a, await runs(2));
    assert.ok(new Set(a).size > 1, prompt);
  }
});

test("a prompt that is not arithmetic honours max tokens and cancellation too", async () => {
  const p = new SimulatedProvider({ tokensPerSecond: 0 });
  const s = await sample(p, "Name three birds.", 12);
  assert.deepEqual(s.events.at(-1), { type: "stop", reason: "max_tokens", truncated: true });
  assert.equal(s.events.filter((e) => e.type === "thinking" || e.type === "text").length, 12);
  const ctl = new AbortController();
  ctl.abort();
  const none = await collect(new SimulatedProvider({ tokensPerSecond: 0 }), request("Name three birds."), ctl.signal);
  assert.ok(!none.some((e) => e.type === "thinking" || e.type === "stop"));
});

test("streams its trace token by token, thinking then text, with token counts and a stop", async () => {
  const p = new SimulatedProvider({ tokensPerSecond: 0 });
  const events = await collect(p, request(easy!.prompt));
  const thinking = events.filter((e) => e.type === "thinking").map((e) => (e as { text: string }).text);
  const text = events.filter((e) => e.type === "text").map((e) => (e as { text: string }).text);
  assert.ok(thinking.length > 50, `${thinking.length} thinking tokens`);
  const expected = simulateRun(easy!.spec, p.knobs, mulberry32(hashSeed(p.knobs.seed, `${easy!.prompt}\u00000`)));
  assert.equal(thinking.join(""), `${SIMULATED_NOTICE}\n${expected.thinking}`);
  assert.equal(text.join(""), `${SIMULATED_REPLY_NOTICE}\n${expected.text}`);
  const usage = events.filter((e) => e.type === "usage");
  assert.equal((usage[0] as { inputTokens: number }).inputTokens, Math.ceil(easy!.prompt.length / 4));
  assert.equal((usage.at(-1) as { outputTokens: number }).outputTokens, thinking.length + text.length);
  assert.deepEqual(events.at(-1), { type: "stop", reason: "end_turn", truncated: false });
  assert.equal(tokens("x_1 = [0.5000, -1.2000]").join(""), "x_1 = [0.5000, -1.2000]");
});

test("its speed is configurable; a cancel stops the stream at once", async () => {
  const fast = new SimulatedProvider({ tokensPerSecond: 0 });
  const n = (await collect(fast, request(hard!.prompt))).filter((e) => e.type === "thinking" || e.type === "text").length;
  const slow = new SimulatedProvider({ tokensPerSecond: 2000 });
  const t0 = Date.now();
  await collect(slow, request(hard!.prompt));
  const took = Date.now() - t0;
  assert.ok(took >= (n / 2000) * 1000 * 0.8, `${n} tokens at 2000/s took ${took} ms`);
  const ctl = new AbortController();
  const crawl = new SimulatedProvider({ tokensPerSecond: 50 });
  setTimeout(() => ctl.abort(), 100);
  const t1 = Date.now();
  const events = await collect(crawl, request(hard!.prompt), ctl.signal);
  assert.ok(Date.now() - t1 < 500, "stopped at once");
  assert.ok(!events.some((e) => e.type === "stop"), "no stop after a cancel");
});

test("max tokens truncates like a real model", async () => {
  const p = new SimulatedProvider({ tokensPerSecond: 0 });
  const events = await collect(p, request(hard!.prompt, 40));
  assert.deepEqual(events.at(-1), { type: "stop", reason: "max_tokens", truncated: true });
  assert.equal(events.filter((e) => e.type === "thinking" || e.type === "text").length, 40);
});

test("seeded: the same seed gives the same reruns, another seed others; each rerun differs", async () => {
  const traces = async (seed: number) => {
    const p = new SimulatedProvider({ tokensPerSecond: 0, seed });
    const out: string[] = [];
    for (let i = 0; i < 6; i++)
      out.push(
        (await collect(p, request(hard!.prompt)))
          .filter((e) => e.type === "thinking")
          .map((e) => (e as { text: string }).text)
          .join(""),
      );
    return out;
  };
  const a = await traces(1);
  assert.deepEqual(a, await traces(1));
  assert.notDeepEqual(a, await traces(2));
  assert.ok(new Set(a).size > 1);
});

test("through the run engine: N samples, then the per-step analysis", async () => {
  const p = new SimulatedProvider({ tokensPerSecond: 0 });
  const r = await runSamples({ provider: p, request: request(hard!.prompt), n: 12, concurrency: 4 });
  assert.equal(r.status, "complete");
  assert.equal(r.samples.length, 12);
  assert.ok(r.samples.every((s) => s.usage.outputTokens > 0 && s.costUsd === null));
  const a = analyzeRecords([{ id: hard!.id, prompt: hard!.prompt, reference: hard!.reference, benchmark: hard!.spec, samples: r.samples.map((s) => ({ text: s.text, thinking: s.thinking })) }]);
  const o = a.prompts[0]!.optimizer!;
  assert.equal(o.steps.length, hard!.spec.K);
  assert.ok(o.steps[0]!.reached >= 10);
  assert.ok(DEFAULT_KNOBS.distraction.base > 0);
});
