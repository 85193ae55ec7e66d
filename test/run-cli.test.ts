// `hotmess run` end to end against a fake OpenAI-compatible server, the run store it writes
// (header, samples, end; never a key), reading run files back (a torn last line is skipped with
// a warning), resuming a partial run, and the checks made before any request is sent.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, type Io } from "../src/cli/main";
import { planBench } from "../src/cli/bench";
import { BENCH, RUN } from "../src/cli/commands";
import { parseCommand } from "../src/cli/common";
import { planRun } from "../src/cli/run";
import { parseRunFile, type Analysis } from "../src/core";
import { Capture } from "./support/capture";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/openai";


const KEY = "sk-very-secret-key-123";
let fake: FakeOpenAI;
let dir: string;
before(async () => {
  fake = await startFakeOpenAI();
  dir = mkdtempSync(join(tmpdir(), "hotmess-run-"));
});
after(() => fake.close());

async function hotmess(args: string[], env: NodeJS.ProcessEnv = { OPENAI_API_KEY: KEY }) {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: Io = { stdout, stderr, env };
  const code = await main(args, io);
  return { code, out: stdout.text, err: stderr.text };
}

const answers = ["Answer: 18", "Answer: 18", "Answer: 20", "Answer: 18", "Answer: 26", "Answer: 18"];

test("run: records every sample in a run file, shows progress, prints the analysis", async () => {
  let k = 0;
  fake.setDefault(() => ({ kind: "ok", reasoning: ["16 - 3 = 13", "\n13 - 4 = 9", "\n9 * 2 = 18"], text: [answers[k++ % answers.length]!] }));
  const out = join(dir, "runs");
  const r = await hotmess(["run", "--prompt", "Janet's ducks lay 16 eggs…", "-n", "6", "--provider", "openai", "--model", "deepseek-reasoner", "--base-url", `${fake.url}/v1`, "--reference", "18", "--concurrency", "3", "--out", out]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /6 samples of deepseek-reasoner \(openai at http:\/\/127\.0\.0\.1:\d+\/v1, no thinking, 3 at once\)/);
  assert.match(r.err, /sample \d done: /);
  assert.match(r.err, /6\/6 done/);
  assert.match(r.out, /^[0-9a-f]{8}-\w+\s+6\s+3 \(67% ✓\)/m);
  const files = readdirSync(out);
  assert.equal(files.length, 1);
  const text = readFileSync(join(out, files[0]!), "utf8");
  assert.ok(!text.includes(KEY), "the key is never in the run file");
  const run = parseRunFile(text);
  assert.equal(run.header.schema, "hotmess.run/1");
  assert.equal(run.header.provider, "openai");
  assert.equal(run.header.model, "deepseek-reasoner");
  assert.equal(run.header.reference, 18);
  assert.equal(run.header.parameters.n, 6);
  assert.equal(run.samples.length, 6);
  assert.equal(run.end?.status, "complete");
  assert.ok(run.samples.every((s) => s.thinking === "16 - 3 = 13\n13 - 4 = 9\n9 * 2 = 18"));
  // hotmess analyze reads the run file directly: the same figures
  const a = await hotmess(["analyze", join(out, files[0]!), "--json", "-"]);
  assert.equal(a.code, 0, a.err);
  const analysis = JSON.parse(a.out) as Analysis;
  assert.equal(analysis.prompts[0]!.n, 6);
  assert.equal(analysis.prompts[0]!.answers[0]!.count, 4);
  assert.equal(analysis.prompts[0]!.runs[0]!.fromThinking, true);
  assert.equal(analysis.prompts[0]!.runs[0]!.steps.length, 3);
  fake.setDefault({ kind: "ok" });
});

test("run --json writes hotmess.analysis/1", async () => {
  const json = join(dir, "a.json");
  const r = await hotmess(["run", "--prompt", "2+2?", "-n", "2", "--provider", "openai", "--model", "gpt-4o-mini", "--base-url", `${fake.url}/v1`, "--out", join(dir, "r2"), "--json", json]);
  assert.equal(r.code, 0, r.err);
  const a = JSON.parse(readFileSync(json, "utf8")) as Analysis;
  assert.equal(a.schema, "hotmess.analysis/1");
  assert.equal(a.prompts[0]!.n, 2);
});

test("checked before any request: missing key, unknown provider, unreadable prompt file, N < 1, bad combinations", async () => {
  const before = fake.requests.length;
  const base = ["--provider", "openai", "--model", "m", "--out", join(dir, "none")];
  const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
    [["run", "--prompt", "x", "-n", "2", ...base], {}, /^hotmess: OPENAI_API_KEY is not set/],
    [["run", "--prompt", "x", "-n", "2", "--provider", "anthropic"], {}, /^hotmess: ANTHROPIC_API_KEY is not set/],
    [["run", "--prompt", "x", "-n", "2", "--provider", "gemini"], { OPENAI_API_KEY: KEY }, /^hotmess: unknown provider "gemini": choose simulated, anthropic, openai/],
    [["run", "--prompt", "What is 2 + 2?", "-n", "2", "--model", "gpt-4o", "--out", join(dir, "none")], {}, /^hotmess: the simulated reasoner is one offline model, "simulated-reasoner": it cannot stand in for "gpt-4o" .*ANTHROPIC_API_KEY/],
    [["run", "--prompt-file", join(dir, "nope.txt"), "-n", "2", ...base], { OPENAI_API_KEY: KEY }, /^hotmess: cannot read the prompt file .*nope\.txt: no such file/],
    [["run", "--prompt", "x", "-n", "0", ...base], { OPENAI_API_KEY: KEY }, /^hotmess: -n must be an integer between 1 and 10000, not "0"/],
    [["run", "--prompt", "x", ...base], { OPENAI_API_KEY: KEY }, /^hotmess: run needs -n N/],
    [["run", "-n", "2", ...base], { OPENAI_API_KEY: KEY }, /^hotmess: run needs a prompt/],
    [["run", "--prompt", "x", "-n", "2", "--until-ci", "0.1", ...base], { OPENAI_API_KEY: KEY }, /--until-ci needs --reference/],
    [["run", "--prompt", "x", "-n", "2", "--provider", "anthropic", "--model", "claude-sonnet-4-5", "--thinking-budget", "2000", "--temperature", "0.5"], { ANTHROPIC_API_KEY: KEY }, /with thinking on, Claude accepts only temperature 1/],
    [["run", "--prompt", "x", "-n", "2", "--provider", "anthropic", "--model", "claude-opus-4-7", "--temperature", "0.2", "--thinking", "off"], { ANTHROPIC_API_KEY: KEY }, /accepts no temperature other than 1/],
    [["run", "--prompt", "x", "-n", "2", "--provider", "anthropic", "--model", "claude-sonnet-4-5", "--thinking-budget", "9000", "--max-tokens", "8000"], { ANTHROPIC_API_KEY: KEY }, /must be below max tokens/],
  ];
  for (const [args, env, re] of cases) {
    const r = await hotmess(args, env);
    assert.equal(r.code, 1, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split("\n").length, 1, `one line: ${r.err}`);
    assert.ok(!r.err.includes(KEY));
  }
  assert.equal(fake.requests.length, before, "no request was sent");
});

test("a 401 fails the run at once with the server's message, exit 1, the run file says so", async () => {
  fake.enqueue({ kind: "http-error", status: 401 });
  const out = join(dir, "r401");
  const r = await hotmess(["run", "--prompt", "x", "-n", "3", "--concurrency", "1", "--provider", "openai", "--model", "m", "--base-url", `${fake.url}/v1`, "--out", out]);
  assert.equal(r.code, 1);
  assert.match(r.err, /the run failed: .*answered 401 .*API key/);
  const run = parseRunFile(readFileSync(join(out, readdirSync(out)[0]!), "utf8"));
  assert.equal(run.end?.status, "failed");
  assert.equal(run.samples.length, 0);
});

test("a torn last line is skipped with a warning; --resume cuts it off and completes the run", async () => {
  const out = join(dir, "resume");
  fake.setDefault({ kind: "ok", text: ["Answer: 18"] });
  const r = await hotmess(["run", "--prompt", "eggs?", "-n", "3", "--provider", "openai", "--model", "m", "--base-url", `${fake.url}/v1`, "--reference", "18", "--out", out]);
  assert.equal(r.code, 0, r.err);
  const file = join(out, readdirSync(out)[0]!);
  // simulate a crash: drop the end line, leave half a sample line
  const lines = readFileSync(file, "utf8").trimEnd().split("\n");
  const kept = lines.filter((l) => !l.includes('"type":"end"'));
  writeFileSync(file, kept.join("\n") + "\n");
  appendFileSync(file, kept[1]!.slice(0, 40));
  const a = await hotmess(["analyze", file]);
  assert.equal(a.code, 2, "something was skipped");
  assert.match(a.err, /the last line is incomplete/);
  assert.match(a.out, /\s3\s+1 \(100% ✓\)/);
  const before = fake.requests.length;
  const res = await hotmess(["run", "--resume", file, "-n", "5"]);
  assert.equal(res.code, 0, res.err);
  assert.match(res.err, /resuming 3 → 5 samples/);
  assert.equal(fake.requests.length - before, 2, "only the missing samples are requested");
  const run = parseRunFile(readFileSync(file, "utf8"));
  assert.deepEqual(run.warnings, []);
  assert.deepEqual(
    run.samples.map((s) => s.index),
    [0, 1, 2, 3, 4],
  );
  assert.equal(run.end?.status, "complete");
  // resuming with a changed prompt is refused
  const bad = await hotmess(["run", "--resume", file, "--prompt", "other"]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /--prompt cannot change it/);
  fake.setDefault({ kind: "ok" });
});

test("Ctrl-C cancels the run at once, keeps every finished sample, and says how to resume (exit 130)", async () => {
  const { spawn } = await import("node:child_process");
  const out = join(dir, "sigint");
  fake.setDefault({ kind: "ok", chunkDelayMs: 60, text: ["Answer:", " 18"] });
  const child = spawn(process.execPath, [join(__dirname, "..", "dist", "cli.js"), "run", "--prompt", "eggs?", "-n", "40", "--concurrency", "2", "--provider", "openai", "--model", "m", "--base-url", `${fake.url}/v1`, "--out", out], {
    env: { ...process.env, OPENAI_API_KEY: KEY },
  });
  let err = "";
  let sent = false;
  const t0 = Date.now();
  let cancelAt = 0;
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
    if (!sent && (err.match(/sample \d+ done/g) ?? []).length >= 3) {
      sent = true;
      cancelAt = Date.now();
      child.kill("SIGINT");
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  assert.ok(sent, `samples were finishing: ${err}`);
  assert.equal(code, 130, err);
  assert.ok(Date.now() - cancelAt < 2000, "stopped at once");
  assert.match(err, /cancelling: finished samples are kept/);
  assert.match(err, /cancelled with \d+ of 40 samples finished \(kept\); continue with: hotmess run --resume /);
  const run = parseRunFile(readFileSync(join(out, readdirSync(out)[0]!), "utf8"));
  assert.equal(run.end?.status, "cancelled");
  assert.ok(run.samples.length >= 3 && run.samples.length < 40, `${run.samples.length} samples kept`);
  assert.deepEqual(run.warnings, []);
  assert.ok(Date.now() - t0 < 20_000);
  fake.setDefault({ kind: "ok" });
});

test("--until-ci: waves sized by the projection, and a stop once the interval is narrower than W", async () => {
  // every rerun says 20 (the reference is 18): ten agreeing runs no longer give a zero-width
  // interval, so the run goes on past the minimum by as many reruns as the projection says
  fake.setDefault({ kind: "ok", text: ["Answer: 20"] });
  const out = join(dir, "until");
  const r = await hotmess(["run", "--prompt", "eggs?", "-n", "100", "--until-ci", "0.2", "--reference", "18", "--provider", "openai", "--model", "m", "--base-url", `${fake.url}/v1`, "--out", out]);
  assert.equal(r.code, 0, r.err);
  const first = /10 samples: incoherence interval width (\d\.\d{3}); ≈ (\d+) more reruns projected to get it under 0\.2/.exec(r.err);
  assert.ok(first, r.err);
  assert.ok(Number(first[1]) >= 0.2);
  const stopped = 10 + Number(first[2]);
  assert.match(r.err, new RegExp(`${stopped} samples: incoherence interval width 0\\.[01]\\d\\d, under 0\\.2`));
  assert.match(r.err, new RegExp(`stopped after ${stopped} samples: the interval is narrower than 0\\.2`));
  const run = parseRunFile(readFileSync(join(out, readdirSync(out)[0]!), "utf8"));
  assert.equal(run.samples.length, stopped);
  assert.equal(run.end?.stoppedEarly, true);
  fake.setDefault({ kind: "ok" });
});

test("--max-retry-wait S: the longest retry-after honoured, passed on to the engine in ms (default 60 s), checked as an integer ≥ 0", async () => {
  const io: Io = { stdout: new Capture(), stderr: new Capture(), env: { OPENAI_API_KEY: KEY } };
  const run = (extra: string[]) => planRun(parseCommand(["--prompt", "x", "-n", "2", "--provider", "openai", "--model", "m", "--base-url", `${fake.url}/v1`, "--out", join(dir, "wait"), ...extra], RUN), io).plan;
  assert.equal(run(["--max-retry-wait", "5"]).maxRetryWaitMs, 5000);
  assert.equal(run(["--max-retry-wait=0"]).maxRetryWaitMs, 0, "0: never wait for a server");
  assert.equal(run([]).maxRetryWaitMs, 60_000);
  const bench = (extra: string[]) => planBench(parseCommand(["optimizer", "-n", "2", "--out", join(dir, "wait-bench"), ...extra], BENCH)).options;
  assert.equal(bench(["--max-retry-wait", "7"]).maxRetryWaitMs, 7000);
  assert.equal(bench([]).maxRetryWaitMs, 60_000);
  const before = fake.requests.length;
  for (const [cmd, bad] of [
    ["run", "-1"],
    ["run", "1.5"],
    ["bench", "x"],
    ["bench", "-3"],
  ] as const) {
    const args = cmd === "run" ? ["run", "--prompt", "x", "-n", "2", "--provider", "openai", "--model", "m", "--base-url", `${fake.url}/v1`] : ["bench", "optimizer", "-n", "2"];
    const r = await hotmess([...args, "--out", join(dir, "wait"), "--max-retry-wait", bad]);
    assert.equal(r.code, 1);
    assert.equal(r.err, `hotmess: --max-retry-wait must be an integer ≥ 0, not "${bad}" (see hotmess ${cmd} --help)\n`);
  }
  assert.equal(fake.requests.length, before, "no request was sent");
  for (const cmd of ["run", "bench"]) assert.match((await hotmess([cmd, "--help"])).out, /^\s+--max-retry-wait S\s+the longest wait a server may ask for \(retry-after\).*\n.*\n.*\(default: 60\)$/m);
});

test("run --seed N is the bootstrap seed of the intervals (it was accepted and ignored)", async () => {
  // the interval of a prompt is seeded from --seed and the prompt's id (here the run's): the run
  // must show what analyze shows for its run file with the same seed (one sample at a time: the
  // file holds the samples in the order the run analysed them)
  let k = 0;
  fake.setDefault(() => ({ kind: "ok", text: [["Answer: 18", "Answer: 20", "Answer: 21", "Answer: 18", "Answer: 22"][k++ % 5]!] }));
  const out = join(dir, "seeded");
  const r = await hotmess(["run", "--prompt", "eggs?", "-n", "20", "--concurrency", "1", "--reference", "18", "--provider", "openai", "--model", "m", "--base-url", `${fake.url}/v1`, "--out", out, "--json", "-", "--seed", "7"]);
  assert.equal(r.code, 0, r.err);
  const ran = (JSON.parse(r.out) as Analysis).prompts[0]!.brier!.ci95;
  const file = join(out, readdirSync(out)[0]!);
  const ci = async (seed: string) => (JSON.parse((await hotmess(["analyze", file, "--json", "-", "--seed", seed])).out) as Analysis).prompts[0]!.brier!.ci95;
  assert.deepEqual(ran, await ci("7"), "the run's interval is the one of seed 7");
  // the seed matters (an interval over 20 samples of a few answers can coincide for two seeds by
  // chance, and the run's id, which seeds it too, has the time in it: so four other seeds)
  const others = await Promise.all(["1", "2", "3", "4"].map(ci));
  assert.ok(others.some((o) => JSON.stringify(o) !== JSON.stringify(ran)), `other seeds give other intervals: ${JSON.stringify([ran, ...others])}`);
  fake.setDefault({ kind: "ok" });
});

test("run --seed N is recorded in the run file: analyze, export and a resumed run read it, whatever order the samples finished in", async () => {
  // the first request of each four takes longest: with 4 at once, samples finish out of index order
  let k = 0;
  fake.setDefault(() => {
    const i = k++;
    return { kind: "ok", reasoning: ["16 - 3 = 13", i % 3 ? "\n13 - 4 = 9" : "\n13 - 3 = 10"], text: [["Answer: 18", "Answer: 20", "Answer: 18", "Answer: 9"][i % 4]!], chunkDelayMs: 5 + 10 * (3 - (i % 4)) };
  });
  const out = join(dir, "recorded-seed");
  const r = await hotmess(["run", "--prompt", "eggs?", "-n", "8", "--concurrency", "4", "--reference", "18", "--provider", "openai", "--model", "m", "--base-url", `${fake.url}/v1`, "--out", out, "--json", "-", "--seed", "7"]);
  assert.equal(r.code, 0, r.err);
  const file = join(out, readdirSync(out)[0]!);
  const run = parseRunFile(readFileSync(file, "utf8"));
  assert.deepEqual(run.header.analysis, { seed: 7 }, "the seed is in the header");
  const order = run.samples.map((s) => s.index);
  assert.notDeepEqual(order, [...order].sort((a, b) => a - b), `the samples finished out of order: ${order.join(" ")}`);
  const ran = JSON.parse(r.out) as Analysis;
  assert.equal(ran.options.seed, 7);
  // no --seed: the recorded one
  const analyzed = JSON.parse((await hotmess(["analyze", file, "--json", "-"])).out) as Analysis;
  assert.deepEqual(analyzed, ran, "analyze shows what the run printed, run indices included");
  const exported = JSON.parse((await hotmess(["export", file, "--format", "json", "--out", "-"])).out) as Analysis & { export: unknown; traces: unknown };
  const { export: _e, traces: _t, ...doc } = exported;
  assert.deepEqual(doc, ran, "export holds what the run printed");
  // --seed given: it decides, and says so
  const other = JSON.parse((await hotmess(["analyze", file, "--json", "-", "--seed", "1"])).out) as Analysis;
  assert.equal(other.options.seed, 1);
  // a resumed run keeps the seed it was recorded with; --seed cannot change it
  const resumed = await hotmess(["run", "--resume", file, "--seed", "3"]);
  assert.equal(resumed.code, 1);
  assert.equal(resumed.err, "hotmess: --resume continues a run as it was recorded: --seed cannot change it; start a new run, or read this one with another seed: hotmess analyze FILE --seed N (see hotmess run --help)\n");
  fake.setDefault({ kind: "ok" });
});
