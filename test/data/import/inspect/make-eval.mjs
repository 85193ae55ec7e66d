// Writes fix-tests.eval: a small Inspect AI `.eval` log (a zip) in the layout Inspect's
// EvalRecorder writes (UKGovernmentBEIS/inspect_ai, src/inspect_ai/log/_recorders/eval.py):
// header.json (the log without samples), _journal/start.json, summaries.json and one
// samples/<id>_epoch_<n>.json per sample, deflated. Samples follow EvalSample (log/_log.py):
// one task, three epochs of one sample and one epoch of another, two scorers, an attachment.
// Run: node test/data/import/inspect/make-eval.mjs
import { writeFileSync } from "node:fs";
import { zipSync, strToU8 } from "fflate";

const evalSpec = {
  eval_id: "Kp4sWq8NzR2tVx6yBm1cLd",
  run_id: "Ht9gFj3DkS5aQw7eRt2yUi",
  created: "2025-07-14T09:30:00+00:00",
  task: "fix_tests",
  task_id: "Zx1cVb5NmQ9wEr3tYu7iOp",
  task_version: 0,
  dataset: { name: "repo_bugs", samples: 2, sample_ids: ["bug-101", "bug-102"], shuffled: false },
  model: "openai/gpt-5",
  config: { epochs: 3, epochs_reducer: ["mean"] },
  scorers: [{ name: "tests_pass" }, { name: "no_skips" }],
};
const header = {
  version: 2,
  status: "success",
  eval: evalSpec,
  plan: { name: "plan", steps: [{ solver: "basic_agent", params: {} }], config: {} },
  results: { total_samples: 4, completed_samples: 4, scores: [{ name: "tests_pass", scorer: "tests_pass", metrics: {} }, { name: "no_skips", scorer: "no_skips", metrics: {} }] },
  stats: { started_at: "2025-07-14T09:30:00+00:00", completed_at: "2025-07-14T09:41:27+00:00", model_usage: {} },
};

const TASK = "The test tests/test_dates.py::test_leap_year fails. Fix the bug in dates.py so the tests pass.";
const LONG_OUTPUT = "FAILED tests/test_dates.py::test_leap_year - assert is_leap(1900) is False\n1 failed, 11 passed in 0.31s";

function bugSample(epoch, { readFirst, passes, skips }) {
  const messages = [
    { id: `s${epoch}`, role: "system", source: "input", content: "You are a software engineer. Use the bash tool to work in the repository." },
    { id: `u${epoch}`, role: "user", source: "input", content: TASK },
    {
      id: `a${epoch}a`,
      role: "assistant",
      source: "generate",
      model: "gpt-5",
      content: [
        { type: "reasoning", reasoning: "", summary: "Run the failing test first to see the assertion.", redacted: true, signature: "rs_68a1" },
        { type: "text", text: "Let me run the failing test." },
      ],
      tool_calls: [{ id: `call_${epoch}1`, function: "bash", arguments: { cmd: "pytest tests/test_dates.py -q" }, type: "function" }],
    },
    { id: `t${epoch}a`, role: "tool", tool_call_id: `call_${epoch}1`, function: "bash", content: "attachment://3f2a9c" },
  ];
  if (readFirst) {
    messages.push(
      { id: `a${epoch}b`, role: "assistant", source: "generate", content: "", tool_calls: [{ id: `call_${epoch}2`, function: "bash", arguments: { cmd: "cat dates.py" }, type: "function" }] },
      { id: `t${epoch}b`, role: "tool", tool_call_id: `call_${epoch}2`, function: "bash", content: "def is_leap(y):\n    return y % 4 == 0\n" },
    );
  }
  messages.push(
    {
      id: `a${epoch}c`,
      role: "assistant",
      source: "generate",
      content: "",
      tool_calls: [{ id: `call_${epoch}3`, function: "bash", arguments: { cmd: "sed -i 's/return y % 4 == 0/return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)/' dates.py && pytest -q" }, type: "function" }],
    },
    { id: `t${epoch}c`, role: "tool", tool_call_id: `call_${epoch}3`, function: "bash", content: passes ? "12 passed in 0.29s" : "1 failed, 11 passed in 0.30s" },
    { id: `a${epoch}d`, role: "assistant", source: "generate", content: passes ? "Fixed: century years are leap years only when divisible by 400." : "I could not make the test pass." },
  );
  return {
    id: "bug-101",
    epoch,
    input: TASK,
    target: "all tests pass",
    messages,
    output: { model: "gpt-5", choices: [], completion: messages[messages.length - 1].content },
    scores: { tests_pass: { value: passes ? 1.0 : 0.0, explanation: passes ? "12 passed" : "1 failed" }, no_skips: { value: skips ? "I" : "C" } },
    metadata: {},
    store: {},
    events: [],
    model_usage: {},
    attachments: { "3f2a9c": LONG_OUTPUT },
  };
}

const samples = [
  bugSample(1, { readFirst: true, passes: true, skips: false }),
  bugSample(2, { readFirst: false, passes: true, skips: true }),
  bugSample(3, { readFirst: true, passes: false, skips: false }),
  {
    id: "bug-102",
    epoch: 1,
    input: [{ id: "x1", role: "user", source: "input", content: "Rename the function `parse` to `parse_date` everywhere." }],
    target: "renamed",
    messages: [
      { id: "x1", role: "user", source: "input", content: "Rename the function `parse` to `parse_date` everywhere." },
      { id: "x2", role: "assistant", source: "generate", content: "", tool_calls: [{ id: "call_x1", function: "bash", arguments: "{\"cmd\": \"grep -rl 'def parse(' .\"}", parse_error: null, type: "function" }] },
      { id: "x3", role: "tool", tool_call_id: "call_x1", function: "bash", content: "./dates.py\n" },
      { id: "x4", role: "assistant", source: "generate", content: "Renamed in dates.py." },
    ],
    output: { model: "gpt-5", choices: [], completion: "Renamed in dates.py." },
    scores: { tests_pass: { value: 1 }, no_skips: { value: "C" } },
    attachments: {},
  },
];

const summaries = samples.map((s) => ({ id: s.id, epoch: s.epoch, input: s.input, target: s.target, scores: s.scores }));
const entries = {
  "_journal/start.json": strToU8(JSON.stringify({ version: 2, eval: evalSpec, plan: header.plan }, null, 2)),
  "header.json": strToU8(JSON.stringify(header, null, 2)),
  "summaries.json": strToU8(JSON.stringify(summaries, null, 2)),
};
for (const s of samples) entries[`samples/${s.id}_epoch_${s.epoch}.json`] = strToU8(JSON.stringify(s, null, 2));
// A sample that is not JSON, as a truncated write would leave it.
entries["samples/bug-103_epoch_1.json"] = strToU8('{"id": "bug-103", "epoch": 1, "messages": [');

// Fixed times so the file is the same on every run.
const zip = zipSync(entries, { level: 6, mtime: new Date("2025-07-14T09:41:27Z") });
writeFileSync(new URL("./fix-tests.eval", import.meta.url), zip);
console.log(`fix-tests.eval: ${zip.length} bytes, ${Object.keys(entries).length} entries`);
