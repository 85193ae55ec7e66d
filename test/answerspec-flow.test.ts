// An answer spec's way from where it is written to the figures (issue 16): a prompt file's
// `answer:` / `compare:` front matter, the run header that records it, the run's analysis.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatCompare, formatExtract } from "../src/core/answerspec";
import { parsePromptFile } from "../src/core/promptfile";
import { analyzeRun } from "../src/core/runanalysis";
import { parseRunFile } from "../src/core/runfile";
import { headerFor, type RecordPlan } from "../src/sampling/record";

const FILE = `---
n: 6
reference: spam
answer: json:$.label
compare: exact
---
Classify this email as spam or ham; reply in JSON {"label": …, "why": …}.
===
---
answer: "regex:/Final: (\\d+(?:\\.\\d+)?)/i"
compare: numeric:1%
---
What is pi to two decimals? End with "Final: X".
===
---
answer: regex:/(unclosed/
compare: fuzzy
---
Broken.
`;

test("front matter: answer: and compare: are parsed into the prompt's answer spec, and written back the same", () => {
  const [a, b, c] = parsePromptFile(FILE, () => "h");
  assert.deepEqual(a!.problems, []);
  assert.deepEqual(a!.settings.answerSpec, { extract: { kind: "json", path: "$.label" }, compare: { kind: "exact" } });
  assert.equal(formatExtract(a!.settings.answerSpec!.extract!), "json:$.label");
  assert.equal(formatCompare(a!.settings.answerSpec!.compare!), "exact");
  assert.deepEqual(b!.problems, []);
  assert.deepEqual(b!.settings.answerSpec, { extract: { kind: "regex", pattern: "Final: (\\d+(?:\\.\\d+)?)", flags: "i" }, compare: { kind: "numeric", tolerance: 0.01, relative: true } });
  assert.equal(formatExtract(b!.settings.answerSpec!.extract!), "regex:/Final: (\\d+(?:\\.\\d+)?)/i");
  // a bad spec is an error on its value, naming the key
  assert.deepEqual(
    c!.problems.map((p) => [p.severity, p.message.replace(/:.*$/s, ""), p.range.start.line]),
    [
      ["error", "answer", 15],
      ["error", "compare", 16],
    ],
  );
  assert.match(c!.problems[0]!.message, /does not compile/);
  assert.match(c!.problems[1]!.message, /unknown comparison "fuzzy"/);
  assert.equal(c!.problems[0]!.range.start.character, "answer: ".length);
  assert.equal(c!.settings.answerSpec, undefined);
});

const LABELS = ["spam", "spam", "ham", "spam", "spam", "unsure"];
const WHY = ["a prize link", "unknown sender", "a colleague's note", "asks for a password", "urgent tone", "hard to say"];

function runFile(header: Record<string, unknown>): string {
  const samples = LABELS.map((label, index) => ({
    type: "sample",
    index,
    text: `\`\`\`json\n${JSON.stringify({ label, why: WHY[index] })}\n\`\`\``,
    thinking: "",
    redactedThinking: 0,
    usage: { inputTokens: 10, outputTokens: 20 },
    costUsd: null,
    latencyMs: 100,
    retries: 0,
    truncated: false,
    stopReason: "end_turn",
    finishedAt: "2026-05-01T10:00:01.000Z",
  }));
  return [{ type: "header", schema: "hotmess.run/1", ...header }, ...samples, { type: "end", status: "complete", finishedAt: "2026-05-01T10:00:09.000Z" }].map((l) => JSON.stringify(l)).join("\n") + "\n";
}

test("the run header records the prompt's answer spec, and the run is analysed by it", () => {
  const [p] = parsePromptFile(FILE, () => "h");
  const plan = {
    providerName: "simulated",
    request: { prompt: p!.user, model: "sim", maxTokens: 100, thinking: { type: "none" } },
    n: 6,
    concurrency: 2,
    idleTimeoutMs: 1000,
    reference: p!.settings.reference,
    answerSpec: p!.settings.answerSpec,
    tool: { name: "hotmess", version: "0" },
  } as unknown as RecordPlan;
  const header = headerFor(plan);
  assert.deepEqual(header.answerSpec, { extract: { kind: "json", path: "$.label" }, compare: { kind: "exact" } });
  const withSpec = analyzeRun(parseRunFile(runFile(header)), { resamples: 0 }).prompts[0]!;
  assert.deepEqual(
    withSpec.answers.map((c) => [c.key, c.count, c.reference]),
    [
      ["spam", 4, true],
      ["ham", 1, false],
      ["unsure", 1, false],
    ],
  );
  assert.equal(withSpec.comparison, "exact");
  assert.equal(withSpec.extraction, "json:$.label");
  // the same run without the spec: no run is found to answer spam
  const { answerSpec: _, ...bare } = header;
  const without = analyzeRun(parseRunFile(runFile(bare)), { resamples: 0 }).prompts[0]!;
  assert.equal(without.answers[0]!.count, 0);
  assert.equal(without.extraction, undefined);
  // a header without a spec writes none
  assert.equal("answerSpec" in headerFor({ ...plan, answerSpec: undefined }), false);
});

test("a run header's unreadable answer spec is refused by name", () => {
  const header = { id: "r", createdAt: "x", tool: { name: "hotmess", version: "0" }, provider: "simulated", model: "m", prompt: "p", parameters: { n: 1 } };
  assert.throws(() => parseRunFile(runFile({ ...header, answerSpec: { compare: { kind: "fuzzy" } } })), /answerSpec compare has kind "fuzzy"/);
  // the compact form is read too
  const run = parseRunFile(runFile({ ...header, answerSpec: { answer: "json:$.label", compare: "set" } }));
  assert.deepEqual(run.header.answerSpec, { extract: { kind: "json", path: "$.label" }, compare: { kind: "set" } });
});
