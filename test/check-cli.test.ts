// `hotmess check` (issue 17, "Gate"): thresholds held by the interval (the default), strictly or
// by the point on seeded run files; exit statuses (0 pass, 1 a threshold crossed, 2 a usage or
// input error); prompts that cannot be checked listed, never passed silently; JUnit XML parsed
// back (model text with <, &, ]]> and control characters in it); GitHub annotations and the job
// summary with GITHUB_ACTIONS in the Io's environment; the gate's seam for a baseline; the
// shared fixture.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, type Io } from "../src/cli/main";
import { gatePrompt, parsePassHatK, type CheckResult } from "../src/core/gate";
import { ghData, ghProperty, mdCell, xmlAttr, xmlText } from "../src/report/gate";
import type { Analysis } from "../src/core";
import { Capture } from "./support/capture";
import { sharedFixture, skipWithout } from "./support/fixtures";

const dir = mkdtempSync(join(tmpdir(), "hotmess-check-"));

interface RunOpts {
  id: string;
  reference?: string;
  answers: string[];
  texts?: string[];
  source?: { file: string; prompt: number; id?: string };
  status?: string;
  /** The n asked for (default: as many as the answers). */
  n?: number;
}

/** A run file of a prompt whose reruns answered `answers` (its text `6 × 7 = A\nAnswer: A` unless `texts` says otherwise). */
function runFile(name: string, o: RunOpts): string {
  const header = {
    type: "header",
    schema: "hotmess.run/1",
    id: o.id,
    createdAt: "2026-12-05T10:00:00.000Z",
    tool: { name: "hotmess", version: "0.1.0" },
    provider: "simulated",
    model: "simulated-reasoner",
    prompt: "What is 6 × 7?",
    ...(o.reference !== undefined ? { reference: o.reference } : {}),
    ...(o.source ? { source: o.source } : {}),
    parameters: { n: o.n ?? o.answers.length, maxTokens: 256, thinking: { type: "none" }, concurrency: 1 },
  };
  const sample = (index: number, a: string) => ({ type: "sample", index, text: o.texts?.[index] ?? `6 × 7 = ${a}\nAnswer: ${a}`, thinking: "", redactedThinking: 0, usage: { inputTokens: 10, outputTokens: 10 }, costUsd: null, latencyMs: 1, truncated: false, stopReason: "end_turn" });
  const lines: unknown[] = [header, ...o.answers.map((a, i) => sample(i, a))];
  lines.push({ type: "end", status: o.status ?? "complete", finishedAt: "2026-12-05T10:00:01.000Z" });
  const f = join(dir, name);
  writeFileSync(f, lines.map((x) => JSON.stringify(x)).join("\n") + "\n");
  return f;
}

// incoherence 0.611 [0.403–0.748]: 2 of 10 right, the rest scattered (a hot mess)
const MESS = runFile("mess.jsonl", { id: "mess", reference: "42", answers: ["42", "42", "41", "43", "40", "44", "45", "46", "47", "48"] });
// incoherence 0.222 [0.051–0.582]: mostly the same wrong answer (a paperclip)
const CLIP = runFile("clip.jsonl", { id: "clip", reference: "42", answers: ["41", "41", "41", "41", "41", "41", "41", "41", "42", "42"] });
// accuracy 0.5 [0.187–0.813] (Clopper–Pearson); pass^2 = C(5,2)/C(10,2) = 0.222
const HALF = runFile("half.jsonl", { id: "half", reference: "42", answers: ["42", "42", "42", "42", "42", "41", "43", "40", "41", "43"] });
const GOOD = runFile("good.jsonl", { id: "good", reference: "42", answers: ["42", "42", "42", "42", "42", "42"] });
const NONE = runFile("none.jsonl", { id: "none", answers: ["42", "41", "42", "42", "42"] });
// n = 3: too few reruns for an incoherence interval; estimate 0.75
const FEW = runFile("few.jsonl", { id: "few", reference: "42", answers: ["42", "41", "43"] });

async function hotmess(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(args, { stdout, stderr, env } as Io);
  return { code, out: stdout.text, err: stderr.text };
}

/** The line of a prompt's verdict: "  FAIL  mess  (…)". */
const verdictOf = (out: string, id: string) => new RegExp(`^ {2}(FAIL|pass|SKIP) {2}${id} {2}`, "m").exec(out)?.[1];

test("--max-incoherence: by the interval (default) a prompt fails only when its whole interval is above; --by point judges the estimate; --by strict needs all of it below", async () => {
  // mess 0.611 [0.403–0.748] at 0.5: the interval straddles it
  const byInterval = await hotmess(["check", MESS, CLIP, "--max-incoherence", "0.5"]);
  assert.equal(byInterval.code, 0, byInterval.out + byInterval.err);
  assert.equal(verdictOf(byInterval.out, "mess"), "pass");
  assert.match(byInterval.out, /\? incoherence 0\.611 \[0\.403–0\.748\]: inconclusive, the interval reaches above max 0\.50/);
  assert.match(byInterval.out, /2 passed \(2 inconclusive: more reruns would tell\), 0 not checked\n$/);
  const explicit = await hotmess(["check", MESS, CLIP, "--max-incoherence", "0.5", "--by", "interval"]);
  assert.equal(explicit.out, byInterval.out, "interval is the default");

  const byPoint = await hotmess(["check", MESS, CLIP, "--max-incoherence", "0.5", "--by", "point"]);
  assert.equal(byPoint.code, 1);
  assert.equal(verdictOf(byPoint.out, "mess"), "FAIL");
  assert.match(byPoint.out, /✗ incoherence 0\.611 \[0\.403–0\.748\] > max 0\.50 \(the estimate\)/);
  assert.equal(verdictOf(byPoint.out, "clip"), "pass");

  const strict = await hotmess(["check", MESS, CLIP, "--max-incoherence", "0.5", "--by", "strict"]);
  assert.equal(strict.code, 1);
  assert.equal(verdictOf(strict.out, "mess"), "FAIL");
  // clip's estimate 0.222 is well below, but its interval reaches 0.582
  assert.equal(verdictOf(strict.out, "clip"), "FAIL");
  assert.match(strict.out, /incoherence 0\.222 \[0\.051–0\.582\]: the interval reaches above max 0\.50 \(--by strict/);

  // at 0.35 the whole of mess's interval is above: it fails by the interval too, with its fork and deciding steps
  const low = await hotmess(["check", MESS, CLIP, "--max-incoherence", "0.35"]);
  assert.equal(low.code, 1);
  assert.equal(verdictOf(low.out, "mess"), "FAIL");
  assert.match(low.out, /✗ incoherence 0\.611 \[0\.403–0\.748\] > max 0\.35: the whole interval is above/);
  assert.equal(verdictOf(low.out, "clip"), "pass");
  assert.match(low.out, /^1 failed, 1 passed \(1 inconclusive/m);
});

test("--min-accuracy and --min-pass-hat-k: the Clopper–Pearson interval against the threshold, by interval, point and strict", async () => {
  const at = async (flags: string[]) => (await hotmess(["check", HALF, ...flags])).code;
  // accuracy 0.5 [0.187–0.813]
  assert.equal(await at(["--min-accuracy", "0.6"]), 0);
  assert.equal(await at(["--min-accuracy", "0.6", "--by", "point"]), 1);
  assert.equal(await at(["--min-accuracy", "0.6", "--by", "strict"]), 1);
  assert.equal(await at(["--min-accuracy", "0.15", "--by", "strict"]), 0);
  const fail = await hotmess(["check", HALF, "--min-accuracy", "0.9"]);
  assert.equal(fail.code, 1);
  assert.match(fail.out, /✗ accuracy 0\.500 \[0\.187–0\.813\] < min 0\.90: the whole interval is below/);
  // pass^2 = 0.222, its interval [0.035–0.661]: inconclusive at 0.5, below at 0.7
  assert.equal(await at(["--min-pass-hat-k", "2:0.5"]), 0);
  const k = await hotmess(["check", HALF, "--min-pass-hat-k", "1:0.1,2:0.7"]);
  assert.equal(k.code, 1);
  assert.match(k.out, /✓ pass\^1 0\.500 \[0\.187–0\.813\] ≥ min 0\.10/);
  assert.match(k.out, /✗ pass\^2 0\.222 \[0\.035–0\.661\] < min 0\.70: the whole interval is below/);
  // every rerun right: no incoherence to be too high, accuracy and pass^2 are 1 (pass^2's interval from 0.293)
  const good = await hotmess(["check", GOOD, "--max-incoherence", "0.1", "--min-accuracy", "0.5", "--min-pass-hat-k", "2:0.1", "--by", "strict"]);
  assert.equal(good.code, 0, good.out);
  assert.match(good.out, /incoherence: none, every rerun is right/);
});

test("prompts that cannot be checked (no target, too few reruns for an interval, n < k) are listed as not checked; --fail-unchecked fails them", async () => {
  const r = await hotmess(["check", NONE, FEW, GOOD, "--max-incoherence", "0.5", "--min-pass-hat-k", "5:0.1"]);
  assert.equal(r.code, 0, r.out);
  assert.equal(verdictOf(r.out, "none"), "SKIP");
  assert.match(r.out, /incoherence: not checked: no target \(no reference answer or correctness flags\)/);
  assert.equal(verdictOf(r.out, "few"), "SKIP");
  assert.match(r.out, /incoherence 0\.750: n = 3: too few reruns for an interval; 8\+ recommended; not checked by the interval/);
  assert.match(r.out, /pass\^5: not checked: n = 3: fewer reruns than k = 5/);
  assert.equal(verdictOf(r.out, "good"), "pass");
  // 6 of 6 right still leaves pass^5's interval reaching 0.046: inconclusive, passes
  assert.match(r.out, /\? pass\^5 1\.000 \[0\.046–1\.000\]: inconclusive/);
  assert.match(r.out, /0 failed, 1 passed \(1 inconclusive: more reruns would tell\), 2 not checked \(listed above; --fail-unchecked makes them fail\)\n$/);

  const strict = await hotmess(["check", NONE, FEW, GOOD, "--max-incoherence", "0.5", "--fail-unchecked"]);
  assert.equal(strict.code, 1);
  assert.equal(verdictOf(strict.out, "none"), "FAIL");
  assert.equal(verdictOf(strict.out, "few"), "FAIL");
  // by the point, n = 3 is checked: 0.75 is above 0.5
  const point = await hotmess(["check", FEW, "--max-incoherence", "0.5", "--by", "point"]);
  assert.equal(point.code, 1);
  assert.match(point.out, /✗ incoherence 0\.750 > max 0\.50 \(the estimate\)/);
});

test("exit statuses: usage and input errors 2 (1 is a crossed threshold), skipped lines or an unfinished run 2 when nothing failed", async () => {
  const cases: [string[], RegExp][] = [
    [["check", MESS], /check needs a threshold/],
    [["check", "--max-incoherence", "0.5"], /check needs run files or trace sets/],
    [["check", MESS, "--max-incoherence", "1.5"], /--max-incoherence must be a number between 0 and 1/],
    [["check", MESS, "--max-incoherence", "0.5", "--by", "mean"], /--by is interval, strict, point, not "mean"/],
    [["check", MESS, "--min-pass-hat-k", "0:0.5"], /--min-pass-hat-k takes K:X/],
    [["check", MESS, "--min-pass-hat-k", "3"], /--min-pass-hat-k takes K:X/],
    [["check", join(dir, "missing.jsonl"), "--max-incoherence", "0.5"], /missing\.jsonl: no such file/],
    [["check", MESS, "--max-incoherence", "0.5", "--junit", MESS], /--junit/],
    [["check", MESS, "--max-incoherence", "0.5", "--junit", join(dir, "no", "such", "dir.xml")], /cannot write/],
  ];
  for (const [args, message] of cases) {
    const r = await hotmess(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, message, args.join(" "));
    assert.doesNotMatch(r.err, /internal error|\n\s+at /);
  }
  // other commands keep their 1
  assert.equal((await hotmess(["analyze", join(dir, "missing.jsonl")])).code, 1);

  const traces = join(dir, "traces.jsonl");
  const line = (id: string, answers: string[]) => JSON.stringify({ id, reference: "42", samples: answers.map((a) => ({ text: `Answer: ${a}`, answer: a })) });
  writeFileSync(traces, [line("t1", ["42", "42", "42", "42", "42"]), "{not json", line("t2", ["42", "42", "42", "42", "41"])].join("\n") + "\n");
  const skipped = await hotmess(["check", traces, "--max-incoherence", "0.9"]);
  assert.equal(skipped.code, 2, skipped.out);
  assert.match(skipped.err, /traces\.jsonl: line 2: not valid JSON/);
  assert.match(skipped.out, /0 failed, 2 passed/);
  const failing = await hotmess(["check", traces, "--min-accuracy", "0.99", "--by", "point"]);
  assert.equal(failing.code, 1, "a crossed threshold wins over skipped lines");

  const partial = runFile("partial.jsonl", { id: "partial", reference: "42", answers: ["42", "42", "42", "42", "42"], status: "cancelled", n: 8 });
  const p = await hotmess(["check", partial, "--max-incoherence", "0.5"]);
  assert.equal(p.code, 2, p.err);
  assert.match(p.err, /the run was cancelled: 5 of 8/);
});

// ---------------------------------------------------------------------------------------------
// A tiny strict XML reader: enough to read the JUnit document back and refuse what is not XML.

interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

function decode(s: string): string {
  assert.doesNotMatch(s, /&(?!(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);)/, `a bare & in ${JSON.stringify(s)}`);
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) =>
    e === "lt" ? "<" : e === "gt" ? ">" : e === "amp" ? "&" : e === "quot" ? '"' : e === "apos" ? "'" : String.fromCodePoint(e.startsWith("#x") ? parseInt(e.slice(2), 16) : Number(e.slice(1))),
  );
}

function parseXml(doc: string): XmlNode {
  assert.doesNotMatch(doc, /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u, "a character XML 1.0 forbids");
  let i = 0;
  const prolog = /^<\?xml[^?]*\?>\s*/.exec(doc);
  if (prolog) i = prolog[0].length;
  const element = (): XmlNode => {
    const open = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.:-]*="[^"<]*")*)\s*(\/?)>/.exec(doc.slice(i));
    assert.ok(open, `a start tag expected at ${i}: ${JSON.stringify(doc.slice(i, i + 60))}`);
    i += open[0].length;
    const attrs: Record<string, string> = {};
    for (const m of open[2]!.matchAll(/([A-Za-z_][\w.:-]*)="([^"<]*)"/g)) {
      assert.ok(!(m[1]! in attrs), `attribute ${m[1]} twice`);
      attrs[m[1]!] = decode(m[2]!);
    }
    const node: XmlNode = { name: open[1]!, attrs, children: [], text: "" };
    if (open[3] === "/") return node;
    for (;;) {
      const lt = doc.indexOf("<", i);
      assert.ok(lt >= 0, `</${node.name}> missing`);
      const raw = doc.slice(i, lt);
      assert.ok(!raw.includes("]]>"), "]]> in character data");
      node.text += decode(raw);
      i = lt;
      if (doc.startsWith("</", i)) {
        const close = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(doc.slice(i));
        assert.equal(close?.[1], node.name, "mismatched end tag");
        i += close![0].length;
        return node;
      }
      node.children.push(element());
    }
  };
  const root = element();
  assert.equal(doc.slice(i).trim(), "", "content after the root element");
  return root;
}

const all = (n: XmlNode, name: string): XmlNode[] => [...(n.name === name ? [n] : []), ...n.children.flatMap((c) => all(c, name))];

test("the tiny XML reader refuses what is not XML (so the JUnit test can fail)", () => {
  assert.throws(() => parseXml("<a>x < y</a>"));
  assert.throws(() => parseXml("<a>x & y</a>"));
  assert.throws(() => parseXml("<a>]]></a>"));
  assert.throws(() => parseXml("<a>\u0001</a>"));
  assert.throws(() => parseXml('<a b="<"/>'));
  assert.throws(() => parseXml("<a><b></a></b>"));
  assert.deepEqual(parseXml('<a k="&quot;&#10;">1 &lt; 2<b/></a>'), { name: "a", attrs: { k: '"\n' }, children: [{ name: "b", attrs: {}, children: [], text: "" }], text: "1 < 2" });
});

test("JUnit XML: one testsuite, a testcase per prompt, a failure with the figures and the fork, skipped for a targetless prompt; model text with <, &, ]]> and control characters escaped", async () => {
  // a step and an answer of the model's with what XML must escape or cannot hold at all
  const EVIL = "<script>alert(1)</script> a & b ]]> c bell\u0007 esc\u001b[31m \"q\" 'q' \uFFFE end";
  const W = "x<y&z]]>w";
  const answers = ["42", "42", "42", W, W, W, W, "7", "7", "7"];
  const texts = answers.map((a) => (a === "42" ? "6 × 7 = 42\nAnswer: 42" : a === W ? `6 × 7 = 41 ${EVIL}\nAnswer: ${W}` : "6 + 1 = 7\nAnswer: 7"));
  const hostile = runFile("hostile.jsonl", { id: 'p<1> & "q"', reference: "42", answers, texts });
  const out = join(dir, "junit.xml");
  const r = await hotmess(["check", hostile, NONE, GOOD, "--max-incoherence", "0.3", "--by", "point", "--junit", out]);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.err, /wrote .*junit\.xml \(JUnit XML, 3 testcases\)/);
  const doc = readFileSync(out, "utf8");
  assert.ok(!existsSync(`${out}.tmp`));
  const root = parseXml(doc);
  const suites = all(root, "testsuite");
  assert.equal(suites.length, 1);
  assert.deepEqual({ ...suites[0]!.attrs }, { name: "hotmess check", tests: "3", failures: "1", errors: "0", skipped: "1" });
  const cases = all(root, "testcase");
  assert.deepEqual(
    cases.map((c) => [c.attrs.name, c.attrs.classname]),
    [
      ['p<1> & "q"', hostile],
      ["none", NONE],
      ["good", GOOD],
    ],
  );
  const [failure] = all(cases[0]!, "failure");
  assert.ok(failure);
  assert.match(failure.attrs.message!, /^incoherence \d\.\d{3} \[\d\.\d{3}–\d\.\d{3}\] > max 0\.30 \(the estimate\); the runs part at column \d+$/);
  assert.match(failure.text, /^n = 10\n✗ incoherence/);
  assert.match(failure.text, /the runs part at column \d+\nwhy the runs disagree:\n/);
  // the model's text came through as text: <, & and ]]> as written, control characters as \uXXXX
  assert.ok(failure.text.includes("<script>alert(1)</script>"), failure.text);
  assert.ok(failure.text.includes(`"${W}"`), "the answer class");
  assert.ok(failure.text.includes("a & b ]]> c bell\\u0007 esc\\u001B[31m \"q\" 'q' \\uFFFE end"));
  assert.ok(!doc.includes("<script>"));
  assert.equal(all(cases[1]!, "skipped")[0]?.attrs.message, "not checked: no target (no reference answer or correctness flags): incoherence, accuracy and pass^k cannot be measured");
  assert.equal(all(cases[2]!, "failure").length + all(cases[2]!, "skipped").length, 0);
  assert.equal(all(root, "property").find((p) => p.attrs.name === "thresholds")?.attrs.value, "max incoherence 0.3");

  assert.equal(xmlText("a<b>&]]>\u0000"), "a&lt;b&gt;&amp;]]&gt;\\u0000");
  assert.equal(xmlAttr("x\"'\n\t"), "x&quot;&apos;&#10;&#9;");
});

test("under GitHub Actions: an ::error per failed prompt at the prompt file its run recorded (escaped per the runner's rules), a ::warning per prompt not checked, and the job summary appended", async () => {
  const promptFile = join(dir, "math, v2: prompts.prompt.md");
  writeFileSync(promptFile, ["---", "id: first", "reference: 1", "---", "What is 1?", "===", "---", "id: second", "reference: 42", "---", "What is 6 × 7?", ""].join("\n"));
  const mess = runFile("sourced.jsonl", { id: "mess, 100%: bad", reference: "42", answers: ["42", "42", "41", "43", "40", "44", "45", "46", "47", "48"], source: { file: promptFile, prompt: 1, id: "second" } });
  const summary = join(dir, "summary.md");
  writeFileSync(summary, "earlier step\n");
  const env = { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary };
  const r = await hotmess(["check", mess, NONE, GOOD, "--max-incoherence", "0.35"], env);
  assert.equal(r.code, 1);
  const commands = r.out.split("\n").filter((l) => l.startsWith("::"));
  assert.equal(commands.length, 2, r.out);
  const error = commands[0]!;
  const m = /^::error file=([^,]*),line=(\d+),title=([^,:]*)::(.*)$/.exec(error);
  assert.ok(m, error);
  assert.equal(m[1], promptFile.replace(/%/g, "%25").replace(/:/g, "%3A").replace(/,/g, "%2C"));
  assert.equal(m[2], "7", "the second prompt's first line");
  assert.equal(m[3], "hotmess check%3A mess%2C 100%25%3A bad failed");
  assert.doesNotMatch(m[4]!, /[\r\n]/);
  assert.match(m[4]!, /^incoherence 0\.611 \[0\.403–0\.748\] > max 0\.35: the whole interval is above/);
  assert.match(commands[1]!, new RegExp(`^::warning file=${NONE.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:/g, "%3A")},line=1,title=hotmess check%3A none not checked::not checked: no target`));
  const md = readFileSync(summary, "utf8");
  assert.ok(md.startsWith("earlier step\n### hotmess check: ❌ 1 failed\n"), md);
  assert.match(md, /3 prompts: 1 failed, 1 passed, 1 not checked\. Thresholds: max incoherence 0\.35/);
  assert.match(md, /\| ❌ \| mess, 100%: bad \| /);
  assert.match(md, /\| ⚠️ \| none \| /);
  // without GITHUB_ACTIONS: no workflow commands, nothing appended
  const plain = await hotmess(["check", mess, "--max-incoherence", "0.35"], { GITHUB_STEP_SUMMARY: summary });
  assert.doesNotMatch(plain.out, /^::/m);
  assert.equal(readFileSync(summary, "utf8"), md);

  assert.equal(ghData("50%\r\nx: y, z"), "50%25%0D%0Ax: y, z");
  assert.equal(ghProperty("50%\r\nx: y, z"), "50%25%0D%0Ax%3A y%2C z");
  assert.equal(mdCell("a|b\n<img src=x>`c`"), "a\\|b &lt;img src=x&gt;\\`c\\`");
});

test("the gate's seam for a baseline: a check made elsewhere fails the prompt like a threshold", async () => {
  const r = await hotmess(["analyze", GOOD, "--json", "-"]);
  const p = (JSON.parse(r.out) as Analysis).prompts[0]!;
  assert.equal(gatePrompt(p, { minAccuracy: 0.5 }, { by: "interval" }).status, "pass");
  const worse: CheckResult = { figure: "accuracy vs baseline", bound: "min", threshold: 0, estimate: -0.4, ci95: [-0.6, -0.2], status: "fail", inconclusive: false, text: "accuracy −0.40 [−0.60, −0.20] vs the baseline: significantly worse" };
  const v = gatePrompt(p, { minAccuracy: 0.5 }, { by: "interval" }, [worse]);
  assert.equal(v.status, "fail");
  assert.deepEqual(
    v.checks.map((c) => c.status),
    ["pass", "fail"],
  );
  assert.deepEqual(parsePassHatK("1:0.9, 3:.5"), [
    { k: 1, min: 0.9 },
    { k: 3, min: 0.5 },
  ]);
  assert.throws(() => parsePassHatK("3:1.5"), /K:X/);
});

const FIXTURE = sharedFixture("game24-gpt4-cot", "traces.jsonl");

test("the shared fixture (50 Game of 24 puzzles × 100 GPT-4 reruns): the interval fails fewer prompts than the point; JUnit has all 50", { skip: skipWithout(FIXTURE) }, async () => {
  const out = join(dir, "game24.xml");
  const byInterval = await hotmess(["check", FIXTURE!, "--max-incoherence", "0.55", "--junit", out]);
  assert.equal(byInterval.code, 1);
  // game24-900: 0.601 [0.553–0.642], wholly above 0.55
  assert.equal(verdictOf(byInterval.out, "game24-900"), "FAIL");
  // game24-903: 0.525 [0.494–0.551], straddles it
  assert.equal(verdictOf(byInterval.out, "game24-903"), "pass");
  const failedByInterval = (byInterval.out.match(/^ {2}FAIL /gm) ?? []).length;
  const root = parseXml(readFileSync(out, "utf8"));
  assert.equal(all(root, "testcase").length, 50);
  assert.equal(all(root, "failure").length, failedByInterval);
  assert.ok(all(root, "failure").every((f) => /the runs part at (column|action) \d+/.test(f.attrs.message!)));

  const byPoint = await hotmess(["check", FIXTURE!, "--max-incoherence", "0.55", "--by", "point"]);
  const failedByPoint = (byPoint.out.match(/^ {2}FAIL /gm) ?? []).length;
  assert.ok(failedByPoint > failedByInterval, `point ${failedByPoint}, interval ${failedByInterval}`);
  assert.ok(failedByInterval >= 1);
});

test("--baseline: a prompt whose accuracy fell significantly since the baseline fails; the same reruns again pass; prompts on one side only are listed", async () => {
  // the baseline: 10 of 10 right; now: 2 of 10 (the same prompt id)
  const before = runFile("base-good.jsonl", { id: "mult", reference: "42", answers: Array(10).fill("42") });
  const after = runFile("now-bad.jsonl", { id: "mult", reference: "42", answers: ["42", "42", "41", "43", "40", "41", "41", "43", "44", "41"] });
  const worse = await hotmess(["check", after, "--baseline", before]);
  assert.equal(worse.code, 1, worse.out + worse.err);
  assert.match(worse.out, /against the baseline .*base-good\.jsonl: 1 prompt matched/);
  assert.match(worse.out, /FAIL {2}mult/);
  assert.match(worse.out, /✗ accuracy −0\.800 \[-?\d\.\d{3}–-?\d\.\d{3}\] since the baseline: significantly lower \(the whole interval is below 0\)/);
  // no threshold needed with a baseline; the same reruns compared with themselves: no change
  const same = await hotmess(["check", before, "--baseline", before]);
  assert.equal(same.code, 0, same.out + same.err);
  assert.match(same.out, /pass {2}mult/);
  // a small dip within rerun noise passes, marked inconclusive
  const dip = runFile("now-dip.jsonl", { id: "mult", reference: "42", answers: ["42", "42", "42", "42", "42", "42", "42", "42", "41", "42"] });
  const noisy = await hotmess(["check", dip, "--baseline", before]);
  assert.equal(noisy.code, 0, noisy.out);
  assert.match(noisy.out, /\? accuracy −0\.100 .* since the baseline: lower, but within rerun noise/);
  // a prompt the baseline lacks is listed, and checked by the thresholds alone
  const other = runFile("now-other.jsonl", { id: "other", reference: "42", answers: Array(6).fill("42") });
  const listed = await hotmess(["check", other, after, "--baseline", before, "--max-incoherence", "0.9"]);
  assert.match(listed.out, /not in the baseline \(not compared\): other/);
  assert.equal(listed.code, 1);
  // no threshold and no baseline: a usage error
  const none = await hotmess(["check", after]);
  assert.equal(none.code, 2);
  assert.match(none.err, /a --baseline/);
});

test("--baseline on the shared fixture split into halves: rerun noise fails at most 5% of prompts; a changed prompt (its reruns made wrong) fails", { skip: skipWithout(FIXTURE) }, async () => {
  const lines = readFileSync(FIXTURE!, "utf8").split("\n").filter((l) => l.trim() !== "");
  const records = lines.map((l) => JSON.parse(l) as { id: string; samples: unknown[] } & Record<string, unknown>);
  const half = (name: string, from: number, to: number, edit?: (r: (typeof records)[number]) => (typeof records)[number]) => {
    const f = join(dir, name);
    writeFileSync(f, records.map((r) => JSON.stringify((edit ?? ((x) => x))({ ...r, samples: r.samples.slice(from, to) }))).join("\n") + "\n");
    return f;
  };
  for (const n of [10, 30]) {
    const a = half(`g24-a${n}.jsonl`, 0, n);
    const b = half(`g24-b${n}.jsonl`, n, 2 * n);
    const r = await hotmess(["check", b, "--baseline", a]);
    const failed = (r.out.match(/^ {2}FAIL /gm) ?? []).length;
    assert.match(r.out, /50 prompts matched/);
    assert.ok(failed <= 0.05 * records.length, `n = ${n}: ${failed} of ${records.length} halves flagged as worse`);
  }
  // the puzzle the baseline gets right most often changed: every rerun of the new version is wrong
  const a = half("g24-a-base.jsonl", 0, 10);
  const right = (r: (typeof records)[number]) => r.samples.slice(0, 10).filter((s) => (s as { correct?: boolean }).correct === true).length;
  const first = [...records].sort((x, y) => right(y) - right(x))[0]!.id;
  assert.ok(right(records.find((r) => r.id === first)!) >= 5, "a puzzle the baseline mostly gets right");
  const changed = half("g24-b-changed.jsonl", 10, 20, (r) => (r.id === first ? { ...r, samples: r.samples.map((s) => ({ ...(s as object), correct: false, answer: "1 + 1 + 1 + 1" })) } : r));
  const r = await hotmess(["check", changed, "--baseline", a]);
  assert.equal(r.code, 1, r.out);
  const fails = [...r.out.matchAll(/^ {2}FAIL {2}(\S+)/gm)].map((m) => m[1]);
  assert.ok(fails.includes(first), `${first} fails: ${fails.join(", ")}`);
});
