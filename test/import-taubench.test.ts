// The τ-bench importer on τ-bench's own results file (shared/fixtures/tau-airline-gpt4o: 25
// airline tasks × 4 trials of a GPT-4o agent), checked against a direct reading of the JSON; then
// on small records written here: a malformed record skipped and named, tool errors, arguments
// that are not JSON, trials out of order; and the registry's detection and its messages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { detectFormat, findImporter, ImportFormatError, importFiles, IMPORTERS, type InputFile } from "../src/import";
import { tauBench } from "../src/import/taubench";
import type { TrajectoryStep } from "../src/core/types";
import { sharedFixture, skipWithout } from "./support/fixtures";

const FIXTURE = sharedFixture("tau-airline-gpt4o", "results.json");
const SKIP = skipWithout(FIXTURE);

interface RawMessage {
  role: string;
  content: string | null;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  name?: string;
}
interface RawRecord {
  task_id: number;
  trial: number;
  reward: number;
  traj: RawMessage[];
}

const bytesOf = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const file = (p: string, v: unknown): InputFile => ({ path: p, bytes: bytesOf(v) });

test("τ-bench fixture: 25 prompts (task-0 … task-48, even) × 4 trials in trial order, rewards copied, every tool call and result, in order", { skip: SKIP }, () => {
  const bytes = readFileSync(FIXTURE!);
  const raw = JSON.parse(bytes.toString("utf8")) as RawRecord[];
  const files = [{ path: FIXTURE!, bytes }];
  assert.equal(detectFormat(files), tauBench, "detected as τ-bench");
  const r = importFiles(files);
  assert.equal(r.format, "tau-bench");
  assert.deepEqual(r.problems, []);
  assert.deepEqual(
    r.prompts.map((p) => p.id),
    Array.from({ length: 25 }, (_, i) => `task-${2 * i}`),
  );
  for (const p of r.prompts) assert.deepEqual(p.samples.map((s) => s.index), [0, 1, 2, 3], p.id);

  // counted straight from the JSON
  const direct = raw.reduce((n, rec) => n + rec.traj.reduce((m, msg) => m + (msg.tool_calls?.length ?? 0), 0), 0);
  const imported = r.prompts.reduce((n, p) => n + p.samples.reduce((m, s) => m + s.steps!.filter((x) => x.kind === "tool_call").length, 0), 0);
  assert.equal(imported, direct);
  assert.equal(r.summary, `25 tasks × 4 runs, ${direct} tool calls; format τ-bench`);

  for (const rec of raw) {
    const p = r.prompts.find((x) => x.id === `task-${rec.task_id}`)!;
    const s = p.samples.find((x) => x.index === rec.trial)!;
    assert.equal(s.reward, rec.reward, `task ${rec.task_id} trial ${rec.trial}: reward`);
    assert.equal(s.answer, rec.reward === 1 ? "reward=1" : "reward=0");
    // the steps, message by message: system left out, the rest in order
    const expected: TrajectoryStep[] = [];
    for (const m of rec.traj) {
      if (m.role === "user") expected.push({ kind: "user", text: m.content! });
      else if (m.role === "assistant") {
        if (m.content) expected.push({ kind: "text", text: m.content });
        for (const c of m.tool_calls ?? []) {
          let args: unknown = c.function.arguments;
          try {
            args = JSON.parse(c.function.arguments);
          } catch {
            // kept as the raw string
          }
          expected.push({ kind: "tool_call", name: c.function.name, arguments: args, id: c.id });
        }
      } else if (m.role === "tool") {
        const step: TrajectoryStep = { kind: "tool_result", text: m.content!, id: m.tool_call_id!, name: m.name! };
        if (m.content!.startsWith("Error:")) step.isError = true;
        expected.push(step);
      } else assert.equal(m.role, "system");
    }
    assert.deepEqual(s.steps, expected, `task ${rec.task_id} trial ${rec.trial}: steps`);
    // each result answers the call just before it (the id pairs them)
    s.steps!.forEach((step, k) => {
      if (step.kind !== "tool_result") return;
      const call = s.steps!.slice(0, k).reverse().find((x) => x.kind === "tool_call");
      assert.ok(call, "a result follows a call");
      assert.equal(step.id, call.id);
      assert.equal(step.name, call.name);
    });
    assert.ok(typeof s.text === "string" && s.text.length > 0, "a text rendering for today's analysis");
  }
  // the prompt is the first user message of the first trial
  const t0 = raw.find((x) => x.task_id === 0 && x.trial === 0)!;
  assert.equal(r.prompts[0]!.prompt, t0.traj.find((m) => m.role === "user")!.content);
  // the policy is kept beside the steps, once per task (every trial of the fixture ran under the same one)
  assert.equal(r.prompts[0]!.system, t0.traj[0]!.content);
  assert.equal(r.prompts.filter((p) => p.system?.startsWith("# Airline Agent Policy")).length, r.prompts.length);
  const errors = r.prompts.flatMap((p) => p.samples.flatMap((s) => s.steps!.filter((x) => x.isError)));
  assert.ok(errors.length > 0 && errors.every((e) => e.text!.startsWith("Error:")), "τ-bench's tool errors are marked");
});

test("τ-bench fixture: a malformed record is skipped and named by file#index; the rest is imported", { skip: SKIP }, () => {
  const raw = JSON.parse(readFileSync(FIXTURE!, "utf8")) as Record<string, unknown>[];
  raw[7] = { ...raw[7], traj: "not a list" };
  raw[30] = { ...raw[30], reward: 2 };
  const r = importFiles([file("results.json", raw)]);
  assert.equal(r.problems.length, 2);
  assert.equal(r.problems[0]!.where, "results.json#7");
  assert.match(r.problems[0]!.message, /^task \d+: "traj" is a string, not an array of messages; record skipped$/);
  assert.equal(r.problems[1]!.where, "results.json#30");
  assert.match(r.problems[1]!.message, /"reward" is 2, not a number in \[0, 1\]/);
  assert.equal(r.prompts.length, 25);
  assert.equal(r.prompts.reduce((n, p) => n + p.samples.length, 0), 98);
  assert.match(r.summary, /^25 tasks × 3–4 runs, \d+ tool calls; format τ-bench; 2 records skipped$/);
});

const msg = {
  system: { role: "system", content: "policy" },
  user: (t: string) => ({ role: "user", content: t }),
  call: (id: string, name: string, args: string, content: string | null = null) => ({ role: "assistant", content, tool_calls: [{ id, type: "function", function: { name, arguments: args } }] }),
  result: (id: string, name: string, content: string) => ({ role: "tool", tool_call_id: id, name, content }),
  say: (t: string) => ({ role: "assistant", content: t }),
};

test("τ-bench records: trials in trial order whatever the file's order, arguments that are not JSON kept raw, errors marked, text beside calls kept", () => {
  const recs = [
    { task_id: 3, trial: 1, reward: 0.0, info: {}, traj: [msg.system, msg.user("cancel my trip"), msg.call("c1", "cancel_reservation", "{reservation_id: ABC}", "Let me cancel it."), msg.result("c1", "cancel_reservation", "Error: reservation not found"), msg.say("Sorry, not found.")] },
    { task_id: 3, trial: 0, reward: 1.0, info: {}, traj: [msg.system, msg.user("please cancel my trip"), msg.call("c1", "cancel_reservation", '{"reservation_id":"ABC123"}'), msg.result("c1", "cancel_reservation", '{"status":"cancelled"}'), msg.say("Cancelled.")] },
    { task_id: 5, trial: 0, reward: 1, info: {}, traj: [msg.system, msg.user("hi"), msg.say("hello")] },
  ];
  const r = importFiles([file("x.json", recs)], "tau-bench");
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.prompts.map((p) => p.id), ["task-3", "task-5"]);
  const [a, b] = r.prompts[0]!.samples;
  assert.equal(r.prompts[0]!.prompt, "please cancel my trip", "the prompt is the first trial's first user message");
  assert.deepEqual([a!.index, b!.index, a!.reward, b!.reward], [0, 1, 1, 0]);
  assert.deepEqual(b!.steps, [
    { kind: "user", text: "cancel my trip" },
    { kind: "text", text: "Let me cancel it." },
    { kind: "tool_call", name: "cancel_reservation", arguments: "{reservation_id: ABC}", id: "c1" },
    { kind: "tool_result", text: "Error: reservation not found", id: "c1", name: "cancel_reservation", isError: true },
    { kind: "text", text: "Sorry, not found." },
  ]);
  assert.equal(b!.text, "User: cancel my trip\n\nLet me cancel it.\n\n→ cancel_reservation {reservation_id: ABC}\n\n← cancel_reservation (error): Error: reservation not found\n\nSorry, not found.");
  assert.equal(r.summary, "2 tasks × 1–2 runs, 2 tool calls; format τ-bench");
});

test("τ-bench records: a second record of the same trial, a record that is not an object, an unknown role: each skipped and named", () => {
  const ok = { task_id: 1, trial: 0, reward: 1, traj: [msg.user("hi"), msg.say("hello")] };
  const recs = [ok, { ...ok, reward: 0 }, 42, { task_id: 2, trial: 0, reward: 0, traj: [msg.user("hi"), { role: "narrator", content: "…" }] }];
  const r = importFiles([file("r.json", recs)]);
  assert.deepEqual(r.problems, [
    { where: "r.json#2", message: "is a number, not a {task_id, trial, reward, info, traj} record; record skipped" },
    { where: "r.json#3", message: 'task 2: traj[1] has role "narrator" (expected system, user, assistant or tool); record skipped' },
    { where: "r.json#1", message: "task 1: trial 0 again (first at r.json#0); record skipped" },
  ]);
  assert.equal(r.prompts.length, 1);
  assert.equal(r.prompts[0]!.samples[0]!.reward, 1, "the first of the two is kept");
  const bad = importFiles([{ path: "b.json", bytes: new TextEncoder().encode("[{") }], "tau-bench");
  assert.equal(bad.prompts.length, 0);
  assert.match(bad.problems[0]!.message, /^not valid JSON .*; file skipped$/);
});

test("the registry: detection, format names as people type them, and the message naming the known formats", () => {
  assert.deepEqual(IMPORTERS.map((i) => i.name).slice(0, 1), ["tau-bench"]);
  assert.equal(IMPORTERS.at(-1)!.name, "chat", "chat, the loosest shape, is tried last");
  for (const name of ["tau-bench", "taubench", "TAU_BENCH", "τ-bench"]) assert.equal(findImporter(name), tauBench, name);
  assert.equal(findImporter("inspector"), undefined);
  const tau = file("results.json", [{ task_id: 0, trial: 0, reward: 1, info: {}, traj: [msg.user("hi"), msg.say("hello")] }]);
  const chatLine: InputFile = { path: "c.jsonl", bytes: new TextEncoder().encode(JSON.stringify({ messages: [msg.user("hi"), msg.say("hello")] }) + "\n") };
  assert.equal(detectFormat([tau])?.name, "tau-bench");
  assert.equal(detectFormat([chatLine])?.name, "chat");
  // in a folder, each reader takes its own files: a README beside the results is not read
  const readme: InputFile = { path: "README.md", bytes: new TextEncoder().encode("# results\n") };
  assert.equal(detectFormat([readme, tau])?.name, "tau-bench");
  assert.deepEqual(importFiles([readme, tau]).problems, []);

  const unknown = () => importFiles([tau], "inspector");
  assert.throws(unknown, ImportFormatError);
  assert.throws(unknown, { message: /^unknown format "inspector"; the formats are tau-bench \(τ-bench results\), inspect \(Inspect AI log\), claude-code \(.*\), otel \(.*\), promptfoo \(.*\), chat \(.+\)$/ });
  assert.throws(() => importFiles([readme]), { message: /^cannot tell which format README\.md is in; the formats are tau-bench \(τ-bench results\), inspect/ });
  assert.throws(() => importFiles([]), { message: "no files to import" });
});

test("τ-bench records: the system message is the prompt's system; trials that ran under different ones are named, the first trial's kept", () => {
  const policy = (v: string) => ({ role: "system", content: `# Policy ${v}` });
  const recs = [
    { task_id: 7, trial: 0, reward: 1, info: {}, traj: [policy("A"), msg.user("hi"), msg.say("hello")] },
    { task_id: 7, trial: 1, reward: 0, info: {}, traj: [policy("B"), msg.user("hi"), msg.say("bye")] },
    { task_id: 8, trial: 0, reward: 0, info: {}, traj: [msg.user("no policy here"), msg.say("ok")] },
  ];
  const r = importFiles([file("x.json", recs)], "tau-bench");
  assert.equal(r.prompts[0]!.system, "# Policy A");
  assert.equal(r.prompts[1]!.system, undefined, "no system message: no system");
  assert.deepEqual(
    r.problems.map((p) => `${p.where}: ${p.message}`),
    ["x.json#1: task 7: trial 1's system prompt differs from trial 0's; the prompt keeps trial 0's"],
  );
});
