// Keys never reach what the CLI writes or prints: a trace or a model reply that quotes an API key
// (agents that read their environment do) is shown and written with [redacted] in its place.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, type Io } from "../src/cli/main";
import { redactDeep, redactor, redactSecrets } from "../src/core";
import { Capture } from "./support/capture";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/openai";


// Keys that look like nothing in particular: only the environment says they are keys (a key
// shaped like sk-… would be caught by the patterns alone and prove nothing here).
const ANTHROPIC_KEY = "hm-anthropic-test-9f8e7d6c5b4a";
const OPENAI_KEY = "hm-openai-test-0a1b2c3d4e5f";
const ENV = { ANTHROPIC_API_KEY: ANTHROPIC_KEY, OPENAI_API_KEY: OPENAI_KEY };

async function hotmess(args: string[], env: NodeJS.ProcessEnv = ENV) {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: Io = { stdout, stderr, env };
  const code = await main(args, io);
  return { code, out: stdout.text, err: stderr.text };
}

function assertClean(where: string, text: string): void {
  assert.ok(!text.includes(ANTHROPIC_KEY), `${where} holds the Anthropic key`);
  assert.ok(!text.includes(OPENAI_KEY), `${where} holds the OpenAI key`);
  // a shortened key is still a key: no 12-character piece of it either
  assert.ok(!text.includes(ANTHROPIC_KEY.slice(0, 12)), `${where} holds a piece of the key`);
}

let fake: FakeOpenAI;
let dir: string;
before(async () => {
  fake = await startFakeOpenAI();
  dir = mkdtempSync(join(tmpdir(), "hotmess-redact-"));
});
after(() => fake.close());

/** A trace set quoting the key in its id, prompt, step texts and answers, with a bad line naming it. */
function leakyTraceSet(): string {
  const leak = (id: string) =>
    JSON.stringify({
      id,
      prompt: `My environment has ANTHROPIC_API_KEY=${ANTHROPIC_KEY}. How many?`,
      reference: 18,
      samples: [18, 18, 20, `key ${ANTHROPIC_KEY}`].map((a, i) => ({
        text: `I read the environment: ANTHROPIC_API_KEY=${ANTHROPIC_KEY}\n${i % 2 ? `the key is ${ANTHROPIC_KEY}` : "16 - 3 = 13"}\nAnswer: ${a}`,
        answer: a,
      })),
    });
  const file = join(dir, "leaky.jsonl");
  // the third line repeats the first id: its message quotes the id
  writeFileSync(file, [leak(`id-${ANTHROPIC_KEY}`), leak("plain"), leak(`id-${ANTHROPIC_KEY}`)].join("\n") + "\n");
  return file;
}

test("analyze: the table, the messages, --json (file and -) and --html hold [redacted], never the key", async () => {
  const file = leakyTraceSet();
  const json = join(dir, "a.json");
  const html = join(dir, "a.html");
  const r = await hotmess(["analyze", file, "--json", json, "--html", html]);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /duplicate id/);
  for (const [where, text] of [
    ["stdout", r.out],
    ["stderr", r.err],
    ["--json", readFileSync(json, "utf8")],
    ["--html", readFileSync(html, "utf8")],
  ] as const) {
    assertClean(where, text);
    assert.match(text, /\[redacted\]/, `${where} says [redacted]`);
  }
  const piped = await hotmess(["analyze", file, "--json", "-"]);
  assertClean("--json -", piped.out);
  assert.match(piped.out, /\[redacted\]/);
  const doc = JSON.parse(piped.out) as { prompts: { id: string; answers: { answer: unknown }[] }[] };
  assert.equal(doc.prompts[0]!.id, "id-[redacted]");
});

test("run: a model reply that quotes the key is redacted in the table, --json and --html", async () => {
  let k = 0;
  fake.setDefault(() => ({ kind: "ok", reasoning: [`I can see OPENAI_API_KEY=${OPENAI_KEY}`, "\n16 - 3 = 13"], text: [k++ % 2 ? "Answer: 18" : `Answer: ${OPENAI_KEY}`] }));
  const json = join(dir, "r.json");
  const html = join(dir, "r.html");
  const r = await hotmess(["run", "--prompt", "eggs?", "-n", "4", "--provider", "openai", "--model", "m", "--base-url", `${fake.url}/v1`, "--reference", "18", "--out", join(dir, "runs"), "--json", json, "--html", html]);
  assert.equal(r.code, 0, r.err);
  for (const [where, text] of [
    ["stdout", r.out],
    ["stderr", r.err],
    ["--json", readFileSync(json, "utf8")],
    ["--html", readFileSync(html, "utf8")],
  ] as const) {
    assertClean(where, text);
    if (where === "--json" || where === "--html") assert.match(text, /\[redacted\]/, `${where} says [redacted]`);
  }
  fake.setDefault({ kind: "ok" });
});

test("the environment's keys are found once per command (by main), not again for the run file and the analysis", async () => {
  let scans = 0;
  const env = new Proxy({ ...ENV } as NodeJS.ProcessEnv, {
    ownKeys(target) {
      scans++;
      return Reflect.ownKeys(target);
    },
  });
  const r = await hotmess(["run", "--prompt", `say ${OPENAI_KEY}`, "-n", "6", "--provider", "simulated", "--sim-speed", "0", "--out", join(dir, "scans")], env);
  assert.equal(r.code, 0, r.err);
  assertClean("stderr", r.err);
  assert.ok(r.err.split("\n").length > 6, r.err);
  assert.equal(scans, 1, "the environment is read for keys once");
});

test("redactor: the secrets filtered and sorted once, the same text as redactSecrets and redactDeep", () => {
  const secrets = ["short", ANTHROPIC_KEY, `${ANTHROPIC_KEY}-longer`, OPENAI_KEY, ANTHROPIC_KEY];
  const r = redactor(secrets);
  assert.deepEqual(r.secrets, [`${ANTHROPIC_KEY}-longer`, ANTHROPIC_KEY, OPENAI_KEY]);
  const text = `a ${ANTHROPIC_KEY}-longer b ${OPENAI_KEY} c short sk-ant-abc`;
  assert.equal(r.text(text), redactSecrets(text, secrets));
  assert.equal(r.text(text), "a [redacted] b [redacted] c short [redacted]");
  const value = { [OPENAI_KEY]: [text, 1, null, { t: ANTHROPIC_KEY }] };
  assert.deepEqual(r.deep(value), redactDeep(value, secrets));
});
