// The replay table of a rollout (src/core/replay.ts): calls keyed by their action key, results
// paired by id (else the oldest open call), every distinct result of a key kept, the first
// recorded replayed; and what it holds for the τ-bench fixture (25 tasks × 4 runs of GPT-4o).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { addConversation, addTrajectory, emptyReplayTable, lookupReplay, replayStats, replayTableOf } from "../src/core/replay";
import type { Conversation } from "../src/core/conversation";
import type { PromptRecord, TrajectoryStep } from "../src/core/types";
import { importFiles } from "../src/import";
import { sharedFixture, skipWithout } from "./support/fixtures";

const RUN_A: TrajectoryStep[] = [
  { kind: "user", text: "Cancel EHGLP3 please, I am emma_kim_9957." },
  { kind: "tool_call", name: "get_user_details", arguments: { user_id: "emma_kim_9957" }, id: "a1" },
  { kind: "tool_result", id: "a1", text: '{"name": "Emma Kim"}' },
  // two calls in one turn, answered in the other order, by id
  { kind: "tool_call", name: "get_reservation_details", arguments: { reservation_id: "EHGLP3" }, id: "a2" },
  { kind: "tool_call", name: "get_flight_status", arguments: '{"flight_number": "HAT156", "date": "2024-05-20"}', id: "a3" },
  { kind: "tool_result", id: "a3", text: "delayed" },
  { kind: "tool_result", id: "a2", text: '{"reservation_id": "EHGLP3", "status": "active"}' },
  { kind: "tool_call", name: "cancel_reservation", arguments: { reservation_id: "EHGLP3" }, id: "a4" },
  { kind: "tool_result", id: "a4", text: "Error: reservation cannot be cancelled", isError: true },
  // the same lookup after the write: another result for the same key in the same run
  { kind: "tool_call", name: "get_reservation_details", arguments: { reservation_id: "EHGLP3" }, id: "a5" },
  { kind: "tool_result", id: "a5", text: '{"reservation_id": "EHGLP3", "status": "cancelled"}' },
  // left without a result: the run ended
  { kind: "tool_call", name: "transfer_to_human_agents", arguments: { summary: "wants a refund" }, id: "a6" },
];

/** A run whose log has no ids: results answer the oldest open call. */
const RUN_B: TrajectoryStep[] = [
  { kind: "tool_call", name: "get_flight_status", arguments: { date: "2024-05-20", flight_number: "HAT156" } },
  { kind: "tool_call", name: "get_user_details", arguments: { user_id: "emma_kim_9957" } },
  { kind: "tool_result", text: "on time" },
  { kind: "tool_result", text: '{"name": "Emma Kim"}' },
];

test("calls are keyed by action key; results pair by id, else with the oldest open call; the first recorded of several is replayed", () => {
  const t = emptyReplayTable("hand.jsonl");
  addTrajectory(t, RUN_A, "p run 0");
  addTrajectory(t, RUN_B, "p run 1");
  assert.equal(t.source, "hand.jsonl");
  assert.deepEqual(replayStats(t), { calls: 8, answered: 7, keys: 4, ambiguous: 2 });

  // by id, though answered out of order
  const status = lookupReplay(t, { name: "get_flight_status", arguments: { flight_number: "HAT156", date: "2024-05-20" } });
  assert.equal(status?.result.text, "delayed", "run A's answer, recorded first (its arguments were a JSON string: same key)");
  assert.equal(status?.others, 1, "run B said 'on time'");
  assert.equal(status?.key, 'get_flight_status{"date":"2024-05-20","flight_number":"HAT156"}');
  // a key with the same result twice has one result, counted twice
  const user = t.entries.get('get_user_details{"user_id":"emma_kim_9957"}')!;
  assert.deepEqual(user.results, [{ text: '{"name": "Emma Kim"}', isError: false, count: 2, from: "p run 0, step 2" }]);
  // two results in one run: kept in order, the first replayed
  const res = t.entries.get('get_reservation_details{"reservation_id":"EHGLP3"}')!;
  assert.deepEqual(
    res.results.map((r) => [r.text, r.from]),
    [
      ['{"reservation_id": "EHGLP3", "status": "active"}', "p run 0, step 6"],
      ['{"reservation_id": "EHGLP3", "status": "cancelled"}', "p run 0, step 10"],
    ],
  );
  assert.equal(lookupReplay(t, { name: "get_reservation_details", arguments: '{ "reservation_id" : "EHGLP3" }' })?.result.text, '{"reservation_id": "EHGLP3", "status": "active"}');
  // an error result keeps its flag
  assert.deepEqual(lookupReplay(t, { name: "cancel_reservation", arguments: { reservation_id: "EHGLP3" } })?.result.isError, true);
  // a call without a result, or never made, has none
  assert.equal(lookupReplay(t, { name: "transfer_to_human_agents", arguments: { summary: "wants a refund" } }), null);
  assert.equal(lookupReplay(t, { name: "get_reservation_details", arguments: { reservation_id: "ZZZZZZ" } }), null);
});

test("the order the runs are added decides which result is replayed", () => {
  const t = emptyReplayTable();
  addTrajectory(t, RUN_B, "p run 1");
  addTrajectory(t, RUN_A, "p run 0");
  assert.equal(lookupReplay(t, { name: "get_flight_status", arguments: { flight_number: "HAT156", date: "2024-05-20" } })?.result.text, "on time");
});

test("a conversation prefix's own results, and a trace set's records (all, or one task's)", () => {
  const c: Conversation = {
    tools: [],
    messages: [
      { role: "user", content: [{ type: "text", text: "hi" }] },
      { role: "assistant", content: [{ type: "tool_call", id: "c1", name: "get_user_details", arguments: { user_id: "u_1" } }] },
      { role: "user", content: [{ type: "tool_result", id: "c1", content: "profile of u_1" }] },
    ],
  };
  const t = emptyReplayTable();
  addConversation(t, c, "the prefix");
  assert.deepEqual(t.entries.get('get_user_details{"user_id":"u_1"}')?.results[0], { text: "profile of u_1", isError: false, count: 1, from: "the prefix, message 3" });
  const records: PromptRecord[] = [
    { id: "task-1", samples: [{ steps: RUN_A }, { steps: RUN_B, index: 7 }] },
    { id: "task-2", samples: [{ text: "no steps" }, { steps: [{ kind: "tool_call", name: "think", arguments: {} }, { kind: "tool_result", text: "ok" }] }] },
  ];
  const all = replayTableOf(records, { source: "set.jsonl" });
  assert.deepEqual(replayStats(all), { calls: 9, answered: 8, keys: 5, ambiguous: 2 });
  assert.equal(all.entries.get("think{}")?.results[0]?.from, "task-2 run 1, step 1");
  assert.equal(all.entries.get('get_user_details{"user_id":"emma_kim_9957"}')?.results[0]?.count, 2);
  const one = replayTableOf(records, { task: "task-2" });
  assert.deepEqual(replayStats(one), { calls: 1, answered: 1, keys: 1, ambiguous: 0 });
});

const TAU = sharedFixture("tau-airline-gpt4o", "results.json");

test("the τ-bench fixture: 577 calls, all 577 with a recorded result, 296 distinct call keys, 2 of them with more than one result", { skip: skipWithout(TAU) }, () => {
  const imported = importFiles([{ path: TAU!, bytes: readFileSync(TAU!) }]);
  const t = replayTableOf(imported.prompts, { source: "results.json" });
  const stats = replayStats(t);
  console.log(`τ-bench fixture replay table: ${JSON.stringify(stats)}`);
  assert.deepEqual(stats, { calls: 577, answered: 577, keys: 296, ambiguous: 2 });
  // the two ambiguous keys: book_reservation calls of task 0 that were answered differently
  const ambiguous = [...t.entries.values()].filter((e) => e.results.length > 1);
  assert.deepEqual(
    ambiguous.map((e) => e.name),
    ["book_reservation", "book_reservation"],
  );
  assert.match(ambiguous[0]!.results[0]!.from, /^task-0 run 0, step \d+$/, "the first recorded is replayed");
  assert.match(ambiguous[0]!.results[1]!.text, /^Error: /);
  // one task's runs alone (the default table of a rerun from a point of task-2)
  assert.deepEqual(replayStats(replayTableOf(imported.prompts, { task: "task-2" })), { calls: 60, answered: 60, keys: 30, ambiguous: 0 });
});
