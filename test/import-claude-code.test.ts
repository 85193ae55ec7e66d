// The Claude Code importer (src/import/claude-code.ts) on a folder of three sessions written from
// Claude Code's session-transcript schema and the Agent SDK's message stream
// (test/data/import/claude-code/: two sessions of one prompt, one of another in SDK form).
import { test } from "node:test";
import assert from "node:assert/strict";
import { claudeCodeImporter } from "../src/import/claude-code";
import { formatFiles, othersFiles, textFile } from "./support/import-files";

const dir = `${__dirname}/data/import/claude-code`;

test("sessions are grouped by their first user prompt; one session is one sample", () => {
  const r = claudeCodeImporter.read(formatFiles("claude-code"));
  assert.equal(r.format, "claude-code");
  assert.deepEqual(
    r.prompts.map((p) => [p.id, p.prompt, p.samples.length, p.model]),
    [
      ["fix-the-failing-test-in-tests-test-math-py", "Fix the failing test in tests/test_math.py", 2, "claude-sonnet-4-5-20250929"],
      ["how-many-python-files-are-in-this-repo", "How many Python files are in this repo?", 1, "claude-sonnet-4-5-20250929"],
    ],
  );
  assert.equal(r.summary, "2 prompts × 1–2 runs, 6 tool calls; format Claude Code; 1 problem (skipped parts named)");
});

test("steps: thinking, text, tool_use and tool_result blocks in order; meta, sidechain and repeated blocks left out", () => {
  const [fix] = claudeCodeImporter.read(formatFiles("claude-code")).prompts;
  const [read, direct] = fix!.samples;
  assert.deepEqual(
    read!.steps!.map((s) => s.kind),
    ["user", "reasoning", "text", "tool_call", "tool_result", "tool_call", "tool_result", "tool_call", "tool_result", "text"],
  );
  assert.deepEqual(
    direct!.steps!.map((s) => (s.kind === "tool_call" ? s.name : s.kind)),
    ["user", "reasoning", "text", "Bash", "tool_result", "Edit", "tool_result", "text"],
  );
  const steps = read!.steps!;
  assert.deepEqual(steps[3], {
    kind: "tool_call",
    name: "Bash",
    arguments: { command: "python -m pytest tests/test_math.py -q", description: "Run the failing test" },
    id: "toolu_011Bash0001",
  });
  assert.deepEqual(steps[4], {
    kind: "tool_result",
    text: "F.\nFAILED tests/test_math.py::test_gcd - assert gcd(0, 5) == 5",
    id: "toolu_011Bash0001",
    name: "Bash",
    isError: true,
  });
  // A result whose content is a list of text blocks.
  assert.match(steps[6]!.text!, /^ {5}1→def gcd\(a, b\):/);
  assert.equal(steps[6]!.isError, undefined);
  assert.equal(steps[1]!.text, "Run the test first to see what fails.");
  assert.equal(read!.text, "Fixed: `gcd` returned `a` (always 0 at loop exit) instead of `b`.");
  assert.ok(!steps.some((s) => s.text === "Searching the codebase for gcd..."), "the sidechain line is not a step");
  assert.ok(!steps.some((s) => s.text?.includes("local-command-stdout")), "the meta line is not a step");
  assert.equal(read!.reward, undefined);
});

test("a malformed line is named file:line and skipped; the rest of the file is imported", () => {
  const r = claudeCodeImporter.read(formatFiles("claude-code"));
  assert.deepEqual(
    r.problems.map((p) => p.where),
    [`${dir}/3f6c1d2e-2222-4a7b-9c0d-000000000002.jsonl:9`],
  );
  assert.match(r.problems[0]!.message, /^not JSON/);
  // The second session still has its turns after line 9.
  assert.equal(r.prompts[0]!.samples[1]!.steps!.length, 8);
});

test("a user line without message content is a problem; a session without a prompt is said", () => {
  const lines = [
    { type: "user", sessionId: "s1", uuid: "u1", parentUuid: null, message: { role: "user" } },
    { type: "assistant", sessionId: "s1", uuid: "u2", parentUuid: "u1", message: { id: "m1", role: "assistant", content: [{ type: "text", text: "Hello." }] } },
  ];
  const r = claudeCodeImporter.read([textFile("s1.jsonl", lines.map((l) => JSON.stringify(l)).join("\n"))]);
  assert.deepEqual(r.problems, [
    { where: "s1.jsonl:1", message: "a user line without message.content; line skipped" },
    { where: "s1.jsonl#s1", message: "a session without a user prompt; skipped" },
  ]);
  assert.equal(r.prompts.length, 0);
});

test("detect: its own files yes; other formats and τ-bench no", () => {
  for (const f of formatFiles("claude-code")) assert.equal(claudeCodeImporter.detect([f]), true, f.path);
  const others = othersFiles("claude-code");
  assert.ok(others.length >= 4);
  for (const f of others) assert.equal(claudeCodeImporter.detect([f]), false, f.path);
  // A trace set line is JSON Lines too, but not a transcript.
  assert.equal(claudeCodeImporter.detect([textFile("t.jsonl", JSON.stringify({ id: "a", samples: [{ text: "1" }] }))]), false);
  assert.equal(claudeCodeImporter.detect([textFile("c.jsonl", JSON.stringify({ type: "user", message: { content: "hi" } }))]), false);
  // A line of a type added later does not hide the session lines after it.
  const later = [{ type: "custom-title", title: "x" }, { type: "user", sessionId: "s", parentUuid: null, message: { role: "user", content: "hi" } }];
  assert.equal(claudeCodeImporter.detect([textFile("l.jsonl", later.map((l) => JSON.stringify(l)).join("\n"))]), true);
});
