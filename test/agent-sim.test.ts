// The simulated tool-using agent (src/sampling/agent.ts): seeded, labelled, and parting the ways
// real agents do: by its own choices and by what the environment said.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AGENT_NOTICE, AGENT_TASKS, simulateAgentSet, DEFAULT_AGENT_KNOBS } from "../src/sampling/agent";

const actions = (s: { steps?: { kind: string; name?: string; arguments?: unknown }[] }) =>
  (s.steps ?? []).filter((x) => x.kind === "tool_call").map((x) => `${x.name}${JSON.stringify(x.arguments)}`);

test("the same seed gives the same trajectories; another seed other ones", () => {
  assert.deepEqual(simulateAgentSet(6), simulateAgentSet(6));
  assert.notDeepEqual(simulateAgentSet(6), simulateAgentSet(6, { ...DEFAULT_AGENT_KNOBS, seed: 2 }));
});

test("every trajectory says no model was called, and every tool result answers a call before it", () => {
  for (const p of simulateAgentSet(20)) {
    assert.equal(p.samples.length, 20);
    p.samples.forEach((s, r) => {
      assert.equal(s.index, r);
      assert.deepEqual(s.steps![0], { kind: "reasoning", text: AGENT_NOTICE });
      const called = new Set<string>();
      for (const st of s.steps!) {
        if (st.kind === "tool_call") called.add(st.id!);
        if (st.kind === "tool_result") assert.ok(called.has(st.id!), `${p.id} run ${r}: result ${st.id} after its call`);
      }
      assert.ok(s.reward === 0 || s.reward === 1);
    });
  }
});

test("reruns of a task part: several action sequences, some runs fail, most succeed", () => {
  for (const p of simulateAgentSet(40)) {
    const distinct = new Set(p.samples.map((s) => actions(s).join(" > ")));
    const rewards = p.samples.map((s) => s.reward!);
    const rate = rewards.reduce((a, b) => a + b, 0) / rewards.length;
    assert.ok(distinct.size >= 2, `${p.id}: ${distinct.size} distinct action sequences`);
    assert.ok(rate > 0.4 && rate < 1, `${p.id}: success rate ${rate}`);
  }
});

test("the reward is the task's: cancelling before the customer said yes fails; a lookup error on the customer's spelling is the environment's", () => {
  const [cancel] = simulateAgentSet(60, DEFAULT_AGENT_KNOBS, ["cancel-refund"]);
  const early = cancel!.samples.filter((s) => s.steps!.some((x) => x.kind === "user" && x.text === "Wait, I hadn't said yes yet."));
  assert.ok(early.length > 0, "some runs act before the confirmation");
  for (const s of early) assert.equal(s.reward, 0);
  const misspelt = cancel!.samples.filter((s) => s.steps!.some((x) => x.kind === "tool_result" && x.isError === true && /not found/.test(x.text ?? "")));
  assert.ok(misspelt.length > 0, "some customers give the code another way, and the lookup fails once");
  assert.ok(AGENT_TASKS.length >= 3);
});
