// `hotmess run --conversation FILE -n N`: an agent's next turn sampled N times from a prefix in
// either provider's format, with the tools declared; the run file keeps the prefix and the
// expected action (--reference), each sample its next turn as steps; the analysis classes the
// next actions and gives pass^k of "took the expected action". Against the simulated agent and
// a fake Anthropic server (the request it received: tools declared, prefix intact, cached);
// malformed prefixes are refused before any request.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, type Io } from "../src/cli/main";
import { parseRunFile, type Analysis } from "../src/core";
import { Capture } from "./support/capture";
import { startFakeAnthropic, type FakeAnthropic } from "./fakes/anthropic";
import { startFakeOpenAI, type FakeOpenAI } from "./fakes/openai";
import { sharedFixture, skipWithout } from "./support/fixtures";

const KEY = "sk-ant-test-key-456";
let fake: FakeAnthropic;
let openai: FakeOpenAI;
let dir: string;
before(async () => {
  fake = await startFakeAnthropic();
  openai = await startFakeOpenAI();
  dir = mkdtempSync(join(tmpdir(), "hotmess-conv-"));
});
after(async () => {
  await fake.close();
  await openai.close();
});

async function hotmess(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(args, { stdout, stderr, env } as Io);
  return { code, out: stdout.text, err: stderr.text };
}

const TOOLS = [
  { type: "function", function: { name: "get_user_details", description: "Get the details of a user, including their reservations.", parameters: { type: "object", properties: { user_id: { type: "string" } }, required: ["user_id"] } } },
  { type: "function", function: { name: "get_reservation_details", description: "Get the details of a reservation.", parameters: { type: "object", properties: { reservation_id: { type: "string" } }, required: ["reservation_id"] } } },
  { type: "function", function: { name: "cancel_reservation", description: "Cancel the whole reservation.", parameters: { type: "object", properties: { reservation_id: { type: "string" } }, required: ["reservation_id"] } } },
];

/** An OpenAI-format prefix: the customer has given a reservation id, the profile was looked up. */
function openaiPrefix() {
  return {
    messages: [
      { role: "system", content: "You are an airline customer service agent. Follow the policy." },
      { role: "user", content: "Hi, I'd like to cancel reservation EHGLP3. My user id is raj_brown_5782." },
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_user_details", arguments: '{"user_id": "raj_brown_5782"}' } }] },
      { role: "tool", tool_call_id: "call_1", content: '{"name": "Raj Brown", "reservations": ["EHGLP3", "VA5SGQ"]}' },
    ],
    tools: TOOLS,
  };
}

function write(name: string, v: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, typeof v === "string" ? v : JSON.stringify(v, null, 2));
  return f;
}

function runOf(out: string) {
  const files = readdirSync(out);
  assert.equal(files.length, 1);
  return parseRunFile(readFileSync(join(out, files[0]!), "utf8"));
}

test("run --conversation on the simulated agent: 8 next actions recorded as steps, classed, with pass^k of the expected action", async () => {
  const out = join(dir, "sim");
  const json = join(dir, "sim.json");
  const r = await hotmess(["run", "--conversation", write("prefix.json", openaiPrefix()), "-n", "8", "--provider", "simulated", "--reference", "get_reservation_details", "--out", out, "--json", json]);
  assert.equal(r.code, 0, r.err);
  const run = runOf(out);
  assert.equal(run.header.expectedAction, "get_reservation_details");
  assert.equal(run.header.reference, undefined);
  assert.equal(run.header.conversation?.tools.length, 3);
  assert.equal(run.header.conversation?.messages.length, 3, "system apart; user, assistant, tool result");
  assert.match(run.header.prompt, /^The next turn of the conversation in prefix\.json \(3 messages, 3 tools declared\), after: \[result of call_1\]/);
  assert.equal(run.samples.length, 8);
  for (const s of run.samples) {
    assert.ok(Array.isArray(s.steps), "each sample keeps its next turn as steps");
    for (const st of s.steps!) if (st.kind === "tool_call") assert.ok(TOOLS.some((t) => t.function.name === st.name), `a declared tool: ${st.name}`);
  }
  const a = JSON.parse(readFileSync(json, "utf8")) as Analysis;
  const p = a.prompts[0]!;
  assert.equal(p.n, 8);
  assert.equal(p.target, "flags");
  const right = run.samples.filter((s) => s.steps!.find((st) => st.kind === "tool_call")?.name === "get_reservation_details").length;
  assert.equal(p.answers.find((c) => c.reference)?.count ?? 0, right);
  assert.ok(p.agent, "the next actions are trajectories");
  assert.equal(p.passHatK![0], right / 8);
  assert.match(r.out, /Agent trajectories/);
});

test("run --conversation against a fake Anthropic server: the request declares the tools and carries the prefix intact, cached; the next actions split", async () => {
  let k = 0;
  fake.setDefault(() => {
    const i = k++;
    return i % 4 === 3
      ? { kind: "ok", text: ["Before I cancel, could you confirm the reason for cancellation?"] }
      : { kind: "ok", text: [], toolCalls: [{ name: i % 4 === 2 ? "cancel_reservation" : "get_reservation_details", input: { reservation_id: "EHGLP3" } }] };
  });
  const before = fake.requests.length;
  const out = join(dir, "anthropic");
  const json = join(dir, "anthropic.json");
  const r = await hotmess(
    ["run", "--conversation", write("prefix2.json", openaiPrefix()), "-n", "8", "--provider", "anthropic", "--model", "claude-haiku-4-5", "--thinking", "off", "--base-url", fake.url, "--reference", 'get_reservation_details{"reservation_id":"EHGLP3"}', "--concurrency", "1", "--out", out, "--json", json],
    { ANTHROPIC_API_KEY: KEY },
  );
  assert.equal(r.code, 0, r.err);
  // the progress says how much of the input came from the cache, and what a rerun costs
  assert.match(r.err, /8\/8 done · [\d.k]+ in \([\d.k]+ from the cache\) \/ [\d.k]+ out tokens · \$[\d.]+ · \$[\d.]+ a rerun/);
  const sent = fake.requests.slice(before);
  assert.equal(sent.length, 8);
  const body = sent[0]!.body as { system?: unknown; tools: { name: string; input_schema: unknown; cache_control?: unknown }[]; messages: { role: string; content: unknown }[] };
  assert.deepEqual(body.tools.map((t) => t.name), ["get_user_details", "get_reservation_details", "cancel_reservation"]);
  assert.deepEqual(body.tools[1]!.input_schema, TOOLS[1]!.function.parameters);
  assert.deepEqual(body.messages.map((m) => m.role), ["user", "assistant", "user"]);
  assert.deepEqual(body.messages[1]!.content, [{ type: "tool_use", id: "call_1", name: "get_user_details", input: { user_id: "raj_brown_5782" } }]);
  const results = body.messages[2]!.content as { type: string; tool_use_id: string; content: unknown; cache_control?: unknown }[];
  assert.equal(results[0]!.type, "tool_result");
  assert.equal(results[0]!.tool_use_id, "call_1");
  assert.deepEqual(results[results.length - 1]!.cache_control, { type: "ephemeral" }, "the prefix is cached");
  assert.match(JSON.stringify(body.system), /airline customer service agent/);
  const run = runOf(out);
  assert.ok(run.samples.some((s) => (s.usage.cacheReadTokens ?? 0) > 0), "later reruns read the prefix from the cache");
  const p = (JSON.parse(readFileSync(json, "utf8")) as Analysis).prompts[0]!;
  assert.deepEqual(
    p.answers.map((c) => c.count),
    [4, 2, 2],
    "4 looked the reservation up (the expected action), 2 cancelled, 2 asked",
  );
  assert.equal(p.passHatK![0], 0.5);
  assert.equal(p.agent?.forkAction, 0);
  fake.setDefault({ kind: "ok" });
});

test("run --conversation: malformed prefixes are refused before any request, with where and why", async () => {
  const before = fake.requests.length;
  const bad: [string, unknown, RegExp][] = [
    ["not-json.json", "{ messages: [", /cannot read the conversation .*not-json\.json/],
    ["orphan.json", { messages: [{ role: "user", content: "hi" }, { role: "tool", tool_call_id: "call_9", content: "{}" }], tools: TOOLS }, /call_9/],
    ["unanswered.json", { messages: [{ role: "user", content: "hi" }, { role: "assistant", content: null, tool_calls: [{ id: "call_2", type: "function", function: { name: "get_user_details", arguments: "{}" } }] }], tools: TOOLS }, /call_2/],
    ["no-messages.json", { messages: [], tools: TOOLS }, /message/],
  ];
  for (const [name, v, re] of bad) {
    const r = await hotmess(["run", "--conversation", write(name, v), "-n", "2", "--provider", "anthropic", "--model", "claude-haiku-4-5", "--thinking", "off", "--base-url", fake.url, "--out", join(dir, "none")], { ANTHROPIC_API_KEY: KEY });
    assert.equal(r.code, 1, `${name}: ${r.err}`);
    assert.match(r.err, re, name);
    assert.match(r.err, new RegExp(name.replace(".", "\\.")), `${name}: the message names the file`);
  }
  const both = await hotmess(["run", "--conversation", write("ok.json", openaiPrefix()), "--prompt", "x", "-n", "2", "--provider", "simulated"]);
  assert.equal(both.code, 1);
  assert.match(both.err, /give the prompt once/);
  assert.equal(fake.requests.length, before, "no request was sent");
});

const TAU = sharedFixture("tau-airline-gpt4o", "results.json");

test("the τ-bench fixture: import, then rerun task-2's run 0 from just before its action 2, 8 times, on the simulated agent and a fake OpenAI server", { skip: skipWithout(TAU) }, async () => {
  const traces = join(dir, "tau.jsonl");
  const imp = await hotmess(["import", TAU!, "--out", traces]);
  assert.equal(imp.code, 0, imp.err);
  // the simulated agent: the next actions split; the run is named by where it came from
  const out = join(dir, "tau-sim");
  const sim = await hotmess(["run", "--conversation", traces, "--task", "task-2", "--run", "0", "--before-action", "2", "-n", "8", "--provider", "simulated", "--out", out]);
  assert.equal(sim.code, 0, sim.err);
  const run = runOf(out);
  assert.match(run.header.id, /^task-2-run0-before-action2-/);
  assert.match(run.header.prompt, /^The next turn of the conversation in run 0 of task-2 in tau\.jsonl, before its action 2 \(\d+ messages, \d+ tools declared\)/);
  // the tools were inferred from the run's calls; the prefix ends where the run's action 2 began
  const c = run.header.conversation!;
  // the policy the agent ran under comes first: the importer kept τ-bench's system message as the prompt's system
  assert.match(c.system ?? "", /^# Airline Agent Policy\n/);
  assert.equal(c.system, JSON.parse(readFileSync(TAU!, "utf8"))[0].traj[0].content);
  assert.ok(c.tools.some((t) => t.name === "get_user_details"), c.tools.map((t) => t.name).join(", "));
  const calls = c.messages.flatMap((m) => m.content).filter((b) => b.type === "tool_call");
  assert.equal(calls.length, 1, "the prefix holds the run's first action only");
  assert.equal(run.samples.length, 8);
  // a fake OpenAI server: the prefix arrives as OpenAI messages, each tool message after its call
  openai.setDefault({ kind: "ok", text: [], toolCalls: [{ name: "get_reservation_details", arguments: { reservation_id: "JG7FMM" } }] });
  const before = openai.requests.length;
  const oo = await hotmess(
    ["run", "--conversation", traces, "--task", "task-2", "--run", "0", "--before-action", "2", "--system", "# Airline agent policy (abridged)", "-n", "8", "--provider", "openai", "--model", "gpt-4o", "--base-url", `${openai.url}/v1`, "--reference", "get_reservation_details", "--out", join(dir, "tau-openai")],
    { OPENAI_API_KEY: "sk-test-openai-789" },
  );
  assert.equal(oo.code, 0, oo.err);
  const sent = openai.requests.slice(before);
  assert.equal(sent.length, 8);
  const body = sent[0]!.body as { messages: { role: string; tool_calls?: { id: string }[]; tool_call_id?: string }[]; tools: { function: { name: string } }[] };
  // --system replaces the imported policy: the changed one goes first
  assert.deepEqual(body.messages[0], { role: "system", content: "# Airline agent policy (abridged)" });
  body.messages.forEach((m, i) => {
    if (m.role === "tool") assert.ok(body.messages.slice(0, i).some((p) => p.tool_calls?.some((t) => t.id === m.tool_call_id)), `message ${i} answers a call before it`);
  });
  assert.deepEqual(body.tools.map((t) => t.function.name), c.tools.map((t) => t.name));
  assert.match(oo.out, /action 1 \(|—/);
  openai.setDefault({ kind: "ok" });
});
