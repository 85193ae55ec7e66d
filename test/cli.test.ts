// The `hotmess analyze` command: output, exit status and messages, in process and as the
// installed bin.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { Writable } from "node:stream";
import { main, PROGRESS_BYTES, type Io } from "../src/cli/main";
import type { Analysis } from "../src/core";

class Capture extends Writable {
  text = "";
  isTTY?: boolean;
  columns?: number;
  constructor(tty = false) {
    super();
    if (tty) {
      this.isTTY = true;
      this.columns = 100;
    }
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

async function run(args: string[], opts: { ttyErr?: boolean } = {}) {
  const stdout = new Capture();
  const stderr = new Capture(opts.ttyErr);
  const io: Io = { stdout, stderr, env: {} };
  const code = await main(args, io);
  return { code, out: stdout.text, err: stderr.text };
}

const dir = mkdtempSync(join(tmpdir(), "hotmess-cli-"));
function file(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

const prompt = (id: string, answers: (string | number)[], reference: string | number | undefined = 18) =>
  JSON.stringify({
    id,
    prompt: "How many?",
    ...(reference === undefined ? {} : { reference }),
    samples: answers.map((a, i) => ({ text: `Step one.\n${i % 2 ? "16 - 3 = 13" : "3 + 10 = 13"}\nAnswer: ${a}`, answer: a })),
  });

const good = file("good.jsonl", [prompt("p1", [18, 18, 20, 21]), prompt("p2", [18, 18, 18, 18]), prompt("p3", [5, 5, 5, 5])].join("\n") + "\n");

test("analyze prints the per-prompt table, the pooled figures and the length split", async () => {
  const r = await run(["analyze", good]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, "");
  const lines = r.out.split("\n");
  assert.match(lines[0]!, /prompt\s+n\s+answers\s+bias²\s+variance\s+error\s+incoherence \[95% CI\]\s+to get the CI under ±0\.05\s+fork/);
  // p1: classes 18 (ref, 2), 20, 21 → p_ref = .5; bias² = .25 + .0625·2 = .375; variance = 1 − (.25 + .125) = .625; error 1.
  // The headline is the estimate, not the plug-in .625: pairs of distinct reruns that disagree,
  // 1 − 2/12 = .833, over the error 1; with 4 reruns the caveat stands where the interval would
  const caveat = "\\(n = 4: too few reruns for an interval; 8\\+ recommended\\)";
  assert.match(r.out, new RegExp(`p1\\s+4\\s+3 \\(50% ✓\\)\\s+0\\.375\\s+0\\.625\\s+1\\.000\\s+0\\.833 ${caveat}\\s+≈ [\\d,]+ more reruns\\s+col`));
  // p2: all correct: no error to split, incoherence shown as —, and no reruns projection
  assert.match(r.out, /p2\s+4\s+1 \(100% ✓\)\s+0\.000\s+0\.000\s+0\.000\s+—\s+—\s+col/);
  // p3: all agree on one wrong answer (a paperclip): bias² = (1 − 0)² + 1² = 2, variance 0,
  // incoherence 0; one answer class holds runs (the reference class is empty)
  assert.match(r.out, new RegExp(`p3\\s+4\\s+1 \\(0% ✓\\)\\s+2\\.000\\s+0\\.000\\s+2\\.000\\s+0\\.000 ${caveat}`));
  assert.doesNotMatch(r.out, /\b0\.625 \[/, "the plug-in is never shown as the headline");
  assert.match(r.out, /Pooled over 3 of 3 prompts/);
  // pooled Brier: the estimate Σ varianceUnbiased / Σ error = (.833 + 0 + 0) / (1 + 0 + 2) with
  // its interval, then the plug-in Σ variance / Σ error = (.625 + 0 + 0) / (1 + 0 + 2), explained
  assert.match(r.out, new RegExp(`brier\\s+\\S+\\s+\\S+\\s+\\S+\\s+${(2.5 / 9).toFixed(3)} \\[\\d\\.\\d{3}–\\d\\.\\d{3}\\]\\s+${(0.625 / 3).toFixed(3)}\\n`));
  assert.match(r.out, /plug-in: Σ variance \/ Σ error as the paper computes it/);
  assert.match(r.out, /Length split/);
});

test("analyze: from 5 reruns the headline carries its interval; the table says how many more reruns reach ±0.05 and what a majority vote would do", async () => {
  const answers = [18, 18, 20, 21, 18, 22, 18, 18, 19, 18];
  const f = file("headline.jsonl", [prompt("ten", answers), prompt("five", answers.slice(0, 5))].join("\n") + "\n");
  const r = await run(["analyze", f]);
  assert.equal(r.code, 0, r.err);
  const a = JSON.parse((await run(["analyze", f, "--json", "-"])).out) as Analysis;
  for (const p of a.prompts) {
    const b = p.brier!;
    assert.ok(b.ci95, `${p.id} has an interval`);
    assert.equal(p.caveat, null);
    const cell = `${b.estimate!.toFixed(3)} [${b.ci95[0].toFixed(3)}–${b.ci95[1].toFixed(3)}]`;
    const more = p.reruns!.more!;
    assert.ok(more > 0, `${p.id}: the interval is wider than ±0.05`);
    const row = r.out.split("\n").find((l) => l.startsWith(p.id))!;
    assert.ok(row.includes(cell), `${p.id}'s row shows the estimate and its interval: ${row}`);
    assert.ok(row.includes(`≈ ${more.toLocaleString("en-US")} more reruns`), `${p.id}'s row says how many more reruns: ${row}`);
    const e = p.ensemble!;
    const vote = `${p.id}: majority of 1 / 3 / 5 / 10 reruns: incoherence ${e.map((x) => x.incoherence!.toFixed(2)).join(" → ")}, accuracy ${e.map((x) => `${Math.round(100 * x.accuracy)}%`).join(" → ")}`;
    assert.ok(r.out.includes(vote), `the majority-vote line of ${p.id}: ${vote}\n${r.out}`);
  }
  // ten reruns, 6 right, the 4 wrong ones all different: a majority of 10 is right 96% of the time
  assert.match(r.out, /ten: majority .* · (self-consistency would fix this prompt|a majority vote helps but does not fix it)/);
});

test("--json - writes one hotmess.analysis/1 document to stdout and nothing else", async () => {
  const r = await run(["analyze", good, "--json", "-"]);
  assert.equal(r.code, 0);
  const a = JSON.parse(r.out) as Analysis;
  assert.equal(a.schema, "hotmess.analysis/1");
  assert.deepEqual(
    a.prompts.map((p) => p.id),
    ["p1", "p2", "p3"],
  );
  assert.equal(a.prompts[1]!.brier!.incoherence, null);
  assert.equal(a.prompts[2]!.brier!.incoherence, 0);
  for (const p of a.prompts) for (const col of p.columns) assert.equal(col.cells.length, p.n);
});

test("--json FILE writes the document atomically and still prints the table", async () => {
  const out = join(dir, "out.json");
  const r = await run(["analyze", good, "--json", out]);
  assert.equal(r.code, 0);
  assert.match(r.out, /Pooled over/);
  assert.match(r.err, /wrote .*out\.json/);
  const a = JSON.parse(readFileSync(out, "utf8")) as Analysis;
  assert.equal(a.prompts.length, 3);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith(".tmp")),
    [],
    "no temporary file left behind",
  );
});

test("the same seed prints the same intervals; another seed may not", async () => {
  const answers = Array.from({ length: 40 }, (_, i) => [18, 18, 20, 21, 22, 18, 23][i % 7]!);
  const wide = file("wide.jsonl", [prompt("w1", answers), prompt("w2", answers.slice(5))].join("\n"));
  const a = JSON.parse((await run(["analyze", wide, "--json", "-", "--seed", "7"])).out) as Analysis;
  const b = JSON.parse((await run(["analyze", wide, "--json", "-", "--seed", "7"])).out) as Analysis;
  const c = JSON.parse((await run(["analyze", wide, "--json", "-", "--seed", "8"])).out) as Analysis;
  assert.deepEqual(a.prompts[0]!.brier!.ci95, b.prompts[0]!.brier!.ci95);
  assert.deepEqual(a.pooled.brier!.ci95, b.pooled.brier!.ci95);
  assert.notDeepEqual(a.pooled.brier!.ci95, c.pooled.brier!.ci95);
});

test("--reference-free ignores references: no incoherence, disagreement instead", async () => {
  const r = await run(["analyze", good, "--reference-free"]);
  assert.equal(r.code, 0);
  assert.match(r.out, /p1\s+4\s+3\s+—\s+—\s+—\s+no target · disagreement 0\.625/);
  assert.match(r.out, /No prompt has a reference answer or correctness flags/);
  const a = JSON.parse((await run(["analyze", good, "--reference-free", "--json", "-"])).out) as Analysis;
  assert.equal(a.prompts[0]!.brier, null);
  assert.equal(a.pooled.brier, null);
  assert.equal(a.prompts[0]!.disagreement, 0.625);
});

test("a malformed line is named by number and skipped, the rest analysed, exit 2", async () => {
  const f = file("bad.jsonl", [prompt("a", [18, 20]), "{not json", "", prompt("b", [18, 18]), JSON.stringify({ id: "c" }), prompt("a", [1])].join("\n"));
  const r = await run(["analyze", f]);
  assert.equal(r.code, 2);
  assert.match(r.err, /line 2: not valid JSON/);
  assert.match(r.err, /line 5: prompt "c": missing "samples"/);
  assert.match(r.err, /line 6: duplicate id "a" \(first on line 1\)/);
  assert.doesNotMatch(r.err, /line 3/);
  assert.match(r.out, /^a\s/m);
  assert.match(r.out, /^b\s/m);
  const j = await run(["analyze", f, "--json", "-"]);
  assert.equal(j.code, 2);
  const a = JSON.parse(j.out) as Analysis;
  assert.deepEqual(
    a.skipped.map((s) => s.line),
    [2, 5, 6],
  );
});

test("missing, empty, blank-only and unusable files: one clear line, exit 1, no stack trace", async () => {
  const cases: [string[], RegExp][] = [
    [["analyze", join(dir, "nope.jsonl")], /^hotmess: .*nope\.jsonl: no such file\n$/],
    [["analyze", file("empty.jsonl", "")], /^hotmess: .*empty\.jsonl is empty: a trace set has one JSON object per line/],
    [["analyze", file("blank.jsonl", "\n \n\n")], /^hotmess: .*blank\.jsonl has no content/],
    [["analyze", dir], /is a directory/],
    [["analyze"], /^hotmess: analyze needs a trace set/],
    [["analyze", good, "--jsn", "x"], /^hotmess: unknown option --jsn \(see hotmess analyze --help\)\n$/],
    [["analyze", good, "--seed", "x"], /--seed must be an integer/],
    [["frobnicate"], /unknown command "frobnicate"/],
  ];
  for (const [args, re] of cases) {
    const r = await run(args);
    assert.equal(r.code, 1, args.join(" "));
    assert.match(r.err, re);
    assert.doesNotMatch(r.err, /\n\s+at /, "no stack trace");
  }
  const unusable = file("unusable.jsonl", "[1,2]\n{\"id\":\"x\",\"samples\":[]}\n");
  const r = await run(["analyze", unusable]);
  assert.equal(r.code, 1);
  assert.match(r.err, /^hotmess: .*unusable\.jsonl: no usable prompt in 2 lines \(line 1: expected a JSON object, found an array; and 1 more\)\n$/);
});

test("a progress bar on stderr when a large input is analysed on a terminal", async () => {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < PROGRESS_BYTES + 1000; i++) {
    const l = prompt(`big-${i}`, [18, 20, 18, 21, 18, 22, 18, 18]);
    lines.push(l);
    size += l.length + 1;
  }
  const big = file("big.jsonl", lines.join("\n"));
  const tty = await run(["analyze", big, "--resamples", "10"], { ttyErr: true });
  assert.equal(tty.code, 0);
  assert.match(tty.err, /analysing \[[█░]+\]\s+\d+%/);
  assert.match(tty.err, /100%/);
  const piped = await run(["analyze", big, "--resamples", "10"]);
  assert.equal(piped.err, "", "no progress bar when stderr is not a terminal");
});

test("the installed bin runs: dist/cli.js with its shebang", () => {
  const bin = join(__dirname, "..", "dist", "cli.js");
  assert.ok(existsSync(bin), "dist/cli.js is built by `npm ci` (prepare) and `npm test`");
  assert.match(readFileSync(bin, "utf8"), /^#!\/usr\/bin\/env node\n/);
  const v = spawnSync(bin, ["--version"], { encoding: "utf8" });
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  const r = spawnSync(bin, ["analyze", good], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Pooled over 3 of 3 prompts/);
  const missing = spawnSync(bin, ["analyze", join(dir, "missing.jsonl")], { encoding: "utf8" });
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr.trim().split("\n").length, 1);
});

test("the README's example table is what `hotmess analyze examples/word-problems.jsonl` prints (its header and the ducks row)", async () => {
  const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
  const block = /```\n(prompt +n +answers[^\n]*)\n(ducks [^\n]*)\n```/.exec(readme);
  assert.ok(block, "the README has the example block");
  const r = await run(["analyze", join(__dirname, "..", "examples", "word-problems.jsonl")]);
  const lines = r.out.split("\n").map((l) => l.trimEnd());
  assert.ok(lines.includes(block[1]!.trimEnd()), `the header as printed:\n${lines[0]}`);
  assert.ok(lines.includes(block[2]!.trimEnd()), `the ducks row as printed:\n${lines.find((l) => l.startsWith("ducks"))}\nREADME:\n${block[2]}`);
});
