// The failure paths of a recorded run, as a user meets them through `hotmess run` / `hotmess
// analyze` and the real SDKs against the fakes: a retry-after beyond the cap, a server that is
// not there, credentials in a base URL, a run in which every sample failed (and what its run
// file says), and keys a model echoes (never in a run file). Also describeRunFailure, the one
// sentence every front end shows for such a run.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, type Io } from "../src/cli/main";
import { describeRunFailure, parseRunFile, type ParsedRun, type RunHeader } from "../src/core";
import { AnthropicProvider } from "../src/sampling/anthropic";
import { recordRun } from "../src/sampling/record";
import { checkBaseURL } from "../src/sampling/store";
import { DEFAULT_PRICES } from "../src/sampling/prices";
import { Capture } from "./support/capture";
import { startFakeAnthropic, type FakeAnthropic } from "./fakes/anthropic";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/openai";
import { freePort } from "./support/net";


const ANTHROPIC_KEY = "sk-ant-api03-failure-paths-key-000";
const OPENAI_KEY = "sk-failure-paths-openai-key-0000";
let anthropic: FakeAnthropic;
let openai: FakeOpenAI;
let dir: string;
before(async () => {
  anthropic = await startFakeAnthropic();
  openai = await startFakeOpenAI();
  dir = mkdtempSync(join(tmpdir(), "hotmess-failures-"));
});
after(async () => {
  await anthropic.close();
  await openai.close();
});

async function hotmess(args: string[], env: NodeJS.ProcessEnv) {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: Io = { stdout, stderr, env };
  const t0 = Date.now();
  const code = await main(args, io);
  return { code, out: stdout.text, err: stderr.text, ms: Date.now() - t0 };
}

/** The only run file in a directory. */
function runIn(out: string): { file: string; run: ParsedRun; text: string } {
  const files = readdirSync(out);
  assert.equal(files.length, 1, files.join(", "));
  const file = join(out, files[0]!);
  const text = readFileSync(file, "utf8");
  return { file, run: parseRunFile(text), text };
}


// a current model with thinking off: no SDK deprecation warning, no thinking rules in the way
const claude = (out: string, n: number, extra: string[] = []) => ["run", "--prompt", "eggs?", "-n", String(n), "--provider", "anthropic", "--model", "claude-opus-4-6", "--thinking", "off", "--base-url", anthropic.url, "--out", out, ...extra];

test("a 429 asking for an hour: the sample fails at once, nothing new starts, the run ends partial in seconds; --resume finishes it", { timeout: 30_000 }, async () => {
  const out = join(dir, "retry-after");
  anthropic.enqueue({ kind: "http-error", status: 429, type: "rate_limit_error", retryAfter: "3600" });
  anthropic.setDefault({ kind: "ok", text: ["Answer: 18"], chunkDelayMs: 40 });
  const before = anthropic.requests.length;
  const r = await hotmess(claude(out, 6, ["--concurrency", "2"]), { ANTHROPIC_API_KEY: ANTHROPIC_KEY });
  assert.ok(r.ms < 10_000, `${r.ms} ms`);
  assert.equal(r.code, 2, r.err);
  assert.equal(anthropic.requests.length - before, 2, "only the two first samples were sent");
  assert.match(r.err, /sample 0 failed .*429 rate_limit_error: .*: the server asked to wait 60 min before retrying \(more than the 60 s limit, --max-retry-wait/);
  assert.doesNotMatch(r.err, /retrying sample/);
  const { file, run } = runIn(out);
  assert.match(r.err, new RegExp(`the run is partial: 1 of 6 samples finished, 1 failed, 4 not started — .*the server asked to wait 60 min.*; to finish it: hotmess run --resume ${file.replace(/[.]/g, "\\.")}\n`));
  assert.equal(run.end?.status, "partial");
  assert.equal(run.samples.length, 1);
  assert.equal(run.failures.length, 1);
  const f = run.failures[0]!;
  assert.equal(f.kind, "rate_limit");
  assert.equal(f.retryable, true);
  assert.equal(f.retryAfterMs, 3_600_000);
  assert.equal(f.status, 429);
  assert.equal(f.url, `${anthropic.url}/v1/messages`);
  assert.match(f.requestId ?? "", /^req_011C/);
  // the server stopped rate-limiting: --resume completes the run in the same file
  const res = await hotmess(["run", "--resume", file], { ANTHROPIC_API_KEY: ANTHROPIC_KEY });
  assert.equal(res.code, 0, res.err);
  assert.match(res.err, /resuming 1 → 6 samples/);
  const done = parseRunFile(readFileSync(file, "utf8"));
  assert.equal(done.end?.status, "complete");
  assert.equal(done.samples.length, 6);
  assert.equal(describeRunFailure(done, file), null);
  anthropic.setDefault({ kind: "ok" });
});

test("--max-retry-wait sets the cap: a 2 s retry-after is beyond a 1 s cap (fails at once), within the default (waited out)", { timeout: 30_000 }, async () => {
  const capped = join(dir, "retry-cap-1s");
  anthropic.enqueue({ kind: "http-error", status: 429, type: "rate_limit_error", retryAfter: "2" });
  const r = await hotmess(claude(capped, 1, ["--max-retry-wait", "1"]), { ANTHROPIC_API_KEY: ANTHROPIC_KEY });
  assert.equal(r.code, 1, r.err);
  assert.ok(r.ms < 1900, `${r.ms} ms: the 2 s wait must not be slept`);
  assert.match(r.err, /the server asked to wait 2 s before retrying \(more than the 1 s limit/);
  assert.equal(runIn(capped).run.end?.status, "failed");

  const waited = join(dir, "retry-cap-default");
  anthropic.enqueue({ kind: "http-error", status: 429, type: "rate_limit_error", retryAfter: "2" });
  const w = await hotmess(claude(waited, 1), { ANTHROPIC_API_KEY: ANTHROPIC_KEY });
  assert.equal(w.code, 0, w.err);
  assert.ok(w.ms >= 2000, `${w.ms} ms: the 2 s retry-after is honoured`);
  assert.match(w.err, /retrying sample 0 \(attempt 2\) in 2\.\d s/);
  assert.equal(runIn(waited).run.end?.status, "complete");
});

test("a server that is not there: the run fails in seconds with one message naming the address and the fix", { timeout: 30_000 }, async () => {
  const port = await freePort();
  const cases: [string, string[], NodeJS.ProcessEnv, string][] = [
    ["refused", ["--provider", "openai", "--model", "m", "--base-url", `http://127.0.0.1:${port}/v1`], {}, `cannot connect to 127.0.0.1:${port} (connection refused): is the server running? For Ollama: \`ollama serve\`; check --base-url`],
    ["dns", ["--provider", "anthropic", "--model", "claude-opus-4-6", "--thinking", "off", "--base-url", "https://api.example.invalid"], { ANTHROPIC_API_KEY: ANTHROPIC_KEY }, "cannot resolve api.example.invalid (DNS"],
    ["tls", ["--provider", "openai", "--model", "m", "--base-url", `${openai.url.replace("http:", "https:")}/v1`], { OPENAI_API_KEY: OPENAI_KEY }, `TLS handshake with ${openai.url.slice(7)} failed (`],
    // a port the fetch standard blocks (Node's fetch refuses it before connecting: "bad port")
    ["blocked-port", ["--provider", "openai", "--model", "m", "--base-url", "http://127.0.0.1:6000/v1"], {}, "cannot connect to 127.0.0.1:6000: Node's fetch refuses this port"],
  ];
  for (const [name, flags, env, message] of cases) {
    const out = join(dir, `unreachable-${name}`);
    const r = await hotmess(["run", "--prompt", "2 + 2?", "-n", "8", "--out", out, ...flags], env);
    assert.equal(r.code, 1, `${name}: ${r.err}`);
    assert.ok(r.ms < 5000, `${name}: ${r.ms} ms`);
    const lines = r.err.trimEnd().split("\n");
    const told = lines.filter((l) => l.includes(message));
    assert.equal(told.length, 1, `${name}: said once:\n${r.err}`);
    assert.match(told[0]!, /^hotmess: the run failed: 0 of 8 samples finished, 1 failed, 7 not started — /);
    assert.match(told[0]!, /; after fixing it, retry with: hotmess run --resume \S+\.jsonl$/);
    assert.doesNotMatch(r.err, /retrying|fetch failed|nothing to analyse/);
    const { run } = runIn(out);
    assert.equal(run.end?.status, "failed");
    assert.equal(run.failures.length, 1);
    assert.equal(run.failures[0]!.kind, "unreachable");
    assert.equal(run.failures[0]!.retryable, false);
  }
});

test("credentials in the base URL are refused before any request and never echoed", async () => {
  const before = openai.requests.length;
  const host = openai.url.slice("http://".length);
  for (const url of [`http://me:hunter2-secret-pw@${host}/v1`, `${openai.url}/v1?key=hunter2-secret-pw`]) {
    const out = join(dir, "creds");
    const r = await hotmess(["run", "--prompt", "2 + 2?", "-n", "2", "--provider", "openai", "--model", "m", "--base-url", url, "--out", out], { OPENAI_API_KEY: OPENAI_KEY });
    assert.equal(r.code, 1);
    assert.equal(r.err.trimEnd().split("\n").length, 1, r.err);
    assert.match(r.err, /^hotmess: the base URL has (a user name and password|a key in its query)/);
    assert.match(r.err, /OPENAI_API_KEY/);
    assert.ok(!r.err.includes("hunter2"), r.err);
  }
  assert.equal(openai.requests.length, before, "no request was sent");
});

test("a run in which every sample failed says so and why: in the run file, from `hotmess run` and from `hotmess analyze`", async () => {
  const out = join(dir, "all-401");
  anthropic.setDefault({ kind: "http-error", status: 401, type: "authentication_error", message: "invalid x-api-key" });
  const r = await hotmess(claude(out, 8, ["--concurrency", "1"]), { ANTHROPIC_API_KEY: ANTHROPIC_KEY });
  anthropic.setDefault({ kind: "ok" });
  assert.equal(r.code, 1);
  const { file, run } = runIn(out);
  const sentence = `the run failed: 0 of 8 samples finished, 1 failed, 7 not started — Anthropic (${anthropic.url}) answered 401 authentication_error: invalid x-api-key (POST ${anthropic.url}/v1/messages, request ${run.failures[0]?.requestId}); after fixing it, retry with: hotmess run --resume ${file}`;
  assert.ok(r.err.includes(`hotmess: ${sentence}\n`), r.err);
  assert.doesNotMatch(r.err, /nothing to analyse|sample 0 failed/);
  assert.equal(run.end?.status, "failed");
  assert.equal(run.failures.length, 1);
  const f = run.failures[0]!;
  assert.deepEqual({ ...f, requestId: "…" }, { type: "failure", index: 0, kind: "auth", message: `Anthropic (${anthropic.url}) answered 401 authentication_error: invalid x-api-key`, attempts: 1, status: 401, url: `${anthropic.url}/v1/messages`, requestId: "…", retryable: false });
  assert.match(f.requestId!, /^req_011C/);
  const a = await hotmess(["analyze", file], {});
  assert.equal(a.code, 1);
  assert.equal(a.err, `hotmess: ${sentence}\n`);

  // retryable errors until every sample ran out of retries: failed too, exit 1
  const out2 = join(dir, "all-500");
  openai.setDefault({ kind: "http-error", status: 500 });
  const s = await hotmess(["run", "--prompt", "2 + 2?", "-n", "2", "--retries", "0", "--provider", "openai", "--model", "m", "--base-url", `${openai.url}/v1`, "--out", out2], { OPENAI_API_KEY: OPENAI_KEY });
  openai.setDefault({ kind: "ok" });
  assert.equal(s.code, 1, s.err);
  const second = runIn(out2);
  assert.equal(second.run.end?.status, "failed");
  assert.equal(second.run.failures.length, 2);
  assert.ok(second.run.failures.every((x) => x.status === 500 && x.retryable === true && x.url === `${openai.url}/v1/chat/completions`));
  assert.match(s.err, /the run failed: 0 of 2 samples finished, 2 failed — the OpenAI-compatible server at .* answered 500 .*; to try again: hotmess run --resume /);
});

test("keys a model echoes never reach the run file nor the run returned (header included)", async () => {
  const other = "ghp_otherTokenFromTheEnvironment000";
  anthropic.enqueue({ kind: "ok", thinking: [`my env has ${ANTHROPIC_KEY}`], text: [`Answer: ${ANTHROPIC_KEY} and ${other}`] });
  // no `secrets` in the plan: the provider's own key is redacted all the same
  const recorded = await recordRun({
    provider: new AnthropicProvider({ apiKey: ANTHROPIC_KEY, baseURL: anthropic.url }),
    providerName: "anthropic",
    baseURL: anthropic.url,
    request: { prompt: `echo ${ANTHROPIC_KEY}`, model: "claude-opus-4-6", maxTokens: 100, thinking: { type: "none" } },
    n: 1,
    concurrency: 1,
    idleTimeoutMs: 10_000,
    retries: 0,
    prices: DEFAULT_PRICES,
    outDir: join(dir, "echo"),
    tool: { name: "test", version: "0" },
  });
  const text = readFileSync(recorded.file, "utf8");
  assert.ok(!text.includes(ANTHROPIC_KEY), text);
  assert.equal(parseRunFile(text).header.prompt, "echo [redacted]");
  assert.equal(parseRunFile(text).samples[0]!.thinking, "my env has [redacted]");
  assert.ok(!JSON.stringify(recorded.run).includes(ANTHROPIC_KEY));
  assert.equal(recorded.run.samples[0]!.text, `Answer: [redacted] and ${other}`);
  assert.equal(recorded.run.header.prompt, "echo [redacted]");

  // the CLI adds every key of the environment
  const out = join(dir, "echo-cli");
  openai.enqueue({ kind: "ok", text: [`Answer: ${OPENAI_KEY} / ${other}`] });
  const r = await hotmess(["run", "--prompt", `say ${other}`, "-n", "1", "--provider", "openai", "--model", "m", "--base-url", `${openai.url}/v1`, "--out", out, "--json", "-"], {
    OPENAI_API_KEY: OPENAI_KEY,
    GITHUB_TOKEN: other,
  });
  assert.equal(r.code, 0, r.err);
  const cli = runIn(out);
  assert.ok(!cli.text.includes(OPENAI_KEY) && !cli.text.includes(other), cli.text);
  assert.equal(cli.run.samples[0]!.text, "Answer: [redacted] / [redacted]");
  assert.equal(cli.run.header.prompt, "say [redacted]");
  assert.ok(!r.out.includes(OPENAI_KEY) && !r.out.includes(other), "--json - is built from the redacted run");

  // its prompt is kept as "say [redacted]": resuming would send another prompt, so it is refused
  const before = openai.requests.length;
  const res = await hotmess(["run", "--resume", cli.file, "-n", "2"], { OPENAI_API_KEY: OPENAI_KEY, GITHUB_TOKEN: other });
  assert.equal(res.code, 1, res.err);
  assert.match(res.err, /cannot resume .*: its prompt held an API key, which the run file keeps only as \[redacted\]: resuming would rerun a different prompt/);
  assert.equal(openai.requests.length, before, "no request");
  assert.equal(parseRunFile(readFileSync(cli.file, "utf8")).samples.length, 1, "the run file is untouched");
});

test("checkBaseURL: keys in a URL and URLs that are not http(s) are refused with a message that repeats no secret", () => {
  const ok = ["http://localhost:11434/v1", "https://api.example.com/v1/", "https://x.openai.azure.com/openai?api-version=2024-06-01"];
  for (const url of ok) assert.equal(checkBaseURL(url, "OPENAI_API_KEY"), null, url);
  assert.equal(checkBaseURL(undefined, "OPENAI_API_KEY"), null);
  assert.equal(
    checkBaseURL("https://me:pa55word-secret@proxy.example.com/v1", "OPENAI_API_KEY"),
    "the base URL has a user name and password in it: a key must not travel in a URL (logs and run files would keep it). Put the key in OPENAI_API_KEY (in the editor: Hot Mess: Set API Key) and give the URL without them: https://proxy.example.com/v1",
  );
  // the other parameters of the query stay in the URL to use
  assert.equal(
    checkBaseURL("https://proxy.example.com/v1?api-version=2&x-api-key=pa55word-secret", "ANTHROPIC_API_KEY"),
    "the base URL has a key in its query (x-api-key=…): a key must not travel in a URL (logs and run files would keep it). Put the key in ANTHROPIC_API_KEY (in the editor: Hot Mess: Set API Key) and give the URL without it: https://proxy.example.com/v1?api-version=2",
  );
  for (const [url, re] of [
    ["https://proxy.example.com/v1?access_token=pa55word-secret", /\(access_token=…\)/],
    ["https://proxy.example.com/v1?Key=pa55word-secret", /\(Key=…\)/],
    ["https://proxy.example.com/sk-pa55word-secret-0123456789/v1", /looks like an API key in it \(https:\/\/proxy\.example\.com\/\[redacted\]\/v1\)/],
    ["https://proxy.example.com/%E0%A4%A?key=pa55word-secret", /key in its query/],
    ["localhost:11434/v1", /^the base URL must start with http:\/\/ or https:\/\/ \(it starts with localhost:\)/],
    ["127.0.0.1:11434/v1", /^the base URL "127\.0\.0\.1:11434\/v1" is not a URL: give it in full, with http:\/\/ or https:\/\//],
    ["http://me:pa55word-secret@", /^the base URL "http:\/\/…@" is not a URL/],
  ] as const) {
    const why = checkBaseURL(url, "OPENAI_API_KEY");
    assert.match(why ?? "(accepted)", re, url);
    assert.ok(!why!.includes("pa55word"), why!);
  }
});

// ---- describeRunFailure: the sentence, from hand-written run files ----

const header: RunHeader = {
  type: "header",
  schema: "hotmess.run/1",
  id: "r",
  createdAt: "2026-12-04T10:00:00.000Z",
  tool: { name: "hotmess", version: "0" },
  provider: "openai",
  model: "m",
  prompt: "p",
  parameters: { n: 8, maxTokens: 100, thinking: { type: "none" }, concurrency: 4, idleTimeoutMs: 1000 },
};
const sample = (index: number) => ({ type: "sample" as const, index, text: "x", thinking: "", redactedThinking: 0, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: null, latencyMs: 1, retries: 0, truncated: false, stopReason: "stop", finishedAt: "" });
const run = (o: Partial<ParsedRun>): ParsedRun => ({ header, samples: [], failures: [], end: null, warnings: [], goodLength: 0, missingNewline: false, ...o });

test("describeRunFailure: one sentence for a failed, partial or cancelled run; null when every sample finished", () => {
  const end = (status: "complete" | "partial" | "failed" | "cancelled", message?: string) => ({ type: "end" as const, status, ...(message ? { message } : {}), finishedAt: "" });
  assert.equal(describeRunFailure(run({ samples: [0, 1, 2, 3, 4, 5, 6, 7].map(sample), end: end("complete") })), null);
  const partial = run({
    samples: [0, 1, 2, 4, 6].map(sample),
    failures: [3, 5, 7].map((index) => ({ type: "failure" as const, index, kind: "server", message: "OpenAI answered 500: boom", attempts: 6, status: 500, url: "https://api.openai.com/v1/chat/completions", retryable: true })),
    end: end("partial"),
  });
  assert.equal(describeRunFailure(partial, "r.jsonl"), "the run is partial: 5 of 8 samples finished, 3 failed — OpenAI answered 500: boom (POST https://api.openai.com/v1/chat/completions); to finish it: hotmess run --resume r.jsonl");
  assert.equal(describeRunFailure(partial), "the run is partial: 5 of 8 samples finished, 3 failed — OpenAI answered 500: boom (POST https://api.openai.com/v1/chat/completions)");
  // different reasons: the one that stopped the run is named, the rest counted
  const mixed = run({
    failures: [
      { type: "failure", index: 0, kind: "timeout", message: "no data for 120 s", attempts: 6, retryable: true },
      { type: "failure", index: 1, kind: "auth", message: "OpenAI answered 401: bad key", attempts: 1, status: 401, retryable: false },
    ],
    end: end("failed", "OpenAI answered 401: bad key"),
  });
  assert.equal(describeRunFailure(mixed, "r.jsonl"), "the run failed: 0 of 8 samples finished, 2 failed, 6 not started — OpenAI answered 401: bad key (and 1 other reason); after fixing it, retry with: hotmess run --resume r.jsonl");
  // a run file from before failure lines carried the reason: the end line's message
  assert.equal(describeRunFailure(run({ end: end("failed", "Anthropic answered 401 authentication_error: invalid x-api-key") })), "the run failed: 0 of 8 samples finished — Anthropic answered 401 authentication_error: invalid x-api-key");
  assert.equal(describeRunFailure(run({ samples: [sample(0)], end: end("cancelled", "cancelled with 1 of 8 samples finished (kept)") }), "r.jsonl"), "the run was cancelled: 1 of 8 samples finished; continue with: hotmess run --resume r.jsonl");
  // a run still going (or cut off by a crash) without failures: nothing to say
  assert.equal(describeRunFailure(run({ samples: [sample(0)] })), null);
});

test("hotmess analyze on a partial run analyses what finished, then says what is missing and how to finish it (exit 2)", async () => {
  const file = join(dir, "partial-run.jsonl");
  const lines = [
    header,
    ...[0, 1, 2, 4, 6].map(sample),
    ...[3, 5, 7].map((index) => ({ type: "failure", index, kind: "server", message: "OpenAI answered 500: boom", attempts: 6, status: 500, url: "https://api.openai.com/v1/chat/completions", retryable: true })),
    { type: "end", status: "partial", finishedAt: "" },
  ];
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  const r = await hotmess(["analyze", file], {});
  assert.equal(r.code, 2, r.err);
  assert.match(r.out, /^prompt\s+n\s/m);
  assert.match(r.err, new RegExp(`hotmess: the run is partial: 5 of 8 samples finished, 3 failed — OpenAI answered 500: boom .*; to finish it: hotmess run --resume ${file.replace(/[.]/g, "\\.")}\n`));
});
