// The self-contained HTML report (src/report/html.ts) and the pure parts of the comparison view
// (webview/format.ts, webview/model.ts, webview/diff.ts, webview/virtual.ts). What the page looks
// like and how fast it is in a browser is checked by test/e2e/report-screenshot.ts.
import { ensembleVerdict } from "../src/core/headline";
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeRecords, analyzeTraceSet } from "../src/core";
import type { Analysis } from "../src/core";
import { jsonForScript, loadReportAssets, renderReportHtml, reportCsp, writeReportHtml } from "../src/report/html";
import { answerLabel, fmt, fmtCi, fmtSigned, fmtSig, truncate } from "../webview/format";
import { diffWords, MAX_CELLS, tokenize, worthShowing } from "../webview/diff";
import { agreeing, classKey, consensusStep, filterRuns, promptModel, runOrder, stepsText, stretches } from "../webview/model";
import { RowLayout } from "../webview/virtual";

const root = join(__dirname, "..");
const EVIL = "</script><script>alert(1)</script>";
const NONCE = "dGVzdC1ub25jZQ==";
const assets = { webviewJs: "console.log('view');", css: "body { color: red; }" };

function hostile(): Analysis {
  return analyzeRecords([
    {
      id: `evil ${EVIL}`,
      prompt: `What is 2 + 2? <!-- ${EVIL} \u2028 & <b>`,
      model: "<img src=x onerror=alert(2)>",
      reference: 4,
      samples: [
        { text: `2 + 2 = 4\n${EVIL}\nAnswer: 4` },
        { text: "2 + 2 = 4\nAnswer: 4" },
        { text: `2 + 2 = 5\n${EVIL}`, answer: EVIL },
      ],
    },
  ]);
}

/** The text of the <script type="application/json" id="hotmess-data"> element, as a browser reads it. */
function dataScript(html: string): string {
  const m = html.match(/<script type="application\/json" id="hotmess-data"[^>]*>([\s\S]*?)<\/script>/);
  assert.ok(m, "the data script is present");
  return m[1]!;
}

test("the page has a strict CSP with a nonce, and every script and style carries it", () => {
  const html = renderReportHtml(hostile(), { ...assets, nonce: NONCE });
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${reportCsp(NONCE)}">`));
  assert.equal(reportCsp(NONCE), `default-src 'none'; img-src data:; style-src 'nonce-${NONCE}'; script-src 'nonce-${NONCE}'`);
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  assert.equal(scripts.length, 2, "the data and the bundle");
  for (const s of scripts) assert.ok(s.includes(`nonce="${NONCE}"`), s);
  const styles = html.match(/<style\b[^>]*>/g) ?? [];
  assert.equal(styles.length, 1);
  assert.ok(styles[0]!.includes(`nonce="${NONCE}"`));
  assert.doesNotMatch(html, /\sstyle\s*=/i, "no inline style attributes");
  // The data comes first, then the bundle that reads it.
  assert.ok(html.indexOf('id="hotmess-data"') < html.indexOf("console.log('view')"));
});

test("each render gets a fresh random nonce unless one is given", () => {
  const a = renderReportHtml(hostile(), assets).match(/'nonce-([^']+)'/)![1];
  const b = renderReportHtml(hostile(), assets).match(/'nonce-([^']+)'/)![1];
  assert.ok(a && b && a !== b && a.length >= 16);
  assert.throws(() => renderReportHtml(hostile(), { ...assets, nonce: `x" onload="alert(1)` }), /nonce/);
});

test("model text stays inert: </script> inside a trace cannot leave the JSON", () => {
  const analysis = hostile();
  const html = renderReportHtml(analysis, { ...assets, nonce: NONCE });
  // Exactly two script elements close: no trace text ended one early.
  assert.equal(html.match(/<\/script/gi)!.length, 2);
  assert.ok(!html.includes("<script>alert"), "no script element from model text");
  assert.ok(!html.includes("<img"), "no element from model text");
  const data = dataScript(html);
  assert.ok(!/[<>]/.test(data), "< and > are escaped inside the JSON");
  assert.ok(!data.includes("\u2028"));
  // The escapes read back to the very same document.
  assert.deepEqual(JSON.parse(data), JSON.parse(JSON.stringify(analysis)));
  const runs = (JSON.parse(data) as Analysis).prompts[0]!.runs;
  assert.ok(runs.some((r) => r.steps.some((s) => s.text === EVIL)), "the hostile step survives as text");
  // The title is escaped as HTML.
  assert.match(html, /<title>Hot Mess Inspector · evil &lt;\/script&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/title>/);
});

test("jsonForScript escapes what could end or alter the element, and JSON.parse reads it back", () => {
  const value = { a: "</script>", b: "<!-- x -->", c: "a & b", d: "\u2028\u2029", e: [1, 2.5, null, true] };
  const s = jsonForScript(value);
  assert.ok(!/[<>&\u2028\u2029]/.test(s));
  assert.deepEqual(JSON.parse(s), value);
});

test("an inlined bundle or stylesheet cannot close its element early; its source-map comment is dropped", () => {
  const html = renderReportHtml(hostile(), {
    webviewJs: 'var s = "</script><!-- x";\nvar t = "</SCRIPT>";\n//# sourceMappingURL=webview.js.map\n',
    css: 'body::after { content: "</style>"; }\n/*# sourceMappingURL=webview.css.map */',
    nonce: NONCE,
  });
  assert.equal(html.match(/<\/script/gi)!.length, 2);
  assert.equal(html.match(/<\/style/gi)!.length, 1);
  assert.ok(html.includes('var s = "<\\/script><\\!-- x";'));
  assert.ok(!html.includes("sourceMappingURL"));
});

test("a real document round-trips through the page", () => {
  const analysis = analyzeTraceSet(readFileSync(join(root, "examples", "word-problems.jsonl"), "utf8"));
  const html = renderReportHtml(analysis, { ...assets, nonce: NONCE, title: "Word problems" });
  assert.ok(html.includes("<title>Word problems</title>"));
  assert.deepEqual(JSON.parse(dataScript(html)), JSON.parse(JSON.stringify(analysis)));
});

test("the built view loads no external resource and uses nothing of Node", () => {
  const real = loadReportAssets();
  assert.ok(real.webviewJs.length > 10_000, "dist/webview.js is the bundle");
  assert.ok(real.css.includes("--vscode-editor-background"), "the stylesheet reads the VS Code theme");
  const full = renderReportHtml(hostile(), { ...real, nonce: NONCE });
  // The page less the (escaped, inert) document: the markup, the stylesheet and the bundle.
  const html = full.replace(dataScript(full), "");
  const none = (re: RegExp, text: string, what: string) => {
    const m = text.match(re);
    assert.equal(m, null, `${what}: ${m ? text.slice(Math.max(0, m.index! - 40), m.index! + 40) : ""}`);
  };
  none(/<(link|img|iframe|object|embed|base)\b/i, html, "a loading element");
  none(/\s(src|href|srcset|action)\s*=/i, html, "a loading attribute");
  none(/url\(|@import/i, real.css, "a stylesheet load");
  none(/\bimportScripts\b|\bfetch\(|XMLHttpRequest|new WebSocket|\brequire\(/, real.webviewJs, "a network or Node call");
  // The only addresses are in the licence comments that esbuild keeps at the end.
  for (const line of html.split("\n").filter((l) => /https?:\/\//.test(l))) assert.match(line, /^\s*\*\s/, line);
  assert.equal(full.match(/<\/script/gi)!.length, 2);
});

test("writeReportHtml writes the whole page atomically, leaving no temporary file", () => {
  const dir = mkdtempSync(join(tmpdir(), "hotmess-report-"));
  const file = join(dir, "report.html");
  writeReportHtml(file, hostile(), { assets });
  writeReportHtml(file, hostile(), { assets, title: "again" });
  assert.deepEqual(readdirSync(dir), ["report.html"]);
  const html = readFileSync(file, "utf8");
  assert.ok(html.includes("<title>again</title>") && html.trimEnd().endsWith("</html>"));
  assert.throws(() => writeReportHtml(join(dir, "missing", "r.html"), hostile(), { assets }));
  assert.deepEqual(readdirSync(dir), ["report.html"]);
});

test("display formatting rounds only for display", () => {
  assert.equal(fmt(0.76666), "0.767");
  assert.equal(fmt(null), "—");
  assert.equal(fmt(-0.0001), "0.000");
  assert.equal(fmt(Number.NaN), "—");
  assert.equal(fmtCi([0.5556, 0.99999]), "[0.556–1.000]");
  assert.equal(fmtCi(null), "");
  assert.equal(fmtSigned(0.0123), "+0.012");
  assert.equal(fmtSigned(-0.0344), "−0.034");
  assert.equal(fmtSig(0.000123), "1.23e-4");
  assert.equal(fmtSig(0.0123), "0.0123");
  assert.equal(answerLabel({ key: null }), "(no answer)");
  assert.equal(answerLabel({ key: "18" }), "18");
  assert.equal(truncate("a  b\nc", 10), "a b c");
  assert.equal(truncate("one two three four five six", 20), "one two three four…");
  assert.equal(truncate("abcdefghijkl", 6), "abcde…");
});

test("the view's model: which column holds each step, run order by answer, the steps as text", () => {
  const a = analyzeTraceSet(readFileSync(join(root, "examples", "word-problems.jsonl"), "utf8"));
  for (const p of a.prompts) {
    const m = promptModel(p);
    p.columns.forEach((col, j) =>
      col.cells.forEach((c) => {
        if (c.step !== null) assert.equal(m.stepColumn[m.runPos.get(c.run)!]![c.step], j);
      }),
    );
    assert.ok(m.stepColumn.every((cols) => cols.every((j) => j >= 0)), "every step sits in a column");
    assert.equal(m.classSlot[0], p.answers[0]!.reference ? "ref" : m.classSlot[0]);
    const byAnswer = runOrder(p, "answer");
    assert.deepEqual([...byAnswer].sort((x, y) => x - y), runOrder(p, "index"));
    for (let i = 1; i < byAnswer.length; i++) assert.ok(p.runs[byAnswer[i - 1]!]!.answerClass <= p.runs[byAnswer[i]!]!.answerClass);
    for (const r of p.runs) assert.deepEqual(stepsText(r).split(/\n+/), r.steps.map((s) => s.text.split("\n")).flat().filter((t) => t));
  }
});

/** The changed stretches of a diff, trimmed, for readable assertions. */
const changedOf = (text: string, base: string) =>
  diffWords(text, base)
    .segments.filter((x) => x.changed)
    .map((x) => x.text.trim());

test("the word diff marks the words and numbers that are not in the consensus step", () => {
  // a slip carried through: only the numbers differ
  assert.deepEqual(changedOf("It sells 15 lamps, so 35 - 15 = 22 remain.", "It sells 15 lamps, so 35 - 15 = 20 remain."), ["22"]);
  assert.deepEqual(changedOf("A delivery brings 11 more, so 22 + 11 = 33 lamps.", "A delivery brings 11 more, so 20 + 11 = 31 lamps."), ["22", "33"]);
  // words too, and a run of changed words is one stretch (the space between them included)
  assert.deepEqual(changedOf("Restocking adds 11: 20 + 11 = 31.", "A delivery brings 11 more, so 20 + 11 = 31 lamps."), ["Restocking adds", ":"]);
  // case and spacing are not differences; decimals and thousands are one number
  assert.deepEqual(changedOf("THE  total is 1,250.5", "the total is 1,250.5"), []);
  assert.deepEqual(changedOf("x = 3.14", "x = 3.15"), ["3.14"]);
  // identical: nothing marked; empty consensus: everything
  assert.deepEqual(changedOf("same words here", "same words here"), []);
  assert.deepEqual(changedOf("anything at all", ""), ["anything at all"]);
});

test("the word diff gives the text back exactly, segment by segment", () => {
  const cases = [
    ["  Leading and trailing  \n spaces, tabs\tand lines ", "leading spaces and lines"],
    ["Answer: <script>alert(1)</script> & done", "Answer: 4"],
    ["Ünïcödé wörds – 3×4 = 12 ✓", "Unicode words - 3*4 = 12"],
    ["", "nothing"],
  ] as const;
  for (const [text, base] of cases) {
    const d = diffWords(text, base);
    assert.equal(d.segments.map((x) => x.text).join(""), text);
    for (let i = 1; i < d.segments.length; i++) assert.notEqual(d.segments[i]!.changed, d.segments[i - 1]!.changed, "adjacent segments alternate");
  }
  assert.deepEqual(
    tokenize("can't 1,000.5 x_1").map((t) => t.text),
    ["can't", " ", "1,000.5", " ", "x", "_", "1"],
  );
});

test("the word diff is bounded: past its table size the middle is marked changed without one", () => {
  // n distinct words of letters only (digits would be tokens of their own)
  const letter = (k: number) => String.fromCharCode(97 + (k % 26));
  const words = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${letter(i)}${letter(i / 26)}`).join(" ");
  // a common head and tail are found without the table
  const head = "Step one: we have";
  const d = diffWords(`${head} ${words(400, "a")} end.`, `${head} ${words(400, "b")} end.`, 1000);
  assert.equal(d.capped, true);
  assert.equal(d.segments[0]!.text, `${head} `);
  assert.equal(d.segments[0]!.changed, false);
  assert.equal(d.segments[d.segments.length - 1]!.text, " end.");
  // within the bound the same input is diffed word by word, and fast
  const t = performance.now();
  for (let i = 0; i < 200; i++) diffWords(words(200, "w") + " x", words(200, "w") + " y");
  assert.ok(performance.now() - t < 1000, "200 diffs of 200-word steps in well under a second");
  const big = diffWords(words(240, "a"), words(240, "a").replace("ahb ", "zzz "), MAX_CELLS);
  assert.equal(big.capped, false);
  assert.deepEqual(big.segments.filter((x) => x.changed).map((x) => x.text), ["ahb"]);
});

test("a word diff is shown when the step shares enough with the consensus", () => {
  assert.ok(worthShowing(diffWords("It sells 15 lamps, so 35 - 15 = 22 remain.", "It sells 15 lamps, so 35 - 15 = 20 remain.")));
  assert.ok(!worthShowing(diffWords("Let me double-check the muffins.", "She sells 9 eggs at $2 each: 9 * 2 = 18 dollars.")), "nothing in common: another step");
  assert.ok(!worthShowing(diffWords("same", "same")), "nothing changed");
});

test("the view's model: consensus steps, agreeing stretches, filters by answer class", () => {
  const a = analyzeRecords([
    {
      id: "p",
      reference: 10,
      samples: [
        { text: "Start here.\nWe have 4 apples.\nWe buy 6 more.\n4 + 6 = 10\nAnswer: 10" },
        { text: "Start here.\nWe have 4 apples.\nWe buy 6 more.\n4 + 6 = 10\nAnswer: 10" },
        { text: "Start here.\nWe have 4 apples.\nWe buy 6 more.\n4 + 6 = 10\nAnswer: 10" },
        { text: "Start here.\nWe have 4 apples.\nWe buy 6 more.\n4 + 5 = 9\nAnswer: 9" },
      ],
    },
  ]);
  const p = a.prompts[0]!;
  const m = promptModel(p);
  assert.equal(m.consensus.length, p.columns.length);
  p.columns.forEach((col, j) => {
    const base = consensusStep(col, p, m.runPos);
    assert.equal(m.consensus[j], base);
    // the consensus is a step of group 0
    assert.ok(col.cells.some((c) => c.group === 0 && c.step !== null && p.runs[m.runPos.get(c.run)!]!.steps[c.step]!.text === base));
  });
  const sum = p.columns.findIndex((col) => col.groups > 1 && col.cells.some((c) => c.step !== null && /4 \+/.test(p.runs[c.run]!.steps[c.step]!.text)));
  assert.ok(sum >= 0, "the sum is a column with two groups");
  assert.equal(m.consensus[sum], "4 + 6 = 10");
  const all = runOrder(p, "index");
  const flags = agreeing(m, all);
  assert.equal(flags[sum], false);
  assert.deepEqual(flags.slice(0, 3), [true, true, true], "the first three steps agree");
  assert.deepEqual(stretches(flags, 3), [[0, sum - 1]]);
  // the wrong run alone agrees with itself nowhere it is outside the consensus
  const wrong = filterRuns(m, all, new Set([classKey({ key: "9" })]));
  assert.deepEqual(wrong.map((pos) => p.runs[pos]!.index), [3]);
  assert.equal(agreeing(m, wrong)[sum], false);
  const right = filterRuns(m, all, new Set([classKey(p.answers.find((x) => x.reference)!)]));
  assert.equal(right.length, 3);
  assert.ok(agreeing(m, right).slice(0, sum + 1).every(Boolean) || sum === p.forkColumn, "the right runs agree up to the sum");
  // a filter that matches no run shows them all; no filter too
  assert.deepEqual(filterRuns(m, all, new Set(["=nothing"])), all);
  assert.deepEqual(filterRuns(m, all, new Set()), all);
  assert.equal(classKey({ key: null }), "none");
  assert.notEqual(classKey({ key: "none" }), classKey({ key: null }));
});

test("stretches: maximal runs of at least min", () => {
  const f = (s: string) => [...s].map((c) => c === "=");
  assert.deepEqual(stretches(f("===x==x====x"), 3), [
    [0, 2],
    [7, 10],
  ]);
  assert.deepEqual(stretches(f("=="), 3), []);
  assert.deepEqual(stretches(f("==="), 3), [[0, 2]]);
  assert.deepEqual(stretches([], 3), []);
});

test("the virtualised rows' geometry: estimates, measured heights, the rows a band covers", () => {
  const l = new RowLayout([10, 20, 30, 40]);
  assert.equal(l.total(), 100);
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => l.top(i)), [0, 10, 30, 60, 100]);
  assert.equal(l.indexAt(0), 0);
  assert.equal(l.indexAt(29.9), 1);
  assert.equal(l.indexAt(30), 2);
  assert.equal(l.indexAt(1e9), 3);
  assert.equal(l.indexAt(-5), 0);
  assert.deepEqual(l.range(15, 65), [1, 3]);
  assert.equal(l.isMeasured(1), false);
  assert.equal(l.set(1, 25), true, "a new height changes the layout");
  assert.equal(l.set(1, 25.2), false, "half a pixel does not");
  assert.equal(l.isMeasured(1), true);
  assert.equal(l.top(2), 35);
  assert.equal(l.total(), 105);
  assert.equal(l.set(9, 10), false, "out of range");
  assert.deepEqual(new RowLayout([]).range(0, 100), [0, -1]);
  // 1000 rows: a lookup is a binary search, a change re-adds from the changed row on
  const big = new RowLayout(Array.from({ length: 1000 }, () => 50));
  assert.equal(big.indexAt(25_010), 500);
  big.set(0, 100);
  assert.equal(big.indexAt(25_010), 499);
});

test("the view model's headline: the estimate with its interval or the caveat, the reruns to ±0.05, the majority vote", async () => {
  const { headline, headlineModel } = await import("../webview/model");
  const rec = (id: string, answers: number[]) => ({ id, reference: 4, samples: answers.map((a) => ({ text: `Answer: ${a}`, answer: a })) });
  const a = analyzeRecords([rec("ten", [4, 4, 5, 6, 4, 7, 4, 4, 8, 4]), rec("three", [4, 4, 5]), rec("right", [4, 4, 4, 4, 4]), { id: "none", samples: [{ text: "Answer: 1" }, { text: "Answer: 2" }] }]);
  const [ten, three, right, none] = a.prompts;
  // the headline is the estimate (0.833 here), never the plug-in (0.750)
  assert.equal(headline(ten!), ten!.brier!.estimate);
  assert.notEqual(headline(ten!), ten!.brier!.incoherence);
  const m = headlineModel(ten!);
  const ci = ten!.brier!.ci95!;
  assert.equal(m.text, `${ten!.brier!.estimate!.toFixed(3)} [${ci[0].toFixed(3)}–${ci[1].toFixed(3)}]`);
  assert.equal(m.caveat, null);
  assert.equal(m.reruns, `≈ ${ten!.reruns!.more!.toLocaleString("en-US")} more reruns to get the interval under ±0.05`);
  assert.equal(m.ensemble, `majority of 1 / 3 / 5 / 10 reruns: incoherence ${ten!.ensemble!.map((r) => r.incoherence!.toFixed(2)).join(" → ")}, accuracy ${ten!.ensemble!.map((r) => `${Math.round(100 * r.accuracy)}%`).join(" → ")}`);
  assert.equal(m.verdict, ensembleVerdict(ten!.ensemble));
  const t = headlineModel(three!);
  assert.equal(t.caveat, "n = 3: too few reruns for an interval; 8+ recommended");
  assert.equal(t.text, `${three!.brier!.estimate!.toFixed(3)} (n = 3: too few reruns for an interval; 8+ recommended)`);
  assert.match(t.reruns!, /^≈ [\d,]+ more reruns to get the interval under ±0\.05$/);
  assert.deepEqual({ ...headlineModel(right!), ensemble: null }, { text: null, caveat: null, reruns: null, ensemble: null, verdict: "every rerun is right already" });
  assert.deepEqual(headlineModel(none!), { text: null, caveat: null, reruns: null, ensemble: null, verdict: null });
});
