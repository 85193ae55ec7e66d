// Agent trajectories (METRICS.md §11–12, FORMATS.md "Trajectories"): reading them from a trace
// set, action keys, tool calls, the fork action and why runs parted there, the alignment of
// whole trajectories, and the outcome-vector decomposition; then the τ-bench airline fixture
// (shared/fixtures/tau-airline-gpt4o), imported from τ-bench's own results file as `hotmess import` does.
import { test } from "node:test";
import { importFiles } from "../src/import";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  actionGroups,
  actionKey,
  analyzeRecords,
  analyzeTraceSet,
  canonicalJson,
  forkAction,
  forkCause,
  parseTraceLine,
  toolCalls,
  type PromptAnalysis,
  type PromptRecord,
  type Sample,
  type TrajectoryStep,
} from "../src/core";
import { sharedFixture, skipWithout } from "./support/fixtures";

const TOL = 1e-12;
const call = (name: string, args?: unknown, id?: string): TrajectoryStep => ({ kind: "tool_call", name, ...(args !== undefined ? { arguments: args } : {}), ...(id ? { id } : {}) });
const result = (text: string, id?: string): TrajectoryStep => ({ kind: "tool_result", text, ...(id ? { id } : {}) });
const user = (text: string): TrajectoryStep => ({ kind: "user", text });
const say = (text: string): TrajectoryStep => ({ kind: "text", text });

// ---------- reading ----------

function parse(samples: unknown[]) {
  const p = parseTraceLine(JSON.stringify({ id: "t", samples }), 4);
  assert.ok(p && "record" in p, `expected a record, got ${JSON.stringify(p)}`);
  return p;
}

test("trace set: a sample of steps only is read, with reward and outcomes; unknown step fields and nulls are dropped", () => {
  const p = parse([
    {
      steps: [
        { kind: "user", text: "cancel ABC" },
        { kind: "tool_call", name: "cancel", arguments: { id: "ABC" }, id: "c1", extra: 1 },
        { kind: "tool_result", text: "ok", id: "c1", isError: false, name: null },
        { kind: "text", text: "Done." },
      ],
      reward: 1,
      outcomes: { db: 1, reply: 0 },
    },
  ]);
  assert.deepEqual(p.warnings, []);
  const s = p.record.samples[0]!;
  assert.deepEqual(s.steps, [
    { kind: "user", text: "cancel ABC" },
    { kind: "tool_call", name: "cancel", arguments: { id: "ABC" }, id: "c1" },
    { kind: "tool_result", text: "ok", id: "c1", isError: false },
    { kind: "text", text: "Done." },
  ]);
  assert.equal(s.reward, 1);
  assert.deepEqual(s.outcomes, { db: 1, reply: 0 });
});

test("trace set: a bad step, reward or outcome skips its sample with a message naming the sample and the step index", () => {
  const good = { steps: [{ kind: "text", text: "hi" }] };
  const cases: [unknown, RegExp][] = [
    [{ steps: [{ kind: "text", text: "a" }, { kind: "thought", text: "b" }] }, /sample 1 "steps"\[1\] has kind "thought", not one of reasoning, text, tool_call, tool_result, user; sample skipped/],
    [{ steps: [{ text: "b" }] }, /sample 1 "steps"\[0\] has kind missing/],
    [{ steps: [{ kind: "user" }, { kind: "tool_call", arguments: {} }] }, /sample 1 "steps"\[1\] \(tool_call\) needs a "name"/],
    [{ steps: [{ kind: "tool_call", name: 3 }] }, /sample 1 "steps"\[0\] \(tool_call\) needs a "name"/],
    [{ steps: [{ kind: "user", text: 5 }] }, /sample 1 "steps"\[0\] \(user\): "text" is a number, not a string/],
    [{ steps: [{ kind: "tool_result", text: "x", isError: "yes" }] }, /"steps"\[0\] \(tool_result\): "isError" is a string/],
    [{ steps: ["text"] }, /sample 1 "steps"\[0\] is a string, not an object/],
    [{ steps: {} }, /sample 1 "steps" is an object, not an array of steps/],
    [{ steps: [] }, /sample 1 has neither "text" nor "thinking", and its "steps" is empty/],
    [{ steps: [{ kind: "text", text: "a" }], reward: 1.5 }, /sample 1 "reward" is 1.5, not a number in \[0, 1\]/],
    [{ steps: [{ kind: "text", text: "a" }], reward: "1" }, /sample 1 "reward" is a string, not a number in \[0, 1\]/],
    [{ steps: [{ kind: "text", text: "a" }], outcomes: { a: 0.5 } }, /sample 1 "outcomes"."a" is 0.5, not 0 or 1/],
    [{ steps: [{ kind: "text", text: "a" }], outcomes: [1] }, /sample 1 "outcomes" is an array/],
  ];
  for (const [bad, message] of cases) {
    const p = parse([good, bad, good]);
    assert.equal(p.record.samples.length, 2, JSON.stringify(bad));
    assert.equal(p.warnings.length, 1);
    assert.equal(p.warnings[0]!.line, 4);
    assert.match(p.warnings[0]!.message, /^prompt "t": /);
    assert.match(p.warnings[0]!.message, message);
  }
  // the old message for a sample with nothing at all is unchanged
  assert.match(parse([good, { answer: 1 }]).warnings[0]!.message, /^prompt "t": sample 1 has neither "text" nor "thinking"; sample skipped$/);
});

test("correctness from reward: correct from 1 − 1e-6; `correct` overrides reward; answer from the last visible text step", () => {
  const steps = (last: string) => [say("Looking."), call("f", {}), result("r"), say(last), { kind: "reasoning", text: "answer is 99" } as TrajectoryStep];
  const a = analyzeRecords(
    [
      {
        id: "r",
        samples: [
          { steps: steps("The answer is 7."), reward: 1 - 5e-7 },
          { steps: steps("The answer is 7."), reward: 0.999 },
          { steps: steps("The answer is 8."), reward: 0, correct: true },
          { steps: steps("The answer is 8."), reward: 1, correct: false },
        ],
      },
    ],
    { resamples: 0 },
  );
  const p = a.prompts[0]!;
  assert.equal(p.target, "flags");
  assert.deepEqual(
    p.runs.map((r) => r.correct),
    [true, false, true, false],
  );
  assert.deepEqual(
    p.runs.map((r) => r.answerKey),
    ["(correct)", "7", "(correct)", "8"],
  );
  assert.ok(p.runs.every((r) => r.answerExtracted && !r.fromThinking));
  assert.deepEqual(p.passHatK, [0.5, 1 / 6, 0, 0]);
});

// ---------- §11: action keys, tool calls, the fork action ----------

test("actionKey: name + canonical JSON (keys sorted recursively, no white space); strings parsed when they are JSON, else trimmed", () => {
  const args = { b: 1.0, a: { d: [3, { f: "x y", e: null }], c: true } };
  const want = 'search{"a":{"c":true,"d":[3,{"e":null,"f":"x y"}]},"b":1}';
  assert.equal(actionKey({ name: "search", arguments: args }), want);
  assert.equal(actionKey({ name: "search", arguments: ' { "b" : 1 , "a": {"d": [3, {"f": "x y", "e": null}], "c": true} } ' }), want);
  assert.equal(actionKey({ name: "run", arguments: "  ls -la /tmp  " }), "runls -la /tmp");
  assert.equal(actionKey({ name: "run", arguments: "{not json" }), "run{not json");
  assert.equal(actionKey({ name: "now" }), "now{}");
  assert.equal(actionKey({ name: "now", arguments: "  " }), "now{}");
  assert.equal(actionKey({ name: "now", arguments: {} }), "now{}");
  assert.equal(actionKey({ name: "f", arguments: '"quoted"' }), 'f"quoted"');
  assert.equal(actionKey({ name: "f", arguments: "[2, 1]" }), "f[2,1]");
  assert.equal(actionKey({ name: "f", arguments: 12 }), "f12");
  assert.notEqual(actionKey({ name: "f", arguments: { id: 1 } }), actionKey({ name: "f", arguments: { id: "1" } }));
  assert.equal(canonicalJson({ "é": 1, e: [{ z: 1, a: 2 }] }), '{"e":[{"a":2,"z":1}],"é":1}');
});

test("toolCalls counts the tool_call steps of a run", () => {
  assert.equal(toolCalls([]), 0);
  assert.equal(toolCalls([user("hi"), say("ok")]), 0);
  assert.equal(toolCalls([user("hi"), call("a"), result("1"), call("b", { x: 1 }), call("a"), say("done")]), 3);
});

test("forkAction: the first position where the keys differ; a run that ended counts as <end>; null when all equal", () => {
  assert.equal(forkAction([["a", "b"], ["a", "b"], ["a", "b"]]), null);
  assert.equal(forkAction([[], []]), null);
  assert.equal(forkAction([["a", "b"]]), null, "one run has nothing to part from");
  assert.equal(forkAction([["a", "b", "c"], ["a", "x", "c"], ["a", "b", "c"]]), 1);
  assert.equal(forkAction([["a", "b"], ["a"]]), 1, "the second run ended before its second action");
  assert.equal(forkAction([["a"], []]), 0);
  assert.equal(forkAction([["a", "b"], ["a", "b"], ["a", "b", "c"]]), 2);
  const groups = actionGroups([["a", "b"], ["a"], ["a", "c"], ["a", "b"]], 1);
  assert.deepEqual(groups, [
    { key: "b", count: 2, runs: [0, 3] },
    { key: "<end>", count: 1, runs: [1] },
    { key: "c", count: 1, runs: [2] },
  ]);
});

// ---------- why runs parted ----------

function cause(runs: TrajectoryStep[][]) {
  const keys = runs.map((r) => r.filter((s) => s.kind === "tool_call").map(actionKey));
  const k = forkAction(keys);
  return forkCause(runs, k, k === null ? [] : actionGroups(keys, k), [10, 11, 12, 13].slice(0, runs.length));
}

test("forkCause: the same context just before and a different choice is the policy", () => {
  const start = [user("Cancel reservation ABC please"), call("get", { id: "ABC" }, "1"), result('{"status": "active"}', "1")];
  const c = cause([
    [...start, call("cancel", { id: "ABC" })],
    [...start, say("Are you sure?"), call("transfer", {})],
    [...start, call("cancel", { id: "ABC" })],
  ]);
  assert.equal(c?.kind, "policy");
  // run 11 asked a question first: the runs parted in what the agent said
  assert.match(c!.detail, /before action 2, the runs had already parted in what the agent said: run 10 had nothing more where run 11 said "Are you sure\?"; they chose cancel\{"id":"ABC"\} and transfer\{\}/);
  const silent = cause([
    [...start, call("cancel", { id: "ABC" })],
    [...start, call("transfer", {})],
    [...start, call("cancel", { id: "ABC" })],
  ]);
  assert.equal(silent?.kind, "policy");
  assert.match(silent!.detail, /runs 10 and 11 met the same tool results and user turns and said the same since the previous action, and chose differently at action 2: cancel\{"id":"ABC"\} vs transfer\{\}/);
  // the agent asked for different things and the user answered each: the user's turns differ because the agent's did
  const asked = cause([
    [user("Cancel my trip"), say("Could you give me your reservation number?"), user("It is ABC"), call("cancel", { id: "ABC" })],
    [user("Cancel my trip"), say("May I have your user id first, to look up your profile?"), user("sara_doe_496"), call("get_user", { id: "sara_doe_496" })],
  ]);
  assert.equal(asked?.kind, "policy");
  assert.match(asked!.detail, /run 10 said "Could you give me your reservation number\?" where run 11 said "May I have your user id/);
  // the agent said the same (reworded); the user answered differently: the environment
  const answered = cause([
    [user("Cancel my trip"), say("Could you give me your reservation number?"), user("It is ABC"), call("cancel", { id: "ABC" })],
    [user("Cancel my trip"), say("Could you give me your reservation number, please?"), user("I do not have it; my user id is sara_doe_496"), call("get_user", { id: "sara_doe_496" })],
  ]);
  assert.equal(answered?.kind, "environment");
  assert.match(answered!.detail, /the user turn "It is ABC" where run 11 met the user turn "I do not have it/);
  // a user turn reworded (the same numbers, mostly the same words) is the same context
  const reworded = cause([
    [user("Please cancel my reservation ABC"), call("cancel", { id: "ABC" })],
    [user("Cancel my reservation ABC, please!"), call("get", { id: "ABC" })],
  ]);
  assert.equal(reworded?.kind, "policy");
  // a run that stopped with the same context chose to stop
  const stop = cause([[user("hi"), call("a")], [user("hi"), say("bye")]]);
  assert.equal(stop?.kind, "policy");
  assert.match(stop!.detail, /a\{\} vs to stop|to stop vs a\{\}|a\{\} and to stop/);
});

test("forkCause: a different tool result or user turn just before is the environment; earlier ones do not count", () => {
  const c = cause([
    [user("Cancel ABC"), call("get", { id: "ABC" }, "1"), result('{"status": "active"}', "1"), call("cancel", { id: "ABC" })],
    [user("Cancel ABC"), call("get", { id: "ABC" }, "1"), result('{"status": "flown"}', "1"), call("transfer", {})],
    [user("Cancel ABC"), call("get", { id: "ABC" }, "1"), result('{"status":   "active"}', "1"), call("cancel", { id: "ABC" })],
  ]);
  assert.equal(c?.kind, "environment");
  assert.match(c!.detail, /before action 2, run 10 met the result of get "\{\\"status\\": \\"active\\"\}" where run 11 met the result of get "\{\\"status\\": \\"flown\\"\}"/);
  const u = cause([
    [user("Cancel ABC"), call("get", { id: "ABC" }), user("Yes, cancel it"), call("cancel", { id: "ABC" })],
    [user("Cancel ABC"), call("get", { id: "ABC" }), user("No, keep it; what is my balance?"), call("balance", {})],
  ]);
  assert.equal(u?.kind, "environment");
  assert.match(u!.detail, /the user turn "Yes, cancel it" where run 11 met the user turn "No, keep it/);
  // the first user turns differ, but the runs acted alike on them; just before the fork they met the same result
  const earlier = cause([
    [user("I want to cancel ABC"), call("get", { id: "ABC" }), result("active"), call("cancel", { id: "ABC" })],
    [user("Tell me about ABC"), call("get", { id: "ABC" }), result("active"), call("transfer", {})],
  ]);
  assert.equal(earlier?.kind, "policy");
  assert.equal(cause([[user("x"), call("a")], [user("x"), call("a")]]), null);
});

// ---------- the alignment of whole trajectories ----------

function cellOf(p: PromptAnalysis, run: number, text: string): { column: number; group: number | null } {
  const step = p.runs[run]!.steps.findIndex((s) => s.text === text);
  assert.ok(step >= 0, `run ${run} has no step ${text}`);
  const column = p.columns.findIndex((c) => c.cells[run]!.step === step);
  return { column, group: p.columns[column]!.cells[run]!.group };
}

test("alignment: one step per trajectory step; the same call shares a group anywhere, another argument is another group in the column; kinds never mix", () => {
  const runs: Sample[] = [
    { steps: [user("Book me a flight to SEA on May 20"), call("search", { to: "SEA", date: "2024-05-20" }), result("[HAT1, HAT2]"), call("book", { flight: "HAT1" }), say("Booked HAT1.")], reward: 1 },
    { steps: [user("Book me a flight to SEA on May 20"), say("Let me look."), call("search", { date: "2024-05-20", to: "SEA" }), result("[HAT1, HAT2]"), call("book", { flight: "HAT1" }), say("Booked HAT1.")], reward: 1 },
    { steps: [user("Book me a flight to SEA on May 20"), call("search", { to: "SEA", date: "2024-05-21" }), result("[HAT7]"), call("book", { flight: "HAT7" }), say("Booked HAT7.")], reward: 0 },
    { steps: [user("Book me a flight to SEA on May 20"), call("search", { to: "SEA", date: "2024-05-21" }), result("[HAT7]"), call("book", { flight: "HAT7" }), say("Booked HAT7.")], reward: 0 },
  ];
  const p = analyzeRecords([{ id: "air", samples: runs }], { resamples: 0 }).prompts[0]!;
  // steps: the trajectory's, with kinds and offsets into the rendered trace
  const r1 = p.runs[1]!;
  assert.deepEqual(
    r1.steps.map((s) => [s.kind, s.text]),
    [
      ["user", "Book me a flight to SEA on May 20"],
      ["text", "Let me look."],
      ["tool_call", 'search({"date":"2024-05-20","to":"SEA"})'],
      ["tool_result", "[HAT1, HAT2]"],
      ["tool_call", 'book({"flight":"HAT1"})'],
      ["text", "Booked HAT1."],
    ],
  );
  assert.equal(r1.steps[2]!.name, "search");
  assert.deepEqual(
    r1.steps.map((s) => s.source),
    [0, 1, 2, 3, 4, 5],
  );
  const trace = r1.steps.map((s) => s.text).join("\n\n");
  assert.equal(r1.length, trace.length);
  for (const s of r1.steps) assert.equal(trace.slice(s.start, s.end), s.text);
  // the same search (keys in another order) is one group; the other date is another group in that column
  const search = [0, 1, 2, 3].map((r) => cellOf(p, r, r === 2 || r === 3 ? 'search({"date":"2024-05-21","to":"SEA"})' : 'search({"date":"2024-05-20","to":"SEA"})'));
  assert.ok(search.every((c) => c.column === search[0]!.column), JSON.stringify(search));
  assert.equal(search[0]!.group, search[1]!.group);
  assert.equal(search[2]!.group, search[3]!.group);
  assert.notEqual(search[0]!.group, search[2]!.group);
  // no column holds steps of two kinds
  for (const col of p.columns) {
    const kinds = new Set(col.cells.filter((c) => c.step !== null).map((c, k) => p.runs[col.cells.indexOf(c)]!.steps[c.step!]!.kind ?? String(k)));
    assert.equal(kinds.size, 1, JSON.stringify(col));
  }
  // the fork falls on the search: two groups of two runs each
  assert.equal(p.forkColumn, search[0]!.column);
  // §11 on the prompt and on the runs
  assert.deepEqual(p.agent, {
    toolCalls: [2, 2, 2, 2],
    forkAction: 0,
    forkActions: [
      { key: 'search{"date":"2024-05-20","to":"SEA"}', count: 2, runs: [0, 1] },
      { key: 'search{"date":"2024-05-21","to":"SEA"}', count: 2, runs: [2, 3] },
    ],
    forkCause: { kind: "policy", detail: 'runs 0 and 2 met the same tool results and user turns and said the same since the previous action, and chose differently at action 1: search{"date":"2024-05-20","to":"SEA"} vs search{"date":"2024-05-21","to":"SEA"}' },
  });
  assert.deepEqual(
    p.runs.map((r) => r.toolCalls),
    [2, 2, 2, 2],
  );
  assert.deepEqual(p.binary && [p.binary.bias2, p.binary.variance, p.binary.error], [0.25, 0.25, 0.5]);
});

test("plain text prompts have no agent, no outcomes, no toolCalls and no step kinds", () => {
  const a = analyzeTraceSet(JSON.stringify({ id: "x", reference: 3, samples: [{ text: "1 + 2 = 3\nso 3", correct: true }, { text: "1 + 1 = 2", answer: 2 }] }), { resamples: 0 });
  const p = a.prompts[0]!;
  assert.ok(!("agent" in p) && !("outcomes" in p) && !("outcomes" in a.pooled));
  assert.ok(p.runs.every((r) => !("toolCalls" in r) && r.steps.every((s) => !("kind" in s))));
});

// ---------- §12: outcome vectors ----------

const sampleWith = (outcomes: Record<string, number>, extra: Partial<Sample> = {}): Sample => ({ text: "t", outcomes, ...extra });

test("outcomes: bias², variance, error and incoherence by hand, with the finite-sample correction", () => {
  // checks a: 1, 1, 0 (ȳ = 2/3); b: 0, 1, 0 (ȳ = 1/3); T = 2, n = 3
  const a = analyzeRecords([{ id: "o", samples: [sampleWith({ a: 1, b: 0 }), sampleWith({ b: 1, a: 1 }), sampleWith({ a: 0, b: 0 })] }], { resamples: 0 });
  const o = a.prompts[0]!.outcomes!;
  const want = {
    bias2: (1 / 9 + 4 / 9) / 2, // 5/18
    variance: (2 / 9 + 2 / 9) / 2, // 2/9
    error: (1 / 3 + 2 / 3) / 2, // 1/2
    incoherence: 4 / 9,
    varianceUnbiased: 1 / 3, // 3/2 · 2/9
    bias2Unbiased: 1 / 6,
    incoherenceUnbiased: 2 / 3,
    estimate: 4 / 9,
  };
  for (const [k, v] of Object.entries(want)) assert.ok(Math.abs((o as unknown as Record<string, number>)[k]! - v) < TOL, `${k}: ${(o as unknown as Record<string, number>)[k]} ≠ ${v}`);
  assert.ok(Math.abs(o.bias2 + o.variance - o.error) < TOL);
  assert.equal(o.ci95, null);
  // no target from outcomes alone: brier and binary stay null (no flags, no reference)
  assert.equal(a.prompts[0]!.binary, null);
  assert.equal(a.pooled.outcomes!.prompts, 1);
});

test("outcomes with one check equal the binary form", () => {
  for (const pattern of [[1, 0, 0, 1, 1], [0, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0, 0, 0, 0, 1]]) {
    const samples = pattern.map((y) => sampleWith({ tests: y }, { correct: y === 1 }));
    const p = analyzeRecords([{ id: "one", samples }], { resamples: 0 }).prompts[0]!;
    const b = p.binary!;
    const o = p.outcomes!;
    for (const k of ["bias2", "variance", "error", "incoherence", "varianceUnbiased", "bias2Unbiased", "incoherenceUnbiased", "estimate"] as const) {
      const x = o[k];
      const y = b[k];
      if (y === null) assert.equal(x, null, `${pattern}: ${k}`);
      else assert.ok(x !== null && Math.abs(x - y) < TOL, `${pattern}: ${k} ${x} ≠ ${y}`);
    }
  }
});

test("outcomes: absent unless every sample has the same checks; pooled as a ratio of sums", () => {
  const mixed = analyzeRecords(
    [
      { id: "missing", samples: [sampleWith({ a: 1 }), { text: "t" }] },
      { id: "other", samples: [sampleWith({ a: 1 }), sampleWith({ b: 1 })] },
      { id: "more", samples: [sampleWith({ a: 1 }), sampleWith({ a: 1, b: 0 })] },
    ],
    { resamples: 0 },
  );
  assert.ok(mixed.prompts.every((p) => !("outcomes" in p)));
  assert.ok(!("outcomes" in mixed.pooled));
  const two: PromptRecord[] = [
    { id: "p", samples: [sampleWith({ a: 1, b: 0 }), sampleWith({ a: 0, b: 0 })] }, // var (1/4 + 0)/2 = 1/8, err (1/2 + 1)/2 = 3/4
    { id: "q", samples: [sampleWith({ a: 1, b: 1 }), sampleWith({ a: 1, b: 1 })] }, // var 0, err 0
  ];
  const a = analyzeRecords(two, { resamples: 0 });
  const pooled = a.pooled.outcomes!;
  assert.equal(pooled.prompts, 2);
  assert.ok(Math.abs(pooled.variance - 1 / 16) < TOL && Math.abs(pooled.error - 3 / 8) < TOL);
  assert.ok(Math.abs(pooled.incoherence! - 1 / 6) < TOL);
  assert.ok(Math.abs(pooled.incoherenceUnbiased! - 1 / 3) < TOL); // (2 · 1/8 + 0)/2 over (3/4 + 0)/2
  assert.equal(a.prompts[1]!.outcomes!.incoherence, null, "no error to split");
  // referenceFree ignores targets, outcomes included
  assert.ok(!("outcomes" in analyzeRecords(two, { resamples: 0, referenceFree: true }).prompts[0]!));
});

// ---------- the τ-bench airline fixture ----------

const FIXTURE = sharedFixture("tau-airline-gpt4o", "results.json");
const SKIP = skipWithout(FIXTURE);

interface TauRecord {
  task_id: number;
  trial: number;
  reward: number;
  traj: { tool_calls?: { function: { name: string; arguments: string } }[] | null }[];
}

function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let c = 1;
  for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
  return c;
}

test("τ-bench airline (GPT-4o, 25 tasks × 4 trials): pass^k, tool calls and fork actions from the trajectories", { skip: SKIP }, () => {
  const raw = JSON.parse(readFileSync(FIXTURE!, "utf8")) as TauRecord[];
  // imported as `hotmess import` does it
  const records = importFiles([{ path: FIXTURE!, bytes: new Uint8Array(readFileSync(FIXTURE!)) }]).prompts;
  assert.equal(records.length, 25);
  // through the trace-set reader, as `hotmess analyze` would read the converted file
  const a = analyzeTraceSet(records.map((r) => JSON.stringify(r)).join("\n"), { resamples: 200 });
  assert.deepEqual(a.skipped, []);
  assert.equal(a.prompts.length, 25);

  // pass^k by hand from the rewards: mean over tasks of C(c, k)/C(4, k)
  const correctByTask = new Map<number, number>();
  for (const r of raw) correctByTask.set(r.task_id, (correctByTask.get(r.task_id) ?? 0) + (r.reward >= 1 - 1e-6 ? 1 : 0));
  const byHand = [1, 2, 3, 4].map((k) => [...correctByTask.values()].reduce((s, c) => s + choose(c, k) / choose(4, k), 0) / correctByTask.size);
  console.log(`τ-bench airline pass^1..4 = ${byHand.map((x) => x.toFixed(4)).join(", ")}`);
  assert.equal(a.pooled.passHatK!.length, 4);
  a.pooled.passHatK!.forEach((x, i) => assert.ok(Math.abs(x - byHand[i]!) < 1e-12, `pass^${i + 1}: ${x} ≠ ${byHand[i]}`));
  for (const p of a.prompts) assert.equal(p.target, "flags");

  // tool calls: per run, and in all, as counted in the file
  let inFile = 0;
  for (const r of raw) for (const m of r.traj) inFile += m.tool_calls?.length ?? 0;
  let analysed = 0;
  for (const p of a.prompts) {
    assert.ok(p.agent, p.id);
    assert.deepEqual(
      p.agent.toolCalls,
      p.runs.map((r) => r.toolCalls),
    );
    for (const r of p.runs) {
      const src = raw.find((x) => `task-${x.task_id}` === p.id && x.trial === r.index)!;
      assert.equal(r.toolCalls, src.traj.reduce((s, m) => s + (m.tool_calls?.length ?? 0), 0));
    }
    analysed += p.agent.toolCalls.reduce((s, x) => s + x, 0);
  }
  assert.equal(analysed, inFile);

  // the fork action: non-null exactly when the runs' action sequences differ, and where they first do
  let forks = 0;
  for (const p of a.prompts) {
    const task = Number(p.id.slice("task-".length));
    const seqs = raw
      .filter((x) => x.task_id === task)
      .map((x) => x.traj.flatMap((m) => (m.tool_calls ?? []).map((c) => c.function.name + JSON.stringify(sortKeys(JSON.parse(c.function.arguments))))));
    const differ = seqs.some((s) => JSON.stringify(s) !== JSON.stringify(seqs[0]));
    const ag = p.agent!;
    if (!differ) {
      assert.equal(ag.forkAction, null, p.id);
      continue;
    }
    forks++;
    assert.notEqual(ag.forkAction, null, p.id);
    const k = ag.forkAction!;
    const at = seqs.map((s) => s[k] ?? "<end>");
    assert.ok(new Set(at).size > 1, `${p.id}: the runs agree at ${k}`);
    for (let j = 0; j < k; j++) assert.equal(new Set(seqs.map((s) => s[j])).size, 1, `${p.id}: the runs already differ at ${j}`);
    assert.equal(ag.forkActions!.reduce((s, g) => s + g.count, 0), 4);
    assert.ok(ag.forkCause && (ag.forkCause.kind === "policy" || ag.forkCause.kind === "environment") && ag.forkCause.detail.length > 0);
  }
  assert.ok(forks >= 20, `${forks} tasks with a fork action`);
  // every column holds one kind of step, and every run's steps are the trajectory's non-blank steps
  for (const p of a.prompts)
    for (const col of p.columns) {
      const kinds = new Set<string>();
      col.cells.forEach((c, k) => c.step !== null && kinds.add(p.runs[k]!.steps[c.step]!.kind!));
      assert.ok(kinds.size <= 1, `${p.id}: a column of ${[...kinds].join(" and ")}`);
    }
});

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(
    Object.keys(v as object)
      .sort()
      .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
  );
}
