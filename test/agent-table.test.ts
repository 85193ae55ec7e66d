// The agent section of `hotmess analyze`'s table: tool calls a run, the fork action (counted
// from 1), its cause, and what the runs did there, told apart even when calls differ late.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeTraceSet } from "../src/core";
import { agentLines, renderTable, whereTheyDiffer } from "../src/cli/table";
import { toolTally } from "../src/core/trajectory";
import { exportMarkdown } from "../src/report/export";

const call = (name: string, args: unknown, id: string) => ({ kind: "tool_call", name, arguments: args, id });
const result = (id: string, text: string) => ({ kind: "tool_result", id, text });
const user = (text: string) => ({ kind: "user", text });

function set(): string {
  const run = (pay: string, reward: number) => ({
    steps: [user("Move JG7FMM to May 20."), call("get_reservation_details", { reservation_id: "JG7FMM" }, "a"), result("a", '{"flights":["HAT069"]}'), call("update_reservation_flights", { reservation_id: "JG7FMM", flights: [{ flight_number: "HAT023", date: "2024-05-20" }], payment_id: pay }, "b"), result("b", "ok")],
    reward,
  });
  const same = { steps: [user("Hello"), call("get_user_details", { user_id: "u1" }, "a"), result("a", "{}")], reward: 1 };
  return [
    JSON.stringify({ id: "move", samples: [run("gift_card_1", 1), run("gift_card_1", 1), run("credit_card_1", 0), run("gift_card_1", 1)] }),
    JSON.stringify({ id: "same", samples: [same, same, same] }),
  ].join("\n");
}

test("the fork action is counted from 1, with its cause and its groups, largest first", () => {
  const a = analyzeTraceSet(set());
  const lines = agentLines(a);
  assert.equal(lines[1], "Agent trajectories (actions are tool calls; the fork action is the first where the runs' calls differ)");
  const move = lines.findIndex((l) => l.startsWith("  move: 2 tool calls a run · the runs part at action 2 · the policy"));
  assert.ok(move > 0, lines.join("\n"));
  assert.match(lines[move + 1]!, /^ {7}3 runs {2}update_reservation_flights.*gift_card_1/);
  assert.match(lines[move + 2]!, /^ {7}1 run {3}update_reservation_flights.*credit_card_1/);
  assert.ok(lines.includes("  same: 1 tool call a run · every run took the same actions"), lines.join("\n"));
  assert.ok(renderTable(a).includes(lines[1]!), "the section is in the table");
  // the table's fork column gives an agent prompt's fork action, not an aligned column
  const rows = renderTable(a);
  assert.match(rows.find((r) => r.startsWith("move "))!, /action 2 \(policy\)\s*$/);
  assert.match(rows.find((r) => r.startsWith("same "))!, /—\s*$/);
});

test("keys that differ only past the width are shown from where they differ", () => {
  const a = `update{"flights":[${'"x",'.repeat(40)}"HAT023"]}`;
  const b = `update{"flights":[${'"x",'.repeat(40)}"HAT112"]}`;
  const [sa, sb] = whereTheyDiffer([a, b], 60);
  assert.notEqual(sa, sb);
  assert.ok(sa!.startsWith("update…") && sa!.includes("HAT023"), sa);
  assert.deepEqual(whereTheyDiffer(["f{}", "g{}"], 60), ["f{}", "g{}"]);
});

test("a set without trajectories has no agent section", () => {
  const a = analyzeTraceSet(JSON.stringify({ id: "p", reference: 4, samples: [{ text: "2+2=4", answer: 4 }, { text: "2+2=5", answer: 5 }] }));
  assert.deepEqual(agentLines(a), []);
});

test("the Markdown export names the fork action (from 1), its cause, and each group's call there, as code", () => {
  const a = analyzeTraceSet(set());
  const md = exportMarkdown(a);
  assert.ok(md.includes("**Fork action** 2 (the first tool call where the runs differ; 2 tool calls a run). Why: the policy, `"), md);
  assert.match(md, /- 3 runs: `update_reservation_flights\{[^`]*gift_card_1[^`]*\}`/);
  assert.match(md, /- 1 run: `update_reservation_flights\{[^`]*credit_card_1[^`]*\}`/);
  assert.ok(md.includes("**Actions**: 1 tool call a run; every run took the same actions."), md);
});

test("the fork action's groups by tool name alone, when calls of one tool differ by their arguments", () => {
  assert.deepEqual(
    toolTally([
      { key: 'get_reservation_details{"reservation_id":"JG7FMM"}', count: 3 },
      { key: 'cancel_reservation{"reservation_id":"JG7FMM"}', count: 2 },
      { key: 'get_reservation_details{"reservation_id":"ABC123"}', count: 2 },
      { key: "<end>", count: 1 },
    ]),
    [
      ["get_reservation_details", 5],
      ["cancel_reservation", 2],
      ["<end>", 1],
    ],
  );
  // in the table: the "move" prompt's two groups are one tool
  const lines = agentLines(analyzeTraceSet(set()));
  assert.ok(lines.includes("         by tool: 4 update_reservation_flights"), lines.join("\n"));
  assert.ok(!lines.some((l) => l.includes("by tool") && l.includes("get_user_details")), "a prompt whose groups are all different tools has no such line");
});
