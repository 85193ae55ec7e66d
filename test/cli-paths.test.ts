// Output paths, checked before any work: an output never overwrites an input (the same path, a
// symbolic link or a hard link to it), two outputs are never the same file, and a path that
// cannot be written fails at once with the reason (a path under /proc used to hang for ever).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, type Io } from "../src/cli/main";
import { Capture } from "./support/capture";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/openai";


const KEY = "sk-paths-test-key-0000";
async function hotmess(args: string[], env: NodeJS.ProcessEnv = { OPENAI_API_KEY: KEY }) {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: Io = { stdout, stderr, env };
  const code = await main(args, io);
  return { code, out: stdout.text, err: stderr.text };
}

const CLI = join(__dirname, "..", "dist", "cli.js");
/** The installed bin, killed after 10 s: a hang shows as a failure, not as a stuck test run. */
function bin(args: string[], env: NodeJS.ProcessEnv = {}, cwd = dir): Promise<{ code: number | null; out: string; err: string; seconds: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { PATH: process.env.PATH, ...env } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

let fake: FakeOpenAI;
let dir: string;
before(async () => {
  fake = await startFakeOpenAI();
  dir = mkdtempSync(join(tmpdir(), "hotmess-paths-"));
});
after(() => fake.close());

const traceText = JSON.stringify({ id: "p1", prompt: "How many?", reference: 18, samples: [18, 18, 20, 21].map((a) => ({ text: `Step.\nAnswer: ${a}`, answer: a })) }) + "\n";

/** A trace set of its own in its own folder (a test that fails by overwriting it spoils no other), with a symbolic and a hard link to it. */
function inputs(tag: string): { folder: string; traces: string; sym: string; hard: string } {
  const folder = join(dir, tag);
  mkdirSync(folder);
  const traces = join(folder, "t.jsonl");
  writeFileSync(traces, traceText);
  symlinkSync(traces, join(folder, "sym.jsonl"));
  linkSync(traces, join(folder, "hard.jsonl"));
  return { folder, traces, sym: join(folder, "sym.jsonl"), hard: join(folder, "hard.jsonl") };
}

const NEVER = /choose another file; hotmess never overwrites an input\n$/;

test("analyze: --json / --html onto the input, a symbolic link or a hard link to it, are refused before anything is read or written", async () => {
  const { traces, sym, hard } = inputs("analyze");
  const cases: [string[], RegExp][] = [
    [["--json", traces], /^hotmess: --json \S+t\.jsonl is one of the inputs \(the trace set \S+t\.jsonl\): /],
    [["--html", traces], /^hotmess: --html \S+t\.jsonl is one of the inputs \(the trace set \S+t\.jsonl\): /],
    [["--json", sym], /^hotmess: --json \S+sym\.jsonl is one of the inputs \(the trace set \S+t\.jsonl, through a symbolic link\): /],
    [["--html", hard], /^hotmess: --html \S+hard\.jsonl is one of the inputs \(the trace set \S+t\.jsonl, through a hard link\): /],
  ];
  for (const [flags, re] of cases) {
    const r = await hotmess(["analyze", traces, ...flags]);
    assert.equal(r.code, 1, flags.join(" "));
    assert.match(r.err, re);
    assert.match(r.err, NEVER);
    assert.equal(r.out, "", "nothing analysed");
    assert.equal(readFileSync(traces, "utf8"), traceText, "the input is untouched");
  }
  // the input given through the link, the output by its own name
  const r = await hotmess(["analyze", sym, "--json", traces]);
  assert.equal(r.code, 1);
  assert.match(r.err, /is one of the inputs \(the trace set \S+sym\.jsonl, through a symbolic link\)/);
});

test("two outputs onto the same file are refused (also through a link)", async () => {
  const { traces } = inputs("two");
  const a = join(dir, "same.out");
  const r = await hotmess(["analyze", traces, "--json", a, "--html", a]);
  assert.equal(r.code, 1);
  assert.equal(r.err, `hotmess: --json ${a} and --html ${a} are the same file: give each output its own file\n`);
  assert.ok(!existsSync(a));
  writeFileSync(join(dir, "target.out"), "keep");
  symlinkSync(join(dir, "target.out"), join(dir, "alias.out"));
  const l = await hotmess(["analyze", traces, "--json", join(dir, "target.out"), "--html", join(dir, "alias.out")]);
  assert.equal(l.code, 1);
  assert.match(l.err, /are the same file/);
  assert.equal(readFileSync(join(dir, "target.out"), "utf8"), "keep");
});

test("export: --out onto an input through a symbolic or a hard link is refused", async () => {
  const { traces, sym, hard } = inputs("export");
  for (const out of [sym, hard]) {
    const r = await hotmess(["export", traces, "--format", "json", "--out", out]);
    assert.equal(r.code, 1, out);
    assert.match(r.err, /^hotmess: --out \S+ is one of the inputs \(the input \S+t\.jsonl, through a (symbolic|hard) link\)/);
    assert.equal(readFileSync(traces, "utf8"), traceText);
  }
});

test("run: --json / --html onto --prompt-file, --prices or the --resume run file are refused before any request", async () => {
  const prompt = join(dir, "prompt.txt");
  writeFileSync(prompt, "How many eggs?");
  const prices = join(dir, "prices.json");
  writeFileSync(prices, JSON.stringify({ m: { input: 1, output: 2 } }));
  // a run file cut short (a torn last line, which --resume would cut off)
  const runs = join(dir, "runs");
  fake.setDefault({ kind: "ok", text: ["Answer: 18"] });
  const made = await hotmess(["run", "--prompt", "eggs?", "-n", "2", "--provider", "openai", "--model", "m", "--base-url", `${fake.url}/v1`, "--out", runs]);
  assert.equal(made.code, 0, made.err);
  const runFile = join(runs, readdirSync(runs)[0]!);
  appendFileSync(runFile, '{"type":"sample","ind');
  const runText = readFileSync(runFile, "utf8");

  const base = ["--provider", "openai", "--model", "m", "--base-url", `${fake.url}/v1`, "--out", runs];
  const requests = fake.requests.length;
  const cases: [string[], RegExp][] = [
    [["run", "--prompt-file", prompt, "-n", "2", ...base, "--json", prompt], /^hotmess: --json \S+prompt\.txt is one of the inputs \(the prompt file \S+prompt\.txt\)/],
    [["run", "--prompt", "x", "-n", "2", ...base, "--prices", prices, "--html", prices], /^hotmess: --html \S+prices\.json is one of the inputs \(the price table \S+prices\.json\)/],
    [["run", "--resume", runFile, "-n", "3", "--json", runFile], /^hotmess: --json \S+\.jsonl is one of the inputs \(the run file \S+\.jsonl\)/],
  ];
  for (const [args, re] of cases) {
    const r = await hotmess(args);
    assert.equal(r.code, 1, args.join(" "));
    assert.match(r.err, re);
    assert.match(r.err, NEVER);
  }
  assert.equal(fake.requests.length, requests, "no request was sent");
  assert.equal(readFileSync(prompt, "utf8"), "How many eggs?");
  assert.equal(readFileSync(runFile, "utf8"), runText, "the run file is untouched (its torn line not even cut off)");
  assert.equal(readdirSync(runs).length, 1, "no new run file");
  fake.setDefault({ kind: "ok" });
});

test("bench: --json and --html (or its default, OUT/report.html) onto one file are refused before the benchmark runs", async () => {
  const out = join(dir, "bench-same");
  const same = join(dir, "b.out");
  const a = await hotmess(["bench", "optimizer", "-n", "2", "--difficulty", "easy", "--sim-speed", "0", "--out", out, "--json", same, "--html", same]);
  assert.equal(a.code, 1);
  assert.match(a.err, /^hotmess: --json \S+b\.out and --html \S+b\.out are the same file/);
  const b = await hotmess(["bench", "optimizer", "-n", "2", "--difficulty", "easy", "--sim-speed", "0", "--out", out, "--json", join(out, "report.html")]);
  assert.equal(b.code, 1);
  assert.match(b.err, /^hotmess: --json \S+report\.html and --html \S+report\.html are the same file/);
  assert.ok(!existsSync(out), "nothing was run or written");
});

test("an output under /proc fails at once (it used to hang): the path and the reason, < 2 s, before any work or request", async () => {
  const { traces } = inputs("proc");
  const requests = fake.requests.length;
  const cases: [string[], RegExp, string?][] = [
    // the demo writes under the working folder
    [["demo"], /^hotmess: cannot write run files to \/proc\/out\/demo\/runs: \/proc is not writable \(ENOENT: /, "/proc"],
    [["bench", "optimizer", "-n", "2", "--difficulty", "easy", "--out", "/proc/x"], /^hotmess: cannot write run files to \/proc\/x: \/proc is not writable \(ENOENT: /],
    [["run", "--prompt", "x", "-n", "2", "--provider", "openai", "--model", "m", "--base-url", `${fake.url}/v1`, "--out", "/proc/x"], /^hotmess: cannot write run files to \/proc\/x: \/proc is not writable/],
    [["export", traces, "--format", "html", "--out", "/proc/x"], /^hotmess: cannot write \/proc\/x: \/proc is not writable/],
    [["analyze", traces, "--json", "/proc/x"], /^hotmess: cannot write \/proc\/x: \/proc is not writable/],
    [["analyze", traces, "--html", "/proc/x/report.html"], /^hotmess: cannot write \/proc\/x\/report\.html: no such directory \/proc\/x \(create it first\)/],
  ];
  for (const [args, re, cwd] of cases) {
    const r = await bin(args, { OPENAI_API_KEY: KEY }, cwd);
    assert.equal(r.code, 1, `${args.join(" ")}: exit ${r.code} after ${r.seconds} s: ${r.err}`);
    assert.ok(r.seconds < 2, `${args.join(" ")}: ${r.seconds} s`);
    assert.match(r.err, re);
    assert.equal(r.err.trim().split("\n").length, 1, `one line: ${r.err}`);
    assert.equal(r.out, "", "no work was done");
  }
  assert.equal(fake.requests.length, requests, "no request was sent");
});

test("the common reasons: no such directory, a directory given as a file, a file given as a directory", async () => {
  const { traces } = inputs("reasons");
  const file = join(dir, "plain.txt");
  writeFileSync(file, "x");
  mkdirSync(join(dir, "adir"));
  const requests = fake.requests.length;
  const runArgs = ["run", "--prompt", "x", "-n", "2", "--provider", "openai", "--model", "m", "--base-url", `${fake.url}/v1`];
  const cases: [string[], string][] = [
    [["analyze", traces, "--json", "/nope/a.json"], "hotmess: cannot write /nope/a.json: no such directory /nope (create it first)\n"],
    [["analyze", traces, "--html", join(dir, "adir")], `hotmess: cannot write ${join(dir, "adir")}: it is a directory (give a file name)\n`],
    [["analyze", traces, "--json", join(file, "a.json")], `hotmess: cannot write ${join(file, "a.json")}: ${file} is a file, not a directory\n`],
    [["export", traces, "--format", "md", "--out", join(dir, "adir")], `hotmess: cannot write ${join(dir, "adir")}: it is a directory (give a file name)\n`],
    // a run must not sample for an hour and then fail to write its analysis
    [[...runArgs, "--out", join(dir, "r"), "--json", "/nope/a.json"], "hotmess: cannot write /nope/a.json: no such directory /nope (create it first)\n"],
    [[...runArgs, "--out", join(dir, "r"), "--html", join(dir, "adir")], `hotmess: cannot write ${join(dir, "adir")}: it is a directory (give a file name)\n`],
    [[...runArgs, "--out", file], `hotmess: cannot write run files to ${file}: it is a file, not a directory\n`],
    [[...runArgs, "--out", join(file, "runs")], `hotmess: cannot write run files to ${join(file, "runs")}: ${file} is a file, not a directory\n`],
    [["bench", "optimizer", "-n", "2", "--out", join(dir, "b"), "--html", "/nope/r.html"], "hotmess: cannot write /nope/r.html: no such directory /nope (create it first)\n"],
  ];
  for (const [args, message] of cases) {
    const r = await hotmess(args);
    assert.equal(r.code, 1, args.join(" "));
    assert.equal(r.err, message);
    assert.equal(r.out, "", `${args.join(" ")}: no work was done`);
  }
  assert.equal(fake.requests.length, requests, "no request was sent");
  assert.ok(!existsSync(join(dir, "b")) && !existsSync(join(dir, "r")), "no run directory was made for a run that was refused");
});

test("- is standard output where a flag says so (--json, export --out); --html - is refused instead of writing a file named -", async () => {
  const { traces, folder } = inputs("dash");
  process.chdir(folder);
  try {
    const r = await hotmess(["analyze", traces, "--html", "-"]);
    assert.equal(r.code, 1);
    assert.equal(r.err, "hotmess: --html writes a file, not standard output: give a file name (see hotmess analyze --help)\n");
    assert.ok(!existsSync(join(folder, "-")), "no file named -");
    const b = await hotmess(["bench", "optimizer", "-n", "2", "--provider", "simulated", "--difficulty", "easy", "--sim-speed", "0", "--out", join(folder, "bench"), "--json", "-"]);
    assert.equal(b.code, 0, b.err);
    assert.equal(JSON.parse(b.out).schema, "hotmess.analysis/1", "bench --json - writes the document to standard output");
    assert.ok(!existsSync(join(folder, "-")), "no file named -");
  } finally {
    process.chdir(dir);
  }
});

test("an output in the run folder the run will make is fine: --out new --json new/a.json, bench --html new/view.html", async () => {
  const folder = join(dir, "new-run");
  fake.setDefault({ kind: "ok", text: ["Answer: 18"] });
  const r = await hotmess(["run", "--prompt", "eggs?", "-n", "2", "--provider", "openai", "--model", "m", "--base-url", `${fake.url}/v1`, "--out", folder, "--json", join(folder, "a.json")]);
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(readFileSync(join(folder, "a.json"), "utf8")).schema, "hotmess.analysis/1");
  fake.setDefault({ kind: "ok" });
  const bench = join(dir, "new-bench");
  const b = await hotmess(["bench", "optimizer", "-n", "2", "--provider", "simulated", "--difficulty", "easy", "--sim-speed", "0", "--out", bench, "--html", join(bench, "view.html")]);
  assert.equal(b.code, 0, b.err);
  assert.ok(existsSync(join(bench, "view.html")));
  // a symbolic link to nothing as the output file is replaced, as the atomic write does
  symlinkSync(join(dir, "nowhere", "x.json"), join(dir, "dangling.json"));
  const d = await hotmess(["analyze", inputs("in-dangling").traces, "--json", join(dir, "dangling.json")]);
  assert.equal(d.code, 0, d.err);
  // a folder of the path that is one is named
  symlinkSync(join(dir, "nowhere"), join(dir, "gone"));
  const g = await hotmess(["analyze", inputs("in-gone").traces, "--json", join(dir, "gone", "a.json")]);
  assert.equal(g.code, 1);
  assert.equal(g.err, `hotmess: cannot write ${join(dir, "gone", "a.json")}: ${join(dir, "gone")} is a symbolic link to nothing\n`);
});
