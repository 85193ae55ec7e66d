// The self-contained HTML report (src/report/html.ts) and the pure parts of the comparison view
// (webview/format.ts, webview/model.ts). What the page looks like in a browser is checked by
// test/e2e/report-screenshot.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeRecords, analyzeTraceSet } from "../src/core";
import type { Analysis } from "../src/core";
import { jsonForScript, loadReportAssets, renderReportHtml, reportCsp, writeReportHtml } from "../src/report/html";
import { answerLabel, fmt, fmtCi, fmtSigned, fmtSig, truncate } from "../webview/format";
import { promptModel, runOrder, stepsText } from "../webview/model";

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
