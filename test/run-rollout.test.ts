// `hotmess run … --steps K`: rollouts from the command line. On the τ-bench fixture, a rerun of
// task-2's run 0 from before its action 2, each rerun going on for up to 3 actions on the simulated
// agent, tool results replayed from the trace set's runs of task-2 (the default): the run file
// records the rollout settings and each sample's whole trajectory (calls, results paired by id)
// and why it stopped; the summary line counts the stops; the analysis sees every action. A tool
// command (a node script, split without a shell) answers what nothing recorded; the header keeps
// only its program. Flags that make no sense alone are refused; a resumed rollout needs its
// replay file again.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, type Io } from "../src/cli/main";
import { rolloutSummary } from "../src/core/replay";
import { actionKey, parseRunFile, type Analysis, type ParsedRun } from "../src/core";
import { Capture } from "./support/capture";
import { sharedFixture, skipWithout } from "./support/fixtures";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "hotmess-rollout-"));
});
after(() => {});

async function hotmess(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(args, { stdout, stderr, env } as Io);
  return { code, out: stdout.text, err: stderr.text };
}

function runIn(out: string): { run: ParsedRun; file: string } {
  const files = readdirSync(out);
  assert.equal(files.length, 1);
  const file = join(out, files[0]!);
  return { run: parseRunFile(readFileSync(file, "utf8")), file };
}

/** Every tool_result step answers a tool_call before it, by id. */
function assertPaired(steps: NonNullable<ParsedRun["samples"][number]["steps"]>) {
  const open = new Set<string>();
  for (const st of steps) {
    if (st.kind === "tool_call") open.add(st.id!);
    if (st.kind === "tool_result") assert.ok(open.delete(st.id!), `result ${st.id} answers a call before it`);
  }
}

const TAU = sharedFixture("tau-airline-gpt4o", "results.json");

test("the τ-bench fixture, --steps 3 on the simulated agent: rollouts with the task's recorded results, every stop recorded and counted", { skip: skipWithout(TAU) }, async () => {
  const traces = join(dir, "tau.jsonl");
  const imp = await hotmess(["import", TAU!, "--out", traces]);
  assert.equal(imp.code, 0, imp.err);
  const out = join(dir, "tau-rollout");
  const json = join(dir, "tau-rollout.json");
  const r = await hotmess(["run", "--conversation", traces, "--task", "task-2", "--run", "0", "--before-action", "2", "-n", "12", "--provider", "simulated", "--sim-spread", "0.9", "--sim-seed", "10", "--steps", "3", "--out", out, "--json", json]);
  assert.equal(r.code, 0, r.err);
  const { run } = runIn(out);
  // the header: the steps, the replay source (the task's runs of the trace set) and what it held
  assert.deepEqual(run.header.rollout, { steps: 3, replay: "tau.jsonl", replayTask: "task-2", replayResults: { calls: 61, answered: 61, keys: 30, ambiguous: 0 } });
  assert.match(r.err, /rollouts of up to 3 actions; tool results recorded in tau\.jsonl \(the runs of task-2\): 61 of 61 calls with a result, 30 distinct; a call with none stops its rerun/);
  assert.equal(run.samples.length, 12);
  const reasons = new Map<string, number>();
  for (const s of run.samples) {
    const stop = s.rolloutStop!;
    assert.ok(stop, `sample ${s.index} says why its rollout stopped`);
    reasons.set(stop.reason, (reasons.get(stop.reason) ?? 0) + 1);
    const calls = s.steps!.filter((st) => st.kind === "tool_call");
    assert.equal(stop.actions, calls.length);
    assert.ok(stop.actions <= 3 || stop.reason === "steps");
    assertPaired(s.steps!);
    const results = s.steps!.filter((st) => st.kind === "tool_result");
    assert.equal(results.length, stop.results.replay, "every result given came from the replay table");
    if (stop.reason === "no-result") assert.equal(stop.call, actionKey(calls.at(-1)!), "it stopped at its last call, the one without a result");
    if (stop.reason === "steps") assert.equal(results.length, calls.length - 1, "the call that reached the steps was not answered");
  }
  // what this seed gives (the simulated agent is seeded; the prefix holds the airline policy and the 13 tools the agent was seen to call): 10 answered, 1 stopped without a result, 1 reached 3 actions
  assert.deepEqual(Object.fromEntries(reasons), { answered: 10, "no-result": 1, steps: 1 });
  assert.ok(run.samples.some((s) => s.rolloutStop!.turns >= 2), "some reruns went past their first turn");
  assert.match(r.err, /hotmess: rollouts: 10 answered, 1 stopped at a call with no recorded result \(update_reservation_flights \{"cabin":"economy",.*\), 1 reached 3 steps; tool results given: \d+ from the replay table\n/);
  // the analysis reads the whole trajectories: each run's actions are all its calls
  const a = JSON.parse(readFileSync(json, "utf8")) as Analysis;
  const p = a.prompts[0]!;
  assert.deepEqual(
    p.agent!.toolCalls,
    [...run.samples].sort((x, y) => x.index - y.index).map((s) => s.rolloutStop!.actions),
  );
  assert.ok(p.runs.some((run) => run.steps.some((st) => st.kind === "tool_result")), "tool results are steps of the runs");
});

test("--tool-command answers what nothing recorded: the call as JSON on its input, split without a shell; the header keeps only the program", async () => {
  const script = join(dir, "airline-tool.js");
  writeFileSync(
    script,
    `let s = ""; process.stdin.on("data", (d) => (s += d)); process.stdin.on("end", () => { const c = JSON.parse(s); process.stdout.write(JSON.stringify({ tool: c.name, args: c.arguments, extra: process.argv.slice(2) })); });`,
  );
  const prefix = {
    messages: [
      { role: "system", content: "You are an airline customer service agent." },
      { role: "user", content: "Hi, I'd like to cancel reservation EHGLP3. My user id is raj_brown_5782." },
    ],
    tools: [
      { type: "function", function: { name: "get_user_details", description: "Get the details of a user, including their reservations.", parameters: { type: "object", properties: { user_id: { type: "string" } }, required: ["user_id"] } } },
      { type: "function", function: { name: "get_reservation_details", description: "Get the details of a reservation.", parameters: { type: "object", properties: { reservation_id: { type: "string" } }, required: ["reservation_id"] } } },
    ],
  };
  const file = join(dir, "prefix.json");
  writeFileSync(file, JSON.stringify(prefix));
  const out = join(dir, "cmd");
  const r = await hotmess(["run", "--conversation", file, "-n", "4", "--provider", "simulated", "--sim-spread", "0", "--steps", "2", "--tool-command", `"${process.execPath}" "${script}" --db 'my db.json'`, "--tool-timeout", "20", "--out", out]);
  assert.equal(r.code, 0, r.err);
  const { run, file: runFile } = runIn(out);
  assert.deepEqual(run.header.rollout, { steps: 2, replayResults: { calls: 0, answered: 0, keys: 0, ambiguous: 0 }, command: process.execPath, timeoutMs: 20000 });
  assert.ok(!readFileSync(runFile, "utf8").includes("airline-tool.js"), "the command's arguments are not in the run file's header");
  for (const s of run.samples) {
    assertPaired(s.steps!);
    const result = s.steps!.find((st) => st.kind === "tool_result");
    assert.ok(result, `sample ${s.index} got a result from the command`);
    const call = s.steps!.find((st) => st.kind === "tool_call")!;
    assert.deepEqual(JSON.parse(result.text!), { tool: call.name, args: call.arguments, extra: ["--db", "my db.json"] });
    assert.ok(s.rolloutStop!.results.command >= 1);
  }
  assert.match(r.err, /rollouts of up to 2 actions; tool results from .*node.* \(run without a shell, killed after 20 s; its output is untrusted text\)\n/);
  assert.match(r.err, /tool results given: 0 from the replay table, \d+ from the tool command/);
});

test("rollout flags are checked before any request", async () => {
  const file = join(dir, "p2.json");
  writeFileSync(file, JSON.stringify({ messages: [{ role: "user", content: "hi" }], tools: [] }));
  const cases: [string[], RegExp][] = [
    [["--conversation", file, "--replay", file], /--replay goes with a rollout: give --steps K/],
    [["--conversation", file, "--tool-command", "x"], /--tool-command goes with a rollout/],
    [["--prompt", "2+2?", "--steps", "3"], /--steps continues an agent's conversation: give it with --conversation/],
    [["--conversation", file, "--steps", "3", "--tool-command", "tool 'open"], /--tool-command: the tool command has an unclosed single quote/],
    [["--conversation", file, "--steps", "3", "--replay", join(dir, "missing.jsonl")], /cannot read the replay file .*missing\.jsonl: no such file/],
    [["--conversation", file, "--steps", "0"], /--steps/],
  ];
  for (const [args, re] of cases) {
    const r = await hotmess(["run", ...args, "-n", "2", "--provider", "simulated", "--out", join(dir, "never")]);
    assert.notEqual(r.code, 0, args.join(" "));
    assert.match(r.err, re, args.join(" "));
  }
  assert.throws(() => readdirSync(join(dir, "never")), /ENOENT/, "no run file was made");
});

test("a resumed rollout needs its replay file again, and keeps its steps", { skip: skipWithout(TAU) }, async () => {
  const traces = join(dir, "tau2.jsonl");
  assert.equal((await hotmess(["import", TAU!, "--out", traces])).code, 0);
  const out = join(dir, "resume");
  const first = await hotmess(["run", "--conversation", traces, "--task", "task-2", "--run", "0", "--before-action", "2", "-n", "2", "--provider", "simulated", "--steps", "2", "--out", out]);
  assert.equal(first.code, 0, first.err);
  const { file } = runIn(out);
  const without = await hotmess(["run", "--resume", file, "-n", "4"]);
  assert.notEqual(without.code, 0);
  assert.match(without.err, /this run is a rollout whose tool results came from tau2\.jsonl: give that file again with --replay/);
  const steps = await hotmess(["run", "--resume", file, "-n", "4", "--replay", traces, "--steps", "5"]);
  assert.match(steps.err, /--steps cannot change it/);
  const resumed = await hotmess(["run", "--resume", file, "-n", "4", "--replay", traces]);
  assert.equal(resumed.code, 0, resumed.err);
  const run = parseRunFile(readFileSync(file, "utf8"));
  assert.equal(run.samples.length, 4);
  for (const s of run.samples) assert.ok(s.rolloutStop && s.rolloutStop.actions <= 2 + 1, JSON.stringify(s.rolloutStop));
  assert.match(resumed.err, /\(the runs of task-2\): 61 of 61 calls with a result/, "the task's runs again, as the header recorded");
});

test("rolloutSummary: counts by reason, the calls stopped at most often first", () => {
  const stop = (reason: "answered" | "steps" | "no-result" | "truncated" | "error", call?: string) => ({ rolloutStop: { reason, ...(call ? { call } : {}), turns: 1, actions: 1, results: { replay: 1, command: 0, ambiguous: reason === "steps" ? 1 : 0 } } });
  assert.equal(
    rolloutSummary([stop("answered"), stop("no-result", 'get_flight_status{"date":"2024-05-20","flight_number":"HAT156"}'), stop("steps"), stop("no-result", "cancel_reservation{}"), stop("no-result", 'get_flight_status{"date":"2024-05-20","flight_number":"HAT156"}'), stop("answered")], 5),
    'rollouts: 2 answered, 3 stopped at a call with no recorded result (get_flight_status {"date":"2024-05-20","flight_number":"HAT156"} ×2; cancel_reservation {}), 1 reached 5 steps; tool results given: 6 from the replay table (1 of calls recorded with other results too: the first recorded was given)',
  );
  assert.equal(rolloutSummary([{}], 3), null);
});
