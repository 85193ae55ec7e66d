// The chat importer on conversations written here (test/data): OpenAI's chat format with tool
// calls, grouped by task_id and by the first user message; Anthropic's Messages format with
// thinking, tool_use and tool_result blocks, grouped by question_id; and lines that cannot be read.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { importFiles, type InputFile } from "../src/import";
import { chat } from "../src/import/chat";

const data = (name: string): InputFile => {
  const p = path.join(__dirname, "data", name);
  return { path: p, bytes: readFileSync(p) };
};
const lines = (p: string, ...objs: unknown[]): InputFile => ({ path: p, bytes: new TextEncoder().encode(objs.map((o) => (typeof o === "string" ? o : JSON.stringify(o))).join("\n") + "\n") });

test("OpenAI chat lines: grouped by task_id, else by the first user message; calls, results, rewards and models in order", () => {
  const f = data("chat-openai.jsonl");
  assert.ok(chat.detect([f]));
  const r = importFiles([f]);
  assert.equal(r.format, "chat");
  assert.deepEqual(r.problems, []);
  assert.equal(r.summary, '2 prompts × 2–3 runs, 9 tool calls; format chat (grouped by "task_id", the first user message)');
  const [refund, weather] = r.prompts;
  assert.equal(refund!.id, "refund-8812");
  assert.equal(refund!.model, "gpt-4o-2024-08-06");
  assert.equal(refund!.prompt, "I was charged twice for order 8812. Can you refund the duplicate charge?");
  assert.deepEqual(refund!.samples.map((s) => [s.index, s.reward, s.answer]), [
    [0, 1, "reward=1"],
    [1, 0, "reward=0"],
    [2, 1, "reward=1"],
  ]);
  const first = refund!.samples[0]!.steps!;
  assert.deepEqual(first.map((s) => s.kind), ["user", "tool_call", "tool_result", "text", "tool_call", "tool_result", "text"], "system left out; text and its call both kept, text first");
  assert.deepEqual(first[4], { kind: "tool_call", name: "refund_payment", arguments: { payment_id: "pay_2", amount: 59.9 }, id: "call_a2" });
  assert.deepEqual(first[5], { kind: "tool_result", text: '{"status":"refunded","payment_id":"pay_2"}', id: "call_a2", name: "refund_payment" });
  assert.equal(refund!.samples[2]!.steps![1]!.arguments, "{order_id: 8812}", "arguments that are not JSON are kept as written");
  assert.equal(weather!.id, "chat-1");
  assert.equal(weather!.prompt, "What's the weather in Paris right now, in Fahrenheit?", "content given as parts");
  assert.equal(weather!.samples.length, 2);
  assert.equal(weather!.samples[0]!.answer, undefined, "without a reward the answer is read from the text, as in any trace set");
  assert.deepEqual(weather!.samples[0]!.steps![2], { kind: "tool_result", text: '{"temp":61,"unit":"F","sky":"overcast"}', id: "call_w1", name: "get_weather" }, "a result without a name takes its call's");
});

test("Anthropic Messages lines: thinking, tool_use and tool_result blocks (is_error), correct flags; an image is left out and said", () => {
  const f = data("chat-anthropic.jsonl");
  const r = importFiles([f]);
  assert.equal(r.summary, '2 prompts × 1–3 runs, 3 tool calls; format chat (grouped by "question_id")');
  assert.deepEqual(r.problems, [{ where: `${f.path}:4`, message: "parts that are not text left out (image)" }]);
  const [prime, chart] = r.prompts;
  assert.equal(prime!.id, "prime-2027");
  assert.deepEqual(prime!.samples.map((s) => s.correct), [true, true, false]);
  assert.deepEqual(prime!.samples[0]!.steps, [
    { kind: "user", text: "Is 2027 a prime number? Check with the tool, then answer yes or no." },
    { kind: "reasoning", text: "2027: try small primes. Better to run the tool." },
    { kind: "tool_call", name: "python", arguments: { code: "import sympy\nprint(sympy.isprime(2027))" }, id: "toolu_01" },
    { kind: "tool_result", text: "True", id: "toolu_01", name: "python" },
    { kind: "text", text: "Yes, 2027 is prime." },
  ]);
  assert.equal(prime!.samples[1]!.steps![3]!.text, "True", "a tool_result whose content is blocks");
  assert.deepEqual(prime!.samples[2]!.steps![2], { kind: "tool_result", text: "SyntaxError: '(' was never closed", id: "toolu_03", name: "python", isError: true });
  assert.equal(chart!.prompt, "What is the highest bar in this chart?");
  assert.deepEqual(chart!.samples[0]!.steps!.map((s) => s.kind), ["user", "reasoning", "text"]);
  assert.match(chart!.samples[0]!.text!, /^User: What is the highest bar in this chart\?\n\n\(thinking\) The chart shows Q3 as tallest\.\n\nQ3 is the highest bar\.$/);
});

test("chat lines that cannot be read are skipped and named by file:line; the rest is imported", () => {
  const good = { group: "g", messages: [{ role: "user", content: "2+2?" }, { role: "assistant", content: "4" }], reward: 1 };
  const f = lines(
    "c.jsonl",
    good,
    "{not json",
    { messages: "hello" },
    { group: "g", messages: [{ role: "user", content: "2+2?" }] },
    { ...good, reward: "yes" },
    { ...good, correct: "true" },
    { group: "g", messages: [{ role: "assistant", content: [{ type: "tool_use", id: "t1", input: {} }] }] },
    { ...good, answer: 4, reward: 0 },
  );
  const r = importFiles([f], "chat");
  assert.deepEqual(
    r.problems.map((p) => p.where),
    ["c.jsonl:2", "c.jsonl:3", "c.jsonl:4", "c.jsonl:5", "c.jsonl:6", "c.jsonl:7"],
  );
  assert.match(r.problems[0]!.message, /^not valid JSON .*; skipped$/);
  assert.equal(r.problems[1]!.message, '"messages" is a string, not an array of messages; skipped');
  assert.equal(r.problems[2]!.message, "has no assistant message: nothing the model did; skipped");
  assert.equal(r.problems[3]!.message, '"reward" is "yes", not a number in [0, 1]; skipped');
  assert.equal(r.problems[4]!.message, '"correct" is "true", not true or false; skipped');
  assert.equal(r.problems[5]!.message, 'messages[0] content[0] (tool_use) has no "name"; skipped');
  assert.equal(r.prompts.length, 1);
  assert.deepEqual(r.prompts[0]!.samples.map((s) => [s.index, s.answer, s.reward]), [
    [0, "reward=1", 1],
    [1, 4, 0],
  ], "a line's own answer wins over the reward's");
  assert.match(r.summary, /; 6 conversations skipped$/);
});

test("a JSON array of conversations is read too, each named by file#index", () => {
  const conv = (u: string) => ({ messages: [{ role: "system", content: "be brief" }, { role: "user", content: u }, { role: "assistant", content: "ok" }] });
  const f: InputFile = { path: "a.json", bytes: new TextEncoder().encode(JSON.stringify([conv("a"), conv("b"), conv("a"), 7])) };
  assert.ok(chat.detect([f]));
  const r = importFiles([f]);
  assert.deepEqual(r.problems, [{ where: "a.json#3", message: "is a number, not a conversation ({messages: [...]}); skipped" }]);
  assert.deepEqual(r.prompts.map((p) => [p.id, p.prompt, p.samples.length]), [
    ["chat-1", "a", 2],
    ["chat-2", "b", 1],
  ]);
  assert.deepEqual(r.prompts.map((p) => p.system), ["be brief", "be brief"], "the system message is kept as the prompt's system");
});

test("Anthropic's top-level system (a string or text blocks) is the prompt's system", () => {
  const line = (system: unknown, id: string) => JSON.stringify({ id, system, messages: [{ role: "user", content: "hi" }, { role: "assistant", content: [{ type: "text", text: "ok" }] }] });
  const f: InputFile = { path: "a.jsonl", bytes: new TextEncoder().encode([line("be kind", "p1"), line([{ type: "text", text: "part one" }, { type: "text", text: "part two" }], "p2")].join("\n")) };
  const r = importFiles([f], "chat");
  assert.deepEqual(r.prompts.map((p) => p.system), ["be kind", "part one\npart two"]);
});
