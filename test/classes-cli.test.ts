// `hotmess classes RUNFILE`: open-ended replies classed by meaning. Five classifications worded
// five ways are five classes by exact text; the simulated judge makes them two, its verdicts go
// into the run file, and every later analysis uses them (and says which comparison made the
// classes) without asking again; a manual split wins over the judge; a paid judge says what it
// may cost and asks nothing without --yes, then asks the fake Anthropic server through the SDK.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, type Io } from "../src/cli/main";
import { parseRunFile, type Analysis } from "../src/core";
import { Capture } from "./support/capture";
import { startFakeAnthropic, type FakeAnthropic } from "./fakes/anthropic";

const REPLIES = [
  "Spam: it asks for your password.",
  "Legitimate: it is a receipt from your bank.",
  "Spam — it asks for the password.",
  "This is spam because it asks for your password.",
  "Legitimate, a receipt from the bank.",
];

let dir: string;
let fake: FakeAnthropic;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "hotmess-classes-"));
  fake = await startFakeAnthropic();
});
after(() => fake.close());

function runFile(name: string, replies = REPLIES, answerSpec?: unknown): string {
  const header = { ...(answerSpec ? { answerSpec } : {}), type: "header", schema: "hotmess.run/1", id: "email-1", createdAt: "2026-12-05T10:00:00.000Z", tool: { name: "hotmess", version: "0.1.0" }, provider: "simulated", model: "simulated-reasoner", prompt: "Is this email spam or legitimate? Say which and why.", parameters: { n: 5, maxTokens: 256, thinking: { type: "none" }, concurrency: 1 } };
  const sample = (index: number, text: string) => ({ type: "sample", index, text, thinking: "", redactedThinking: 0, usage: { inputTokens: 10, outputTokens: 10 }, costUsd: null, latencyMs: 1, truncated: false, stopReason: "end_turn" });
  const f = join(dir, name);
  writeFileSync(f, [header, ...replies.map((t, i) => sample(i, t)), { type: "end", status: "complete", finishedAt: "2026-12-05T10:00:01.000Z" }].map((x) => JSON.stringify(x)).join("\n") + "\n");
  return f;
}

async function hotmess(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(args, { stdout, stderr, env } as Io);
  return { code, out: stdout.text, err: stderr.text };
}

async function analysis(file: string) {
  const r = await hotmess(["analyze", file, "--json", "-"]);
  assert.equal(r.code, 0, r.err);
  return (JSON.parse(r.out) as Analysis).prompts[0]!;
}

test("the simulated judge makes five wordings two classes, kept in the run file; the analysis uses them and says so; asked once", async () => {
  const f = runFile("email.jsonl");
  const before = await analysis(f);
  // by text, an open-ended reply has no answer to extract: one class of "no answer", every figure empty
  assert.equal(before.classes, 1);
  assert.equal(before.answers[0]!.key, null);
  assert.equal(before.comparison, "exact");
  const r = await hotmess(["classes", f]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /email\.jsonl: 5 replies in 2 classes by meaning \(judge simulated-judge; 5 verdicts asked, 0 from the file\)/);
  assert.match(r.out, /\n {4}3 × Spam: it asks for your password\. {2}\(\+ 2 other wordings\)\n {4}2 × Legitimate: it is a receipt from your bank\. {2}\(\+ 1 other wording\)\n/);
  const run = parseRunFile(readFileSync(f, "utf8"));
  assert.equal(run.verdicts?.length, 1);
  assert.equal(run.verdicts![0]!.verdicts.length, 5);
  const after1 = await analysis(f);
  assert.equal(after1.classes, 2);
  assert.equal(after1.comparison, "semantic (judge simulated-judge)");
  assert.deepEqual(after1.answers.map((a) => a.count), [3, 2]);
  // again: every verdict from the file, nothing appended
  const again = await hotmess(["classes", f]);
  assert.match(again.out, /0 verdicts asked, 5 from the file/);
  assert.equal(parseRunFile(readFileSync(f, "utf8")).verdicts?.length, 1);
});

test("a manual split wins over the judge and is kept; a reply that is not one of the run's is refused", async () => {
  const f = runFile("email-split.jsonl");
  await hotmess(["classes", f]);
  const split = await hotmess(["classes", f, "--split", "This is spam because it asks for your password."]);
  assert.equal(split.code, 0, split.err);
  assert.match(split.out, /5 replies in 3 classes by meaning .*1 manual choice/);
  const p = await analysis(f);
  assert.equal(p.classes, 3);
  assert.equal(p.comparison, "semantic (judge simulated-judge + 1 manual choice)");
  const bad = await hotmess(["classes", f, "--merge", "Spam=>Legitimate"]);
  assert.equal(bad.code, 1, bad.err);
  assert.match(bad.err, /--merge: no reply of email-split\.jsonl reads "Spam"/);
});

test("a model as judge: the most it may cost first, nothing asked without --yes; with it, the fake Anthropic server answers through the SDK", async () => {
  const f = runFile("email-model.jsonl");
  fake.setDefault((req) => {
    const m = /Answer A:\n([\s\S]*?)\n\nAnswer B:\n([\s\S]*?)\n\nDo A and B/.exec((req.body as { messages: { content: string }[] }).messages[0]!.content)!;
    return { kind: "ok", thinking: [], text: [/spam/i.test(m[1]!) === /spam/i.test(m[2]!) ? "SAME" : "DIFFERENT"], inputTokens: 150, outputTokens: 2 };
  });
  const env = { ANTHROPIC_API_KEY: "sk-ant-test-classes" };
  const no = await hotmess(["classes", f, "--judge", "claude-haiku-4-5", "--base-url", fake.url], env);
  assert.equal(no.code, 1);
  assert.match(no.err, /at most 10 verdicts of claude-haiku-4-5 \(anthropic\), about [\d,]+ input tokens, at most \$0\.\d{4}\n.*add --yes/s);
  assert.equal(fake.requests.length, 0);
  const yes = await hotmess(["classes", f, "--judge", "claude-haiku-4-5", "--base-url", fake.url, "--yes"], env);
  assert.equal(yes.code, 0, yes.err);
  assert.match(yes.out, /5 replies in 2 classes by meaning \(judge claude-haiku-4-5; 5 verdicts asked, 0 from the file, \$0\.0008\)/);
  assert.equal(fake.requests.length, 5);
  assert.equal((await analysis(f)).comparison, "semantic (judge claude-haiku-4-5)");
  assert.ok(!readFileSync(f, "utf8").includes("sk-ant-test-classes"));
});

test("with an extraction in the run's answer spec, the judge classes the extracted answers, not the whole replies", async () => {
  // the same reasons wrapped in JSON whose other fields differ in every reply: by whole reply
  // the simulated judge would see five different texts; by `$.reason` it sees the reasons
  const wrapped = REPLIES.map((r, i) => JSON.stringify({ request: `req-${i}-${"x".repeat(i * 7)}`, latency: 100 + i * 37, reason: r }));
  const f = runFile("email-json.jsonl", wrapped, { extract: { kind: "json", path: "$.reason" } });
  const r = await hotmess(["classes", f]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /5 replies in 2 classes by meaning/);
  assert.match(r.out, /3 × Spam: it asks for your password\./);
  const a = await analysis(f);
  assert.equal(a.classes, 2);
  assert.deepEqual(a.answers.map((x) => x.count), [3, 2]);
  assert.match(a.comparison!, /^semantic/);
});
