// Sweeps (`hotmess run --prompts FILE -n N [--batch]`, `--resume SWEEPFILE [--resubmit]`): the
// shared Game-of-24 puzzles swept live and as a batch against both providers' fakes (the real
// SDKs on the wire) give the same figures; a batch sweep killed while its batch is in progress
// resumes to the same figures without a second submission; errored and expired requests are
// listed with their reasons and resubmitted as a batch of just those; nothing is submitted
// without a confirmation of its cost.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { main, type Io } from "../src/cli/main";
import { RUN } from "../src/cli/commands";
import { parseCommand } from "../src/cli/common";
import { runCommand } from "../src/cli/run";
import type { Analysis } from "../src/core";
import { missingRequests, parseSweepFile, sweepProgress, sweepToken } from "../src/core/sweepfile";
import { Capture } from "./support/capture";
import { sharedFixture, skipWithout } from "./support/fixtures";
import { writeSweepPrompts } from "./support/sweep-prompts";
import { startFakeAnthropic, type FakeAnthropic } from "./fakes/anthropic";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/openai";
import { startFakeAnthropicBatches, type FakeAnthropicBatches, type FakeAnthropicBatchesOptions } from "./fakes/anthropic-batches";
import { startFakeOpenAIBatches, type FakeOpenAIBatches, type FakeOpenAIBatchesOptions } from "./fakes/openai-batches";

const A_KEY = "sk-ant-sweep-secret-0001";
const O_KEY = "sk-openai-sweep-secret-0002";
const ENV = { ANTHROPIC_API_KEY: A_KEY, OPENAI_API_KEY: O_KEY };
const GAME24 = sharedFixture("game24-gpt4-cot", "traces.jsonl");
const N = 5;

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "hotmess-sweep-"));
});

async function hotmess(args: string[], opts: { env?: NodeJS.ProcessEnv; confirm?: (q: string) => Promise<boolean> } = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: Io = { stdout, stderr, env: opts.env ?? ENV, ...(opts.confirm ? { confirm: opts.confirm } : {}) };
  const code = await main(args, io);
  return { code, out: stdout.text, err: stderr.text };
}

function sweepFileIn(out: string): string {
  const files = readdirSync(out).filter((f) => f.includes("-sweep-"));
  assert.equal(files.length, 1, `one sweep file in ${out}: ${files.join(", ")}`);
  return join(out, files[0]!);
}

/** The recorded reply of puzzle k's rerun i (the fixture's text), and which puzzle a prompt is. */
function game24() {
  const records = readFileSync(GAME24!, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { id: string; prompt: string; samples: { text: string }[] });
  const byPrompt = new Map(records.map((r, k) => [r.prompt, k]));
  return { records, byPrompt, reply: (k: number, i: number) => records[k]!.samples[i]!.text };
}

/** The figures a sweep's analysis shows: per prompt and pooled, the headline and its interval, the classes. */
function figures(a: Analysis) {
  return {
    prompts: a.prompts.map((p) => ({ id: p.id, n: p.n, estimate: p.brier?.estimate ?? null, ci: p.brier?.ci95 ?? null, classes: p.classes ?? null })),
    pooled: { estimate: a.pooled?.brier?.estimate ?? null, ci: a.pooled?.brier?.ci95 ?? null },
  };
}

async function analysisOf(file: string) {
  const json = join(dir, `a-${Math.random().toString(36).slice(2)}.json`);
  const r = await hotmess(["analyze", file, "--json", json]);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(readFileSync(json, "utf8")) as Analysis;
}

const fixtureSkip = skipWithout(GAME24);

test("Game of 24: swept live and as a batch against both fakes, the same figures", { skip: fixtureSkip }, async () => {
  const g = game24();
  const counts = new Map<number, number>();
  const liveReply = (prompt: string) => {
    const k = g.byPrompt.get(prompt)!;
    const i = counts.get(k) ?? 0;
    counts.set(k, i + 1);
    return g.reply(k, i);
  };
  const promptOf = (body: Record<string, unknown>) => {
    const m = (body.messages as { content: string | { text: string }[] }[])[0]!.content;
    return typeof m === "string" ? m : m.map((c) => c.text).join("");
  };
  const results: Record<string, ReturnType<typeof figures>> = {};

  const anthropic: FakeAnthropic = await startFakeAnthropic();
  anthropic.setDefault((req) => ({ kind: "ok", thinking: [], text: [liveReply(promptOf(req.body))] }));
  try {
    const out = join(dir, "live-anthropic");
    const r = await hotmess(["run", "--prompts", GAME24!, "-n", String(N), "--provider", "anthropic", "--base-url", anthropic.url, "--thinking", "off", "--concurrency", "1", "--out", out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /50 prompts × 5 reruns of .* \(anthropic, live\)/);
    assert.match(r.err, /250 requests \(50 prompts\) · ≈ [\d.]+k input tokens, up to [\d.]+[kM] output · at most \$[\d.]+ live \(\$[\d.]+ with --batch\)/);
    const file = sweepFileIn(out);
    assert.ok(!readFileSync(file, "utf8").includes(A_KEY), "no key in the sweep file");
    results.liveAnthropic = figures(await analysisOf(file));
  } finally {
    await anthropic.close();
  }
  counts.clear();
  const openai: FakeOpenAI = await startFakeOpenAI();
  openai.setDefault((req) => ({ kind: "ok", text: [liveReply(promptOf(req.body))] }));
  try {
    const out = join(dir, "live-openai");
    const r = await hotmess(["run", "--prompts", GAME24!, "-n", String(N), "--provider", "openai", "--model", "gpt-4.1", "--base-url", `${openai.url}/v1`, "--concurrency", "1", "--out", out]);
    assert.equal(r.code, 0, r.err);
    results.liveOpenAI = figures(await analysisOf(sweepFileIn(out)));
  } finally {
    await openai.close();
  }

  const outcome = (customId: string) => {
    const m = /_p(\d+)-r(\d+)$/.exec(customId)!;
    return { type: "succeeded" as const, text: g.reply(Number(m[1]), Number(m[2])) };
  };
  const ab = await startFakeAnthropicBatches({ pollsInProgress: 2, outcome, chunkBytes: 777 });
  try {
    const out = join(dir, "batch-anthropic");
    const r = await hotmess(["run", "--prompts", GAME24!, "-n", String(N), "--provider", "anthropic", "--base-url", ab.url, "--thinking", "off", "--batch", "--yes", "--poll", "0.01", "--out", out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /as a batch/);
    assert.match(r.err, /at most \$[\d.]+ at the batch price \(\$[\d.]+ live\)/);
    assert.match(r.err, /batch msgbatch_\w+ submitted: 250 requests/);
    assert.match(r.err, /collected: 250 replies, 0 failed/);
    assert.equal(ab.batchesCreated(), 1);
    assert.ok((ab.pieces.values().next().value ?? 0) > 10, "the results file came in pieces");
    const file = sweepFileIn(out);
    const lines = readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { type: string });
    const firstBatch = lines.findIndex((l) => l.type === "batch");
    assert.equal(lines[firstBatch - 1]!.type, "submit", "the submission is written before the batch is created");
    assert.ok(firstBatch < lines.findIndex((l) => l.type === "status"), "the batch id is written before any status");
    results.batchAnthropic = figures(await analysisOf(file));
  } finally {
    await ab.close();
  }
  const ob = await startFakeOpenAIBatches({ pollsInProgress: 1, outcome, chunkBytes: 1001 });
  try {
    const out = join(dir, "batch-openai");
    const r = await hotmess(["run", "--prompts", GAME24!, "-n", String(N), "--provider", "openai", "--model", "gpt-4.1", "--base-url", `${ob.url}/v1`, "--batch", "--yes", "--poll", "0.01", "--out", out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /batch batch_\w+ submitted: 250 requests/);
    assert.equal(ob.batchesCreated(), 1);
    results.batchOpenAI = figures(await analysisOf(sweepFileIn(out)));
  } finally {
    await ob.close();
  }
  assert.ok(results.liveAnthropic!.pooled.estimate !== null, "the sweep has a pooled incoherence");
  assert.equal(results.liveAnthropic!.prompts.length, 50);
  assert.deepEqual(results.liveOpenAI, results.liveAnthropic);
  assert.deepEqual(results.batchAnthropic, results.liveAnthropic);
  assert.deepEqual(results.batchOpenAI, results.liveAnthropic);
});

/** Runs the built CLI until the sweep file records its batch, then kills it (SIGKILL: no cleanup at all). */
async function killWhileInProgress(args: string[], out: string): Promise<string> {
  const child = spawn(process.execPath, [join(__dirname, "..", "dist", "cli.js"), ...args, "--out", out], { env: { ...process.env, ...ENV }, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((res) => child.on("exit", () => res()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    let text = "";
    try {
      text = readFileSync(sweepFileIn(out), "utf8");
    } catch {
      /* not yet */
    }
    // killed once it polled at least once, the batch still in progress
    if (/"type":"status".*"in_progress"/.test(text)) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the sweep did not get to an in-progress batch: ${err}`);
  }
  child.kill("SIGKILL");
  await exited;
  return sweepFileIn(out);
}

for (const provider of ["anthropic", "openai"] as const) {
  test(`Game of 24 (${provider}): killed while the batch is in progress, resumed to the same figures without a second submission`, { skip: fixtureSkip }, async () => {
    const g = game24();
    const outcome = (customId: string) => {
      const m = /_p(\d+)-r(\d+)$/.exec(customId)!;
      return { type: "succeeded" as const, text: g.reply(Number(m[1]), Number(m[2])) };
    };
    const opts: FakeAnthropicBatchesOptions & FakeOpenAIBatchesOptions = { pollsInProgress: 1_000_000, outcome };
    const fake: FakeAnthropicBatches | FakeOpenAIBatches = provider === "anthropic" ? await startFakeAnthropicBatches(opts) : await startFakeOpenAIBatches(opts);
    try {
      const where = provider === "anthropic" ? ["--provider", "anthropic", "--base-url", fake.url, "--thinking", "off"] : ["--provider", "openai", "--model", "gpt-4.1", "--base-url", `${fake.url}/v1`];
      const out = join(dir, `killed-${provider}`);
      const file = await killWhileInProgress(["run", "--prompts", GAME24!, "-n", String(N), ...where, "--batch", "--yes", "--poll", "0.02"], out);
      const before = parseSweepFile(readFileSync(file, "utf8"));
      assert.equal(before.batches.length, 1);
      assert.ok(before.batches[0]!.batchId, "the batch id was recorded before the kill");
      assert.equal(before.end, null, "killed: no end line");
      assert.equal(sweepProgress(before).pending, 250);
      assert.equal(fake.batchesCreated(), 1);

      // still in progress: a resume that stops polling keeps waiting, and submits nothing
      const waiting = await hotmess(["run", "--resume", file, "--no-wait"]);
      assert.equal(waiting.code, 0, waiting.err);
      assert.match(waiting.err, /0\/250 replies · 250 in 1 batch/);
      assert.equal(fake.batchesCreated(), 1);

      opts.pollsInProgress = 0; // the provider finishes the batch
      const r = await hotmess(["run", "--resume", file, "--poll", "0.01"]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /collected: 250 replies, 0 failed/);
      assert.equal(fake.batchesCreated(), 1, "never submitted twice");
      const after = parseSweepFile(readFileSync(file, "utf8"));
      assert.equal(after.end?.status, "complete");
      assert.equal(sweepProgress(after).succeeded, 250);

      // the same figures as an uninterrupted sweep of the same replies
      const straight = join(dir, `straight-${provider}`);
      const s = await hotmess(["run", "--prompts", GAME24!, "-n", String(N), ...where, "--batch", "--yes", "--poll", "0.01", "--out", straight]);
      assert.equal(s.code, 0, s.err);
      assert.deepEqual(figures(await analysisOf(file)), figures(await analysisOf(sweepFileIn(straight))));
    } finally {
      await fake.close();
    }
  });
}

function smallPrompts(): string {
  return writeSweepPrompts(join(dir, `prompts-${Math.random().toString(36).slice(2)}.jsonl`));
}

test("a batch's errored and expired requests are listed with their reasons and resubmitted as a batch of just those", async () => {
  let round = 0;
  const fake = await startFakeAnthropicBatches({
    outcome: (id) => {
      if (round === 0 && id.endsWith("_p0-r1")) return { type: "errored", errorType: "overloaded_error", message: "Overloaded" };
      if (round === 0 && id.endsWith("_p1-r2")) return { type: "expired" };
      if (round === 0 && id.endsWith("_p1-r0")) return { type: "errored", errorType: "invalid_request_error", message: "max_tokens: too large" };
      return { type: "succeeded", text: `Answer: ${id.includes("_p0-") ? 18 : 19}` };
    },
  });
  try {
    const out = join(dir, "resubmit");
    const prompts = smallPrompts();
    const r = await hotmess(["run", "--prompts", prompts, "-n", "4", "--provider", "anthropic", "--base-url", fake.url, "--thinking", "off", "--batch", "--yes", "--poll", "0.01", "--out", out]);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /line 3: not valid JSON/);
    assert.match(r.err, /line 4: the id "ducks" is used by an earlier line; skipped/);
    assert.match(r.err, /line 5: no "prompt" text; skipped/);
    assert.match(r.err, /5\/8 replies · 3 failed \(2 worth resubmitting\)/);
    assert.match(r.err, /1 × overloaded: Anthropic: Overloaded \(overloaded_error/);
    assert.match(r.err, /1 × expired: Anthropic: the batch ended/);
    assert.match(r.err, /hotmess run --resume .* --resubmit/);
    const file = sweepFileIn(out);
    assert.equal(parseSweepFile(readFileSync(file, "utf8")).end?.status, "partial");
    // analyze, export and check say where the sweep stands once, for the whole sweep
    const said = /the sweep is partial: 5 of 8 replies, 3 failed — 1 × overloaded: Anthropic: Overloaded \(overloaded_error\) \(and 2 other reasons\); send the failed requests again with: hotmess run --resume \S+ --resubmit/;
    const an = await hotmess(["analyze", file]);
    assert.equal(an.code, 2);
    assert.match(an.err, said);
    const ex = await hotmess(["export", file, "--format", "md", "--out", join(dir, "partial.md")]);
    assert.equal((ex.err.match(/the sweep is partial/g) ?? []).length, 1, ex.err);
    assert.match(ex.err, said);
    const ck = await hotmess(["check", file, "--max-incoherence", "1"]);
    assert.match(ck.err, said);

    round = 1;
    const asked: string[] = [];
    const no = await hotmess(["run", "--resume", file, "--resubmit", "--poll", "0.01"], { confirm: async (q) => (asked.push(q), false) });
    assert.match(asked[0] ?? "", /resubmit these 3 requests as a new batch\?/);
    assert.match(no.err, /ducks rerun 1: overloaded: Anthropic: Overloaded/);
    assert.match(no.err, /cows rerun 2: expired/);
    assert.match(no.err, /3 requests \(2 prompts\)/);
    assert.equal(fake.batchesCreated(), 1, "declined: nothing resubmitted");

    const yes = await hotmess(["run", "--resume", file, "--resubmit", "--yes", "--poll", "0.01"]);
    assert.equal(yes.code, 0, yes.err);
    assert.equal(fake.batchesCreated(), 2);
    const second = [...fake.params.values()][1]!;
    assert.deepEqual(second.map((x) => x.custom_id.replace(/^\w+_/, "")).sort(), ["p0-r1", "p1-r0", "p1-r2"], "a batch of just the failed requests");
    const after = parseSweepFile(readFileSync(file, "utf8"));
    assert.ok(second.every((x) => x.custom_id.startsWith(`${sweepToken(after.header.id)}_`)), "custom ids carry the sweep's token");
    assert.equal(after.end?.status, "complete");
    assert.equal(sweepProgress(after).succeeded, 8);
    assert.deepEqual(after.batches[1]!.submit.resubmits, [after.batches[0]!.batchId]);
    assert.match(yes.out, /ducks\s+4/);
  } finally {
    await fake.close();
  }
});

test("nothing is submitted without a confirmation of the cost; a refused batch is recorded as refused", async () => {
  const fake = await startFakeAnthropicBatches();
  try {
    const prompts = smallPrompts();
    const args = ["run", "--prompts", prompts, "-n", "3", "--provider", "anthropic", "--model", "claude-sonnet-4-5", "--base-url", fake.url, "--thinking", "off", "--batch", "--poll", "0.01"];
    const asked: string[] = [];
    const no = await hotmess([...args, "--out", join(dir, "declined")], { confirm: async (q) => (asked.push(q), false) });
    assert.equal(no.code, 1);
    assert.match(asked[0]!, /^submit 6 requests for at most \$\d+\.\d+\?$/);
    assert.match(no.err, /nothing was submitted/);
    assert.equal(fake.batchesCreated(), 0);
    // not a terminal and no --yes: a usage error that names --yes
    const tty = await hotmess([...args, "--out", join(dir, "no-tty")]);
    assert.equal(tty.code, 1);
    assert.match(tty.err, /add --yes to confirm/);
    assert.equal(fake.batchesCreated(), 0);

    fake.refuseNext(401, "authentication_error", "invalid x-api-key");
    const refused = await hotmess([...args, "--yes", "--out", join(dir, "refused")]);
    assert.equal(refused.code, 1, refused.err);
    assert.match(refused.err, /invalid x-api-key/);
    const file = sweepFileIn(join(dir, "refused"));
    const s = parseSweepFile(readFileSync(file, "utf8"));
    assert.match(s.batches[0]!.refused ?? "", /invalid x-api-key/);
    assert.equal(sweepProgress(s).unsent, 6, "a refused batch sent nothing: its requests are still to send");
    // resumed: the requests never sent are submitted, once
    const resumed = await hotmess(["run", "--resume", file, "--poll", "0.01"]);
    assert.equal(resumed.code, 0, resumed.err);
    assert.equal(fake.batchesCreated(), 1);
  } finally {
    await fake.close();
  }
});

/** A sweep file as if the process had died between sending each batch and writing its id (its batch lines taken out), its submissions sent `agoMs` before now. */
function forgetBatchIds(file: string, agoMs: number): void {
  const at = new Date(Date.now() - agoMs).toISOString();
  const text = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => !l.includes('"type":"batch"') && !l.includes('"type":"status"') && !l.includes('"type":"end"'))
    .map((l) => (l.includes('"type":"submit"') ? l.replace(/"at":"[^"]+"/, `"at":"${at}"`) : l))
    .join("\n");
  writeFileSync(file, text);
}

for (const provider of ["anthropic", "openai"] as const) {
  test(`${provider}: a batch sent but whose id was never recorded is found at the provider and collected, not sent again`, async () => {
    const opts = { pollsInProgress: 1_000_000 };
    const fake: FakeAnthropicBatches | FakeOpenAIBatches = provider === "anthropic" ? await startFakeAnthropicBatches(opts) : await startFakeOpenAIBatches(opts);
    const where = provider === "anthropic" ? ["--provider", "anthropic", "--base-url", fake.url, "--thinking", "off"] : ["--provider", "openai", "--model", "gpt-4.1", "--base-url", `${fake.url}/v1`];
    try {
      // another sweep of the same size at the same time: at Anthropic (no metadata) it would match by count
      const other = join(dir, `unrecorded-other-${provider}`);
      const prompts = smallPrompts();
      if (provider === "openai") assert.equal((await hotmess(["run", "--prompts", prompts, "-n", "2", ...where, "--batch", "--yes", "--no-wait", "--out", other])).code, 0);
      const out = join(dir, `unrecorded-${provider}`);
      const r = await hotmess(["run", "--prompts", prompts, "-n", "2", ...where, "--batch", "--yes", "--no-wait", "--out", out]);
      assert.equal(r.code, 0, r.err);
      const file = sweepFileIn(out);
      forgetBatchIds(file, 0);
      const created = fake.batchesCreated();
      opts.pollsInProgress = 0;
      const again = await hotmess(["run", "--resume", file, "--poll", "0.01"]);
      assert.equal(again.code, 0, again.err);
      assert.match(again.err, /part 0's batch was sent but its id not recorded: found it at the provider, (msgbatch|batch)_\w+/);
      assert.equal(fake.batchesCreated(), created, "nothing sent again");
      const s = parseSweepFile(readFileSync(file, "utf8"));
      assert.equal(sweepProgress(s).succeeded, 4);
      assert.equal(s.end?.status, "complete");
    } finally {
      await fake.close();
    }
  });
}

test("a submission not found at the provider: sent again once it is old enough, never while it may not be listed yet; two candidates: nothing sent", async () => {
  const fake = await startFakeAnthropicBatches({ pollsInProgress: 1_000_000 });
  try {
    const where = ["--provider", "anthropic", "--base-url", fake.url, "--thinking", "off"];
    const out = join(dir, "never-created");
    const r = await hotmess(["run", "--prompts", smallPrompts(), "-n", "2", ...where, "--batch", "--yes", "--no-wait", "--out", out]);
    assert.equal(r.code, 0, r.err);
    const file = sweepFileIn(out);
    // as if the process had died after writing the submission and before sending it: recent, then old
    const text = readFileSync(file, "utf8");
    const recent = new Date(Date.now() - 60_000).toISOString();
    writeFileSync(file, text.split("\n").filter((l) => !/"type":"(batch|status|end)"/.test(l)).map((l) => (l.includes('"type":"submit"') ? l.replace(/"count":4/g, '"count":5').replace(/"at":"[^"]+"/, `"at":"${recent}"`) : l)).join("\n"));
    // (count 5: no batch at the fake has 5 requests, so none matches)
    const early = await hotmess(["run", "--resume", file, "--no-wait"]);
    assert.equal(early.code, 1);
    assert.match(early.err, /the provider does not list it yet: resume again in a few minutes; nothing was resubmitted/);
    assert.equal(fake.batchesCreated(), 1);
    writeFileSync(file, readFileSync(file, "utf8").replace(recent, new Date(Date.now() - 3600_000).toISOString()));
    const late = await hotmess(["run", "--resume", file, "--no-wait"]);
    assert.equal(late.code, 0, late.err);
    assert.match(late.err, /part 0 was never created at the provider: its requests are sent now/);
    assert.equal(fake.batchesCreated(), 2, "sent once");

    // two batches of the same size around the same time (Anthropic matches by time and count)
    const twin = join(dir, "twins");
    const prompts = smallPrompts();
    await hotmess(["run", "--prompts", prompts, "-n", "2", ...where, "--batch", "--yes", "--no-wait", "--out", join(dir, "twin-other")]);
    await hotmess(["run", "--prompts", prompts, "-n", "2", ...where, "--batch", "--yes", "--no-wait", "--out", twin]);
    const twinFile = join(twin, readdirSync(twin)[0]!);
    forgetBatchIds(twinFile, 0);
    const before = fake.batchesCreated();
    const t = await hotmess(["run", "--resume", twinFile, "--no-wait"]);
    assert.equal(t.code, 1);
    assert.match(t.err, /4 batches at the provider could be it \((msgbatch_\w+, ){3}msgbatch_\w+\)/);
    assert.equal(fake.batchesCreated(), before, "nothing sent");
    // the other sweeps' files beside this one (the twin's, and the one sent above): their batches
    // are other sweeps', never this one's
    const otherFile = sweepFileIn(join(dir, "twin-other"));
    for (const [k, f] of [otherFile, file].entries()) writeFileSync(join(twin, basename(f).replace("-sweep-", `-sweep-other${k}-`)), readFileSync(f, "utf8"));
    const again = await hotmess(["run", "--resume", twinFile, "--no-wait"]);
    // left: this sweep's batch and the orphan of the first part above (its id was taken out of its file)
    assert.equal(again.code, 1, again.err);
    assert.match(again.err, /part 0: 2 batches at the provider could be it/);
    for (const f of [otherFile, file]) for (const b of parseSweepFile(readFileSync(f, "utf8")).batches) if (b.batchId) assert.ok(!again.err.includes(b.batchId), `${b.batchId}, another sweep's, is not a candidate`);
    assert.equal(fake.batchesCreated(), before, "nothing sent");
  } finally {
    await fake.close();
  }
});

test("a live sweep cancelled half-way resumes the missing reruns only; a torn last line is skipped", async () => {
  const out = join(dir, "live-resume");
  const prompts = smallPrompts();
  const cancel = new AbortController();
  const stdout = new Capture();
  const stderr = new Capture();
  let samples = 0;
  const run = runCommand(parseCommand(["--prompts", prompts, "-n", "6", "--provider", "simulated", "--sim-speed", "400", "--concurrency", "2", "--out", out], RUN), { stdout, stderr, env: {} }, cancel.signal);
  for (let t = 0; t < 400; t++) {
    await new Promise((r) => setTimeout(r, 25));
    try {
      samples = (readFileSync(sweepFileIn(out), "utf8").match(/"type":"sample"/g) ?? []).length;
    } catch {
      /* not yet */
    }
    if (samples >= 3) break;
  }
  cancel.abort();
  const code = await run;
  assert.equal(code, 130, stderr.text);
  const file = sweepFileIn(out);
  const cut = parseSweepFile(readFileSync(file, "utf8"));
  const had = sweepProgress(cut).succeeded;
  assert.ok(had >= 3 && had < 12, `cancelled half-way: ${had} of 12`);
  assert.equal(cut.end?.status, "cancelled");
  // a crash while writing: a torn last line
  writeFileSync(file, readFileSync(file, "utf8") + '{"type":"sample","prompt":"p0","ind');
  const r = await hotmess(["run", "--resume", file], { env: {} });
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /the last line is incomplete/);
  const done = parseSweepFile(readFileSync(file, "utf8"));
  assert.equal(sweepProgress(done).succeeded, 12);
  for (const p of done.prompts) assert.equal(done.samples.get(p.key)!.size, 6, "each prompt has exactly its n replies");
  assert.equal(done.end?.status, "complete");
  assert.deepEqual(missingRequests(done), []);
});



test("--cancel cancels the batches in progress; the canceled requests are resubmitted with --resubmit", async () => {
  const opts = { pollsInProgress: 1_000_000 };
  const fake = await startFakeAnthropicBatches(opts);
  try {
    const out = join(dir, "cancel");
    const where = ["--provider", "anthropic", "--base-url", fake.url, "--thinking", "off"];
    assert.equal((await hotmess(["run", "--prompts", smallPrompts(), "-n", "3", ...where, "--batch", "--yes", "--no-wait", "--out", out])).code, 0);
    const file = sweepFileIn(out);
    const c = await hotmess(["run", "--resume", file, "--cancel", "--poll", "0.01"]);
    assert.equal(c.code, 1, c.err);
    assert.match(c.err, /0\/6 replies · 6 in 1 batch \(not polled yet\)/);
    assert.match(c.err, /msgbatch_\w+ canceling: 6 processing/);
    assert.match(c.err, /0\/6 replies · 6 failed/);
    assert.match(c.err, /6 × canceled: Anthropic: the batch was canceled/);
    opts.pollsInProgress = 0;
    const r = await hotmess(["run", "--resume", file, "--resubmit", "--yes", "--poll", "0.01"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(fake.batchesCreated(), 2);
    assert.equal(sweepProgress(parseSweepFile(readFileSync(file, "utf8"))).succeeded, 6);
    const bad = await hotmess(["run", "--prompts", smallPrompts(), "-n", "1", ...where, "--cancel", "--out", out]);
    assert.match(bad.err, /--cancel goes with --resume SWEEPFILE/);
  } finally {
    await fake.close();
  }
});

test("a prompt's own answerSpec (a trace set's) classes its replies; --answer sets the sweep's", async () => {
  const fake = await startFakeAnthropicBatches({ outcome: (id) => ({ type: "succeeded", text: JSON.stringify({ label: /r[01]$/.test(id) ? "spam" : "ham", why: `reason ${id}` }) }) });
  try {
    const file = join(dir, "labels.jsonl");
    writeFileSync(file, [JSON.stringify({ id: "mail-1", prompt: "Spam or ham? 'WIN A PRIZE'", reference: "spam", answerSpec: { extract: { kind: "json", path: "$.label" } } }), JSON.stringify({ id: "mail-2", prompt: "Spam or ham? 'lunch at noon'", reference: "ham", answerSpec: { extract: "nonsense" } })].join("\n"));
    const out = join(dir, "labels");
    const r = await hotmess(["run", "--prompts", file, "-n", "4", "--provider", "anthropic", "--base-url", fake.url, "--thinking", "off", "--batch", "--yes", "--poll", "0.01", "--out", out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /line 2: its answerSpec .*; skipped/);
    const a = await analysisOf(sweepFileIn(out));
    assert.equal(a.prompts.length, 1);
    assert.equal(a.prompts[0]!.classes, 2, "spam and ham, whatever the reasons say");
  } finally {
    await fake.close();
  }
});
