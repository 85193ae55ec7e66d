// The view's agent-prompt model (webview/actions.ts): the aligned columns that hold actions, the
// column of the fork action, the columns "actions only" shows, the fork mark, and folding over
// the columns shown. Hand-built prompts (the columns written out, not aligned) and the simulated
// agent's set analysed as `hotmess analyze` does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeRecords } from "../src/core";
import type { AgentAnalysis, Column, PromptAnalysis, Run, TrajectoryStepKind } from "../src/core/types";
import { actionText } from "../src/core/trajectory";
import { simulateAgentSet } from "../src/sampling/agent";
import { actionColumns, forkActionColumn, forkMark, shownColumns, shownStretches } from "../webview/actions";
import { promptModel } from "../webview/model";

/** A step of a hand-built run: its kind, and its text (a tool call's name(arguments)). */
type S = [TrajectoryStepKind, string];

/**
 * A prompt from runs (their steps) and columns written out: `cols[j][r]` is the step of run r in
 * column j (null: a gap), and its group (0 unless given as [step, group]).
 */
function prompt(runs: S[][], cols: (number | null | [number, number])[][], agent: AgentAnalysis | null, forkColumn: number | null = null): PromptAnalysis {
  const rs: Run[] = runs.map((steps, index) => {
    let at = 0;
    return {
      index,
      answerKey: "a",
      answerClass: 0,
      correct: null,
      answerExtracted: false,
      length: 0,
      fromThinking: false,
      steps: steps.map(([kind, text]) => {
        const s = { kind, text, start: at, end: at + text.length, ...(kind === "tool_call" ? { name: text.split("(")[0] } : {}) };
        at += text.length + 2;
        return s;
      }),
    };
  });
  const columns: Column[] = cols.map((col) => {
    const cells = col.map((c, run) => {
      const [step, group] = c === null ? [null, null] : Array.isArray(c) ? c : [c, 0];
      return { run, step, group, divergence: group ? 1 : 0 };
    });
    return { cells, groups: 1 + Math.max(0, ...cells.map((c) => c.group ?? 0)) };
  });
  return {
    id: "p",
    n: runs.length,
    target: "none",
    reference: null,
    answers: [{ key: "a", count: runs.length, reference: false, examples: [] }],
    brier: null,
    binary: null,
    kl: null,
    ...(agent ? { agent } : {}),
    disagreement: 0,
    entropy: 0,
    classes: 1,
    extractedAnswers: 0,
    caveat: null,
    reruns: null,
    ensemble: null,
    runs: rs,
    columns,
    forkColumn,
    passHatK: null,
    passAtK: null,
    passHatKCi95: null,
    passAtKCi95: null,
  };
}

const R: S = ["reasoning", "let me look it up"];
const res: S = ["tool_result", "{ok}"];
const A: S = ["tool_call", "get_user({})"];
const B: S = ["tool_call", "get_booking({})"];
const C: S = ["tool_call", "cancel({})"];
const T: S = ["text", "done"];
const U: S = ["user", "thanks"];

// Three runs: all look the user up; then run 0 reads the booking, run 1 cancels, run 2 stops
// (its key at action 2 is <end>). Columns: reasoning, A, result, B|C, result, text.
const parted = () =>
  prompt(
    [
      [R, A, res, B, res, T],
      [R, A, res, C, res, T],
      [R, A, res, T],
    ],
    [
      [0, 0, 0],
      [1, 1, 1],
      [2, 2, 2],
      [3, [3, 1], null],
      [4, 4, null],
      [5, 5, 3],
    ],
    {
      toolCalls: [2, 2, 1],
      forkAction: 1,
      forkActions: [
        { key: "get_booking{}", count: 1, runs: [0] },
        { key: "cancel{}", count: 1, runs: [1] },
        { key: "<end>", count: 1, runs: [2] },
      ],
      forkCause: { kind: "policy", detail: "runs 0 and 1 had the same context and chose differently" },
    },
    0,
  );

test("actionColumns: the columns that hold tool calls, ascending; none on a prompt that is not an agent's", () => {
  const m = promptModel(parted());
  assert.deepEqual(actionColumns(m), [1, 3]);
  // a column whose first run has a gap still counts by the steps it holds
  const gapFirst = prompt(
    [[R], [R, A]],
    [
      [0, 0],
      [null, 1],
    ],
    { toolCalls: [0, 1], forkAction: 0, forkActions: null, forkCause: null },
  );
  assert.deepEqual(actionColumns(promptModel(gapFirst)), [1]);
  const plain = parted();
  delete plain.agent;
  assert.deepEqual(actionColumns(promptModel(plain)), []);
});

test("forkActionColumn: the column of the k-th tool call of the most runs, not the alignment's fork column", () => {
  const p = parted();
  // k = 1: runs 0 and 1 hold their second call in column 3; run 2 had ended
  assert.equal(forkActionColumn(promptModel(p)), 3);
  assert.equal(p.forkColumn, 0, "the §9 fork (a reasoning column here) is another column");
  // k = 0: every run's first call is in column 1
  p.agent!.forkAction = 0;
  assert.equal(forkActionColumn(promptModel(p)), 1);
  // no fork action: none
  p.agent!.forkAction = null;
  assert.equal(forkActionColumn(promptModel(p)), null);
  // k past every run's calls (a report that left those runs out): none
  p.agent!.forkAction = 5;
  assert.equal(forkActionColumn(promptModel(p)), null);
});

test("forkActionColumn: most runs wins; a tie goes to the earliest column", () => {
  // Second calls: run 0 in column 3, runs 1 and 2 in column 5 (after a user turn).
  const agent: AgentAnalysis = { toolCalls: [2, 2, 2], forkAction: 1, forkActions: null, forkCause: null };
  const most = prompt(
    [
      [A, res, B, res],
      [A, res, U, C, res],
      [A, res, U, C, res],
    ],
    [
      [0, 0, 0],
      [1, 1, 1],
      [null, 2, 2],
      [2, null, null],
      [3, null, null],
      [null, 3, 3],
      [null, 4, 4],
    ],
    agent,
  );
  assert.equal(forkActionColumn(promptModel(most)), 5);
  // one run each in columns 3 and 5: the earlier
  const tie = prompt(
    [
      [A, res, B, res],
      [A, res, U, C, res],
    ],
    [
      [0, 0],
      [1, 1],
      [null, 2],
      [2, null],
      [3, null],
      [null, 3],
      [null, 4],
    ],
    { ...agent, toolCalls: [2, 2] },
  );
  assert.equal(forkActionColumn(promptModel(tie)), 3);
});

test("shownColumns: every column, or with actions only an agent prompt's action columns", () => {
  const m = promptModel(parted());
  assert.deepEqual(shownColumns(m, false), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(shownColumns(m, true), [1, 3]);
  const plain = parted();
  delete plain.agent;
  assert.deepEqual(shownColumns(promptModel(plain), true), [0, 1, 2, 3, 4, 5], "not an agent prompt: all");
  // an agent prompt whose runs called no tool: all (there is no action to show)
  const talk = prompt(
    [
      [R, T],
      [R, T],
    ],
    [
      [0, 0],
      [1, 1],
    ],
    { toolCalls: [0, 0], forkAction: null, forkActions: null, forkCause: null },
  );
  assert.deepEqual(shownColumns(promptModel(talk), true), [0, 1]);
});

test("forkMark: the fork action (from 1) and its cause on an agent prompt, the fork column elsewhere", () => {
  const p = parted();
  assert.deepEqual(forkMark(promptModel(p)), {
    col: 3,
    label: "fork action 2 · policy",
    badge: "fork · policy",
    said: "fork action 2 · policy: runs 0 and 1 had the same context and chose differently",
    action: 2,
    cause: p.agent!.forkCause,
  });
  p.agent!.forkCause = { kind: "environment", detail: "run 2 met another tool result" };
  assert.equal(forkMark(promptModel(p))!.label, "fork action 2 · environment");
  assert.equal(forkMark(promptModel(p))!.badge, "fork · environment");
  p.agent!.forkAction = null;
  assert.equal(forkMark(promptModel(p)), null, "an agent prompt without a fork action has no mark (not the §9 column)");
  const plain = parted();
  delete plain.agent;
  assert.deepEqual(forkMark(promptModel(plain)), { col: 0, label: "fork", badge: "fork", said: "fork", action: null, cause: null });
  plain.forkColumn = null;
  assert.equal(forkMark(promptModel(plain)), null);
  plain.forkColumn = 9;
  assert.equal(forkMark(promptModel(plain)), null, "a fork column past the columns is not drawn");
});

test("shownStretches: folding over the shown columns, as aligned columns", () => {
  const flags = [true, false, true, true, false, true, true, true, false, true];
  // every column shown: as stretches() does
  assert.deepEqual(
    shownStretches(
      flags,
      flags.map((_, j) => j),
      3,
    ),
    [[5, 7]],
  );
  // shown 1, 2, 3, 5, 8: 2, 3, 5 are three shown agreeing columns in a row (4, which does not
  // agree, is not shown)
  assert.deepEqual(shownStretches(flags, [1, 2, 3, 5, 8], 3), [[2, 5]]);
  assert.deepEqual(shownStretches(flags, [1, 2, 3, 5, 8], 4), []);
  // shown 0, 2, 4, 5, 9: 4 breaks them
  assert.deepEqual(shownStretches(flags, [0, 2, 4, 5, 9], 2), [
    [0, 2],
    [5, 9],
  ]);
  assert.deepEqual(shownStretches(flags, [0, 2, 4, 5, 9], 3), []);
  assert.deepEqual(shownStretches(flags, [], 1), []);
});

test("the simulated agent's set: action columns hold every tool call and nothing else; the fork action's column holds the k-th call of the most runs", () => {
  const records = simulateAgentSet(8);
  const a = analyzeRecords(records);
  assert.ok(a.prompts.length >= 3);
  let forks = 0;
  a.prompts.forEach((p, i) => {
    const m = promptModel(p);
    const acts = actionColumns(m);
    const set = new Set(acts);
    assert.deepEqual(
      acts,
      [...acts].sort((x, y) => x - y),
      "ascending",
    );
    // every tool call of every run is in an action column, and an action column holds nothing else
    p.runs.forEach((run, pos) =>
      run.steps.forEach((s, k) => {
        const j = m.stepColumn[pos]![k]!;
        assert.equal(set.has(j), s.kind === "tool_call", `${p.id} run ${run.index} step ${k} (${s.kind}) in column ${j}`);
      }),
    );
    assert.ok(acts.length >= Math.max(...p.agent!.toolCalls), "at least one column per action of the longest run");
    assert.deepEqual(shownColumns(m, true), acts);
    assert.equal(shownColumns(m, false).length, p.columns.length);

    const k = p.agent!.forkAction;
    const col = forkActionColumn(m);
    if (k === null) {
      assert.equal(col, null);
      return;
    }
    forks++;
    assert.ok(col !== null && set.has(col), `${p.id}: the fork action's column ${col} is an action column`);
    // Count, from the trace set's own steps, where each run's k-th call landed.
    const where = new Map<number, number>();
    p.runs.forEach((run, pos) => {
      const sample = records[i]!.samples[run.index]!;
      const calls = sample.steps!.map((st, source) => ({ st, source })).filter(({ st }) => st.kind === "tool_call");
      const kth = calls[k];
      if (!kth) return;
      const s = run.steps.findIndex((x) => x.source === kth.source);
      assert.equal(run.steps[s]!.text, actionText(kth.st));
      const j = m.stepColumn[pos]![s]!;
      where.set(j, (where.get(j) ?? 0) + 1);
    });
    const most = Math.max(...where.values());
    assert.equal(where.get(col), most, `${p.id}: column ${col} holds ${where.get(col)} runs' call ${k + 1}, the most is ${most}`);
    assert.equal(col, Math.min(...[...where].filter(([, c]) => c === most).map(([j]) => j)), "the earliest on a tie");
    const mark = forkMark(m)!;
    assert.equal(mark.col, col);
    assert.equal(mark.label, `fork action ${k + 1} · ${p.agent!.forkCause!.kind}`);
  });
  assert.ok(forks > 0, "the simulated runs part somewhere");
});
