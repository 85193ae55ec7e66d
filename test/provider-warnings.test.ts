// What the model SDKs say on their own reaches the user once per run, through the front end's
// log, never per request and never straight to the terminal: the Anthropic SDK console.warns on
// every messages.create for a deprecated model (and for thinking.type=enabled on some models),
// which also broke the CLI's redrawn progress line. Real SDKs against the fakes on 127.0.0.1.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { main, type Io } from "../src/cli/main";
import { AnthropicProvider } from "../src/sampling/anthropic";
import { runSamples } from "../src/sampling/engine";
import { OpenAIProvider } from "../src/sampling/openai";
import { isDeprecation, onceEach } from "../src/sampling/sdklog";
import type { SampleRequest } from "../src/sampling/types";
import { startFakeAnthropic, type FakeAnthropic } from "./fakes/anthropic";
import { startFakeOpenAI } from "./fakes/openai";

class Terminal extends Writable {
  text = "";
  isTTY = true;
  columns = 120;
  override _write(chunk: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

const KEY = "sk-ant-secret-warnings-0001";
const DEPRECATED = "claude-sonnet-4-5"; // in @anthropic-ai/sdk's DEPRECATED_MODELS (end of life 2026-11-30)
let fake: FakeAnthropic;
let dir: string;
before(async () => {
  fake = await startFakeAnthropic();
  fake.setDefault({ kind: "ok", thinking: ["2 + 2 = 4"], text: ["Answer: 4"], chunkDelayMs: 5 });
  dir = mkdtempSync(join(tmpdir(), "hotmess-warnings-"));
});
after(() => fake.close());

/** Runs `f` with console.warn recorded instead of printed: what would reach the terminal directly. */
async function consoleWarnsDuring<T>(f: () => Promise<T>): Promise<{ result: T; warned: string[] }> {
  const warned: string[] = [];
  const original = console.warn;
  console.warn = (...a: unknown[]) => void warned.push(a.map(String).join(" "));
  try {
    return { result: await f(), warned };
  } finally {
    console.warn = original;
  }
}

const count = (text: string, needle: string) => text.split(needle).length - 1;
/** What clears the terminal line the cursor is on (carriage return, erase line). */
const CLEAR = "\r\x1b[K";
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

test("hotmess run, 5 samples of a deprecated model: the SDK's warning is printed once, above an intact progress line", async () => {
  const stdout = new Terminal();
  const stderr = new Terminal();
  const io: Io = { stdout, stderr, env: { ANTHROPIC_API_KEY: KEY } };
  const args = ["run", "--prompt", "2+2?", "-n", "5", "--concurrency", "3", "--provider", "anthropic", "--model", DEPRECATED, "--thinking-budget", "2048", "--base-url", fake.url, "--out", join(dir, "cli")];
  const { result: code, warned } = await consoleWarnsDuring(() => main(args, io));
  const err = stderr.text;
  assert.equal(code, 0, err);
  assert.deepEqual(warned, [], "nothing goes straight to the terminal");
  assert.equal(count(err, "is deprecated"), 1, err);
  // the warning in the user's words, whole, on its own line: the progress line is cleared first
  const line = new RegExp(`${escape(CLEAR)}hotmess: the Anthropic SDK says: (The model 'claude-sonnet-4-5' is deprecated and will reach end-of-life on [^\\n]*)\\n`).exec(err);
  assert.ok(line, JSON.stringify(err));
  assert.match(line[1]!, /^The model 'claude-sonnet-4-5' is deprecated and will reach end-of-life on November 30th, 2026\. Please migrate to a newer model\. Visit https:\/\/\S+ for more information\.$/);
  // the progress line is drawn again right after it, and never carries the warning
  const rest = err.slice(line.index + line[0].length);
  assert.ok(rest.startsWith(CLEAR), JSON.stringify(rest.slice(0, 80)));
  assert.match(rest.slice(CLEAR.length), /^ {2}\d\/5 done/, JSON.stringify(rest.slice(0, 80)));
  for (const segment of err.split(CLEAR)) if (/\/5 done/.test(segment) && !segment.startsWith("hotmess:")) assert.doesNotMatch(segment, /deprecated|SDK/, JSON.stringify(segment));
  assert.match(err, /hotmess: 5\/5 done/);
  assert.ok(!err.includes(KEY));
});

test("hotmess run without a terminal: the warning is one plain line", async () => {
  const stderr = new Terminal();
  stderr.isTTY = false;
  const io: Io = { stdout: new Terminal(), stderr, env: { ANTHROPIC_API_KEY: KEY } };
  const { result: code, warned } = await consoleWarnsDuring(() => main(["run", "--prompt", "2+2?", "-n", "4", "--provider", "anthropic", "--model", DEPRECATED, "--thinking-budget", "2048", "--base-url", fake.url, "--out", join(dir, "plain")], io));
  assert.equal(code, 0, stderr.text);
  assert.deepEqual(warned, []);
  assert.equal(count(stderr.text, "is deprecated"), 1, stderr.text);
  assert.ok(!stderr.text.includes("\r") && !stderr.text.includes("\x1b"), "no terminal control codes in a log");
  assert.match(stderr.text, /^hotmess: the Anthropic SDK says: The model 'claude-sonnet-4-5' is deprecated/m);
});

test("the provider passes each distinct SDK warning to its log once, however many requests run at once", async () => {
  const lines: string[] = [];
  const provider = new AnthropicProvider({ apiKey: KEY, baseURL: fake.url, log: (l) => lines.push(l) });
  const request: SampleRequest = { prompt: "2+2?", model: DEPRECATED, maxTokens: 8000, thinking: { type: "budget", budgetTokens: 2048 } };
  const { result, warned } = await consoleWarnsDuring(() => runSamples({ provider, request, n: 5, concurrency: 5 }));
  assert.equal(result.samples.length, 5);
  assert.deepEqual(warned, []);
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(lines[0]!, /^the Anthropic SDK says: The model 'claude-sonnet-4-5' is deprecated/);
  // another warning the SDK gives (thinking.type=enabled on Opus 4.6): its own line, once too
  const r2 = await consoleWarnsDuring(() => runSamples({ provider, request: { ...request, model: "claude-opus-4-6" }, n: 3, concurrency: 3 }));
  assert.deepEqual(r2.warned, []);
  assert.equal(lines.length, 2, lines.join("\n"));
  assert.match(lines[1]!, /Using Claude with claude-opus-4-6 and 'thinking\.type=enabled' is deprecated/);
});

test("a provider without a log stays silent: console.warn is not left replaced, and the SDK says nothing on the terminal", async () => {
  const provider = new AnthropicProvider({ apiKey: KEY, baseURL: fake.url });
  const original = console.warn;
  const request: SampleRequest = { prompt: "2+2?", model: DEPRECATED, maxTokens: 8000, thinking: { type: "budget", budgetTokens: 2048 } };
  const { warned } = await consoleWarnsDuring(() => runSamples({ provider, request, n: 2, concurrency: 2 }));
  assert.deepEqual(warned, []);
  assert.equal(console.warn, original);
});

test("the OpenAI provider: a line the SDK repeats on every request (each malformed event, with its own id) is logged once", async () => {
  const openai = await startFakeOpenAI();
  try {
    const lines: string[] = [];
    const provider = new OpenAIProvider({ apiKey: "sk-openai-secret-warnings-0001", baseURL: `${openai.url}/v1`, log: (l) => lines.push(l) });
    for (let i = 0; i < 3; i++) {
      openai.enqueue({ kind: "malformed" });
      await assert.rejects(async () => {
        for await (const _ of provider.stream({ prompt: "2+2?", model: "m", maxTokens: 100, thinking: { type: "none" } }, new AbortController().signal));
      }, /not valid JSON/);
    }
    assert.equal(lines.filter((l) => l.startsWith("the OpenAI SDK says: Could not parse message into JSON")).length, 1, lines.join("\n"));
    assert.equal(lines.length, 2, lines.join("\n")); // and its "From chunk: …" line, once
  } finally {
    await openai.close();
  }
});

test("SDK lines: one tidy line, the key redacted, deprecations told apart", () => {
  const lines: string[] = [];
  const log = onceEach((l) => lines.push(l), "the Anthropic SDK", [KEY]);
  log(`The model 'claude-x' is deprecated and will reach end-of-life on June 1st, 2027\nPlease migrate to a newer model.`);
  log(`request failed for key ${KEY}`);
  log(`request failed for key ${KEY}`);
  log("x".repeat(2000));
  assert.deepEqual(lines.slice(0, 2), ["the Anthropic SDK says: The model 'claude-x' is deprecated and will reach end-of-life on June 1st, 2027. Please migrate to a newer model.", "the Anthropic SDK says: request failed for key [redacted]"]);
  assert.ok(lines[2]!.length < 600 && lines[2]!.endsWith("…"));
  assert.equal(lines.length, 3);
  assert.ok(isDeprecation(lines[0]!));
  assert.ok(isDeprecation("Using Claude with claude-opus-4-6 and 'thinking.type=enabled' is deprecated. Use 'thinking.type=adaptive' instead"));
  assert.ok(!isDeprecation(lines[1]!));
  onceEach(undefined, "the Anthropic SDK", [])("nothing to say it to: no error");
});

test("hotmess run on a terminal: every line said during the run (a truncated sample) is followed by the progress line drawn again", async () => {
  const stderr = new Terminal();
  const io: Io = { stdout: new Terminal(), stderr, env: {} };
  const code = await main(["run", "--prompt", "What is 17 * 24 + 3?", "-n", "6", "--concurrency", "1", "--provider", "simulated", "--sim-speed", "0", "--max-tokens", "20", "--out", join(dir, "said")], io);
  const err = stderr.text;
  assert.equal(code, 0, err);
  const said = [...err.matchAll(/ {2}sample \d was truncated at max tokens \(20\)\n/g)];
  assert.equal(said.length, 6, JSON.stringify(err));
  for (const m of said) {
    const after = err.slice(m.index + m[0].length);
    assert.match(after, new RegExp(`^${escape(CLEAR)} {2}\\d/6 done`), JSON.stringify(after.slice(0, 60)));
  }
});
