// `hotmess import` end to end, in process with a fake Io: the τ-bench fixture (a file and its
// folder) and the chat test files become trace sets that `hotmess analyze` reads without a
// problem; what was skipped is named with exit 2; an unknown or undetectable format fails with
// the formats named; keys in the logs never reach the written file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, type Io } from "../src/cli/main";
import type { Analysis, PromptRecord } from "../src/core";
import { Capture } from "./support/capture";
import { sharedFixture, skipWithout } from "./support/fixtures";

async function hotmess(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: Io = { stdout, stderr, env };
  const code = await main(args, io);
  return { code, out: stdout.text, err: stderr.text };
}

const FIXTURE = sharedFixture("tau-airline-gpt4o");
const SKIP = skipWithout(FIXTURE);

const dir = mkdtempSync(join(tmpdir(), "hotmess-import-"));
const readSet = (file: string) =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as PromptRecord);

test("import the τ-bench fixture (the file, or its folder): the summary, a trace set of 25 prompts that analyze reads without a problem", { skip: SKIP }, async () => {
  for (const src of [join(FIXTURE!, "results.json"), FIXTURE!]) {
    const out = join(dir, "tau.jsonl");
    const r = await hotmess(["import", src, "--out", out]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "");
    assert.match(r.err, /^hotmess: 25 tasks × 4 runs, \d+ tool calls; format τ-bench\nhotmess: wrote .*tau\.jsonl \(25 prompts, 100 runs; hotmess analyze .*\)\n$/);
    const set = readSet(out);
    assert.equal(set.length, 25);
    assert.ok(set.every((p) => p.samples.length === 4 && p.samples.every((s) => Array.isArray(s.steps) && typeof s.reward === "number")));

    const json = join(dir, "tau.analysis.json");
    const a = await hotmess(["analyze", out, "--json", json]);
    assert.equal(a.code, 0, a.err);
    const analysis = JSON.parse(readFileSync(json, "utf8")) as Analysis;
    assert.deepEqual(analysis.skipped, []);
    assert.equal(analysis.prompts.length, 25);
    assert.ok(analysis.prompts.every((p) => p.n === 4));
  }
});

test("import chat files: each shape, detected; a part left out is said and the exit status is 2; --out - writes to standard output", async () => {
  const openai = join(__dirname, "data", "chat-openai.jsonl");
  const out = join(dir, "chat.jsonl");
  const r = await hotmess(["import", openai, "--out", out]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /^hotmess: 2 prompts × 2–3 runs, 9 tool calls; format chat/);
  const a = await hotmess(["analyze", out]);
  assert.equal(a.code, 0, a.err);
  assert.match(a.out, /refund-8812\s+3\b/);

  const anthropic = join(__dirname, "data", "chat-anthropic.jsonl");
  const s = await hotmess(["import", anthropic, "--out", "-"]);
  assert.equal(s.code, 2, "an image left out is something skipped");
  assert.match(s.err, /^hotmess: 2 prompts × 1–3 runs, 3 tool calls; format chat \(grouped by "question_id"\)\nhotmess: .*chat-anthropic\.jsonl:4: parts that are not text left out \(image\)\n$/);
  assert.deepEqual(
    s.out.trim().split("\n").map((l) => (JSON.parse(l) as PromptRecord).id),
    ["prime-2027", "chart"],
  );
});

test("import: a malformed record is named and skipped (exit 2) and the rest written; keys in the logs are redacted", async () => {
  const key = "abcd-1234-efgh-5678-secret";
  const recs = [
    { task_id: 0, trial: 0, reward: 1, info: {}, traj: [{ role: "user", content: `my key is ${key}` }, { role: "assistant", content: "ok" }] },
    { task_id: 0, trial: 1, reward: 0, info: {}, traj: "broken" },
  ];
  const src = join(dir, "results.json");
  writeFileSync(src, JSON.stringify(recs));
  const out = join(dir, "r.jsonl");
  const r = await hotmess(["import", src, "--out", out], { MY_API_KEY: key });
  assert.equal(r.code, 2, r.err);
  assert.equal(r.err.split("\n")[0], "hotmess: 1 task × 1 run, 0 tool calls; format τ-bench; 1 record skipped");
  assert.equal(r.err.split("\n")[1], `hotmess: ${src}#1: task 0: "traj" is a string, not an array of messages; record skipped`);
  const text = readFileSync(out, "utf8");
  assert.ok(!text.includes(key), "the key is not in the trace set");
  assert.match(text, /my key is \[redacted\]/);
});

test("import: an unknown --format, a format that cannot be told, nothing imported, a missing source or --out: exit 1 and nothing written", async () => {
  const src = join(__dirname, "data", "chat-openai.jsonl");
  const out = join(dir, "never.jsonl");
  const unknown = await hotmess(["import", src, "--format", "langsmith", "--out", out]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /^hotmess: --format is one of tau-bench \(τ-bench results\), inspect \(Inspect AI log\), claude-code \(.*\), otel \(.*\), promptfoo \(.*\), chat \(.*\), not "langsmith" \(see hotmess import --help\)\n$/);

  const notes = join(dir, "notes.txt");
  writeFileSync(notes, "just some notes\n");
  const undetectable = await hotmess(["import", notes, "--out", out]);
  assert.equal(undetectable.code, 1);
  assert.match(undetectable.err, /^hotmess: cannot tell which format .*notes\.txt is in; the formats are tau-bench \(τ-bench results\), inspect \(Inspect AI log\), claude-code \(.*\), otel \(.*\), promptfoo \(.*\), chat \(.*\) \(name one with --format\)\n$/);

  const nothing = await hotmess(["import", notes, "--format", "tau-bench", "--out", out]);
  assert.equal(nothing.code, 1);
  assert.match(nothing.err, /notes\.txt: not valid JSON .*; file skipped\nhotmess: nothing imported from .*notes\.txt\n$/);

  const empty = join(dir, "empty");
  mkdirSync(empty);
  const e = await hotmess(["import", empty, "--out", out]);
  assert.equal(e.code, 1);
  assert.match(e.err, /is an empty folder: nothing to import/);
  const missing = await hotmess(["import", join(dir, "nope.json"), "--out", out]);
  assert.match(missing.err, /nope\.json: no such file or folder/);
  const noOut = await hotmess(["import", src]);
  assert.equal(noOut.code, 1);
  assert.match(noOut.err, /import needs --out FILE\.jsonl/);
  const overwrite = await hotmess(["import", src, "--out", src]);
  assert.equal(overwrite.code, 1);
  assert.match(overwrite.err, /is one of the inputs/);
  assert.ok(!existsSync(out), "nothing written");
});

test("hotmess --help lists import; import --help names its flags", async () => {
  const h = await hotmess(["--help"]);
  assert.match(h.out, /^ {2}hotmess import SRC \[--format F\] --out FILE\.jsonl$/m);
  const i = await hotmess(["import", "--help"]);
  assert.equal(i.code, 0);
  assert.match(i.out, /^\s+--format F\s+tau-bench/m);
  assert.match(i.out, /^\s+--out FILE\s/m);
});
