// `hotmess run --answer/--compare` and `hotmess analyze --answer/--compare` (issue 16): the spec
// is recorded in the run header and read back by every analysis; analyze's flags win over a
// file's own spec; a bad spec is a usage error naming the flag.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, type Io } from "../src/cli/main";
import { RUN } from "../src/cli/commands";
import { parseCommand } from "../src/cli/common";
import { planRun } from "../src/cli/run";
import { parseRunFile, type Analysis } from "../src/core";
import { Capture } from "./support/capture";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/openai";

const KEY = "sk-answer-spec-key-1";
let fake: FakeOpenAI;
let dir: string;
before(async () => {
  fake = await startFakeOpenAI();
  dir = mkdtempSync(join(tmpdir(), "hotmess-answerspec-"));
});
after(() => fake.close());

async function hotmess(args: string[], env: NodeJS.ProcessEnv = { OPENAI_API_KEY: KEY }) {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: Io = { stdout, stderr, env };
  const code = await main(args, io);
  return { code, out: stdout.text, err: stderr.text };
}

const REPLIES = [
  { label: "spam", why: "it promises a prize behind a link" },
  { label: "spam", why: "the sender is a stranger asking for money" },
  { label: "ham", why: "it reads like a colleague's note" },
  { label: "spam", why: "urgent tone, a login link" },
  { label: "spam", why: "asks for a password" },
  { label: "unsure", why: "could be either" },
].map((r) => `Here is the classification:\n\`\`\`json\n${JSON.stringify(r)}\n\`\`\``);

test("run --answer json:$.label: the header keeps the spec, the table and analysis class by it", async () => {
  let k = 0;
  fake.setDefault(() => ({ kind: "ok", text: [REPLIES[k++ % REPLIES.length]!] }));
  const out = join(dir, "runs");
  const r = await hotmess(["run", "--prompt", "Classify this email, reply in JSON {label, why}.", "-n", "6", "--provider", "openai", "--model", "gpt-4o-mini", "--base-url", `${fake.url}/v1`, "--reference", "spam", "--answer", "json:$.label", "--out", out, "--json", join(dir, "a.json")]);
  assert.equal(r.code, 0, r.err);
  const files = readdirSync(out);
  const run = parseRunFile(readFileSync(join(out, files[0]!), "utf8"));
  assert.deepEqual(run.header.answerSpec, { extract: { kind: "json", path: "$.label" } });
  const a = JSON.parse(readFileSync(join(dir, "a.json"), "utf8")) as Analysis;
  const p = a.prompts[0]!;
  assert.deepEqual(
    p.answers.map((c) => [c.key, c.count]),
    [
      ["spam", 4],
      ["ham", 1],
      ["unsure", 1],
    ],
  );
  assert.equal(p.comparison, "exact");
  assert.equal(p.extraction, "json:$.label");
  // analyze reads the header's spec; its own flags win over it, part by part
  const again = await hotmess(["analyze", join(out, files[0]!), "--json", "-"]);
  assert.deepEqual((JSON.parse(again.out) as Analysis).prompts[0]!.answers, p.answers);
  const whole = await hotmess(["analyze", join(out, files[0]!), "--answer", "code-block:json", "--json", "-"]);
  const wp = (JSON.parse(whole.out) as Analysis).prompts[0]!;
  assert.equal(wp.answers.filter((c) => c.count > 0).length, 6, "the whole JSON: every explanation differs");
  const asJson = await hotmess(["analyze", join(out, files[0]!), "--answer", "json:$.label", "--compare", "json", "--json", "-"]);
  assert.equal((JSON.parse(asJson.out) as Analysis).prompts[0]!.comparison, "json equality");
  fake.setDefault({ kind: "ok" });
});

test("analyze --answer/--compare on a trace set; bad specs are usage errors naming the flag", async () => {
  const set = join(dir, "set.jsonl");
  const samples = ["3.1416", "3.14159", "3.142", "3.2", "3.0"].map((x) => ({ text: `Work...\nFinal: ${x}` }));
  writeFileSync(set, JSON.stringify({ id: "pi", reference: 3.14159, samples }) + "\n");
  const exact = await hotmess(["analyze", set, "--answer", "regex:/Final: (\\S+)/", "--json", "-"]);
  assert.equal(exact.code, 0, exact.err);
  assert.equal((JSON.parse(exact.out) as Analysis).prompts[0]!.answers.length, 5);
  const tol = await hotmess(["analyze", set, "--answer", "regex:/Final: (\\S+)/", "--compare", "numeric:0.001", "--json", "-"]);
  const tp = (JSON.parse(tol.out) as Analysis).prompts[0]!;
  assert.deepEqual(
    tp.answers.map((c) => c.count),
    [3, 1, 1],
  );
  assert.equal(tp.comparison, "numeric ±0.001");
  for (const [args, re] of [
    [["--compare", "fuzzy"], /--compare: unknown comparison "fuzzy"/],
    [["--answer", "json:label"], /--answer: a JSON path starts with \$/],
  ] as [string[], RegExp][]) {
    const bad = await hotmess(["analyze", set, ...args]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, re);
  }
});

test("run: --answer/--compare cannot change a resumed run, nor apply to a next action", () => {
  const plan = (args: string[]) => planRun(parseCommand(args, RUN), { stdout: new Capture(), stderr: new Capture(), env: {} });
  assert.throws(() => plan(["--resume", join(dir, "none.jsonl"), "--compare", "json"]), /--resume continues a run as it was recorded: --compare cannot change it/);
  const conv = join(dir, "conv.json");
  writeFileSync(conv, JSON.stringify({ messages: [{ role: "user", content: "hi" }], tools: [] }));
  assert.throws(() => plan(["--conversation", conv, "-n", "2", "--provider", "simulated", "--answer", "last-line"]), /--answer and --compare are for replies/);
  assert.throws(() => plan(["--prompt", "p", "-n", "20", "--provider", "simulated", "--reference", "18", "--until-ci", "0.2", "--compare", "numeric:1"]), /--until-ci does not use --answer \/ --compare yet/);
  const ok = plan(["--prompt", "p", "-n", "2", "--provider", "simulated", "--compare", "set:;", "--out", join(dir, "o")]);
  assert.deepEqual(ok.plan.answerSpec, { compare: { kind: "set", separator: ";" } });
});
