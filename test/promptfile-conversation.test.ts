// Prompt files that hold a conversation (src/core/promptfile.ts): assistant and tool sections,
// `call NAME {json}` lines (also over several lines), results paired with the oldest waiting
// call, tools declared in the front matter (inline JSON or a file the caller reads), every
// problem at its exact range, and the hash: unchanged for plain prompts, covering the prefix and
// its tools for conversation prompts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePromptFile, parseTools, type FilePrompt, type Range } from "../src/core";
import { promptHash } from "../src/sampling/store";

const TOOLS = [
  { name: "get_reservation_details", description: "Look a reservation up.", input_schema: { type: "object", properties: { reservation_id: { type: "string" } }, required: ["reservation_id"] } },
  { name: "cancel_reservation", description: "Cancel a whole reservation.", input_schema: { type: "object", properties: { reservation_id: { type: "string" } }, required: ["reservation_id"] } },
];
const OPENAI_TOOLS = TOOLS.map((t) => ({ type: "function", function: { name: t.name, description: t.description, parameters: t.input_schema } }));

const parse = (text: string, files: Record<string, string> = {}) =>
  parsePromptFile(text, promptHash, { readToolsFile: (path) => (path in files ? { text: files[path]! } : { error: `no such file (${path})` }) });
const one = (text: string, files?: Record<string, string>): FilePrompt => {
  const ps = parse(text, files);
  assert.equal(ps.length, 1);
  return ps[0]!;
};
const r = (l1: number, c1: number, l2: number, c2: number): Range => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });
/** Problems as [severity, line, from, to] and their messages. */
const where = (p: FilePrompt) => p.problems.map((x) => [x.severity, x.range.start.line, x.range.start.character, x.range.end.line, x.range.end.character]);

const AGENT = [
  "---", // 0
  `tools: ${JSON.stringify(TOOLS)}`, // 1
  "vars: { code: NO6JO3 }", // 2
  "---", // 3
  "system:", // 4
  "You are an airline agent. Look a reservation up before you change it.", // 5
  "user:", // 6
  "Cancel my reservation {{code}}, please.", // 7
  "assistant:", // 8
  "Let me look it up.", // 9
  "call get_reservation_details {", // 10
  '  "reservation_id": "{{code}}"', // 11
  "}", // 12
  "tool get_reservation_details:", // 13
  '{"reservation_id": "NO6JO3", "status": "confirmed"}', // 14
  "user:", // 15
  "Why is it taking so long?", // 16
].join("\n");

test("a conversation prompt: turns, a call over three lines, its result, the tools declared inline; the label and hash its runs carry", () => {
  const p = one(AGENT);
  assert.deepEqual(p.problems, []);
  assert.deepEqual(p.unresolved, []);
  assert.equal(p.system, "You are an airline agent. Look a reservation up before you change it.");
  assert.deepEqual(p.tools, { from: "inline", range: r(1, 7, 1, 7 + JSON.stringify(TOOLS).length) });
  const c = p.conversation!;
  assert.equal(c.system, p.system);
  assert.deepEqual(c.messages, [
    { role: "user", content: [{ type: "text", text: "Cancel my reservation NO6JO3, please." }] },
    {
      role: "assistant",
      content: [
        { type: "text", text: "Let me look it up." },
        { type: "tool_call", id: "call_1", name: "get_reservation_details", arguments: { reservation_id: "NO6JO3" } },
      ],
    },
    {
      role: "user",
      content: [
        { type: "tool_result", id: "call_1", content: '{"reservation_id": "NO6JO3", "status": "confirmed"}' },
        { type: "text", text: "Why is it taking so long?" },
      ],
    },
  ]);
  assert.deepEqual(c.tools.map((t) => [t.name, t.description]), TOOLS.map((t) => [t.name, t.description]));
  assert.deepEqual(c.tools[0]!.inputSchema, TOOLS[0]!.input_schema);
  assert.match(p.user, /^Next action after: Why is it taking so long\? \(3 messages, 2 tools declared; prefix [0-9a-f]{12}\)$/);
  assert.equal(p.hash, promptHash(p.user, p.system), "the hash a run of it records: promptHash(its prompt, its system)");
});

test("the hash: a plain prompt's is unchanged; a conversation's covers the turns, the tools and their descriptions, not where the prompt sits", () => {
  const plain = "---\nn: 4\n---\nsystem: You are terse.\nuser:\nWhat is 2 + 2?\nuser:\nAnd 3 + 3?";
  const p = one(plain);
  assert.equal(p.user, "What is 2 + 2?\nAnd 3 + 3?");
  assert.equal(p.hash, promptHash("What is 2 + 2?\nAnd 3 + 3?", "You are terse."));
  assert.equal(p.conversation, undefined);
  assert.equal(p.tools, undefined);
  assert.equal(one("Say hello.").hash, promptHash("Say hello."));

  const base = one(AGENT).hash;
  const redescribed = AGENT.replace("Look a reservation up.", "Look a reservation up by its code.");
  assert.notEqual(one(redescribed).hash, base, "a changed tool description is another prompt");
  assert.notEqual(one(AGENT.replace('"status": "confirmed"', '"status": "cancelled"')).hash, base, "a changed tool result too");
  assert.notEqual(one(AGENT.replace("before you change it", "before you cancel it")).hash, base, "and the system prompt");
  assert.equal(parse(`Say hello.\n===\n${AGENT}`)[1]!.hash, base, "moving the prompt in the file does not change it");
  assert.equal(one(AGENT.replace('  "reservation_id": "{{code}}"', '      "reservation_id":    "{{code}}"')).hash, base, "nor the JSON's layout");
});

test("tools from a file (read by the caller, relative to the prompt file), in either format; its problems at the path", () => {
  const text = ["---", "tools: tools/airline.json", "---", "user: Cancel NO6JO3.", "assistant:", 'call cancel_reservation {"reservation_id": "NO6JO3"}', "tool:", "{\"ok\": true}"].join("\n");
  for (const file of [JSON.stringify(OPENAI_TOOLS), JSON.stringify({ tools: TOOLS })]) {
    const p = one(text, { "tools/airline.json": file });
    assert.deepEqual(p.problems, []);
    assert.deepEqual(p.tools, { from: "file", path: "tools/airline.json", range: r(1, 7, 1, 25) });
    assert.deepEqual(p.conversation!.tools.map((t) => t.name), ["get_reservation_details", "cancel_reservation"]);
    assert.match(p.user, /^Next action after: the result of cancel_reservation \(3 messages, 2 tools declared; prefix /);
  }
  const edited = one(text, { "tools/airline.json": JSON.stringify(OPENAI_TOOLS).replace("Cancel a whole reservation.", "Cancel a reservation, only after the user confirms.") });
  assert.notEqual(edited.hash, one(text, { "tools/airline.json": JSON.stringify(OPENAI_TOOLS) }).hash, "the file's descriptions are in the hash");

  const missing = one(text);
  assert.deepEqual(where(missing), [["error", 1, 7, 1, 25]]);
  assert.equal(missing.problems[0]!.message, "cannot read the tools file tools/airline.json: no such file (tools/airline.json)");
  const broken = one(text, { "tools/airline.json": '[{"name": "x"' });
  assert.deepEqual(where(broken), [["error", 1, 7, 1, 25]]);
  assert.match(broken.problems[0]!.message, /^the tools file cannot be used: tools\/airline\.json: not JSON/);
  const shapeless = one(text, { "tools/airline.json": '[{"name": "cancel_reservation", "description": "Cancel."}]' });
  assert.match(shapeless.problems[0]!.message, /tools\[0\] \(cancel_reservation\): neither an OpenAI function tool .* nor an Anthropic tool/);
  const unread = parsePromptFile(text, promptHash)[0]!;
  assert.match(unread.problems[0]!.message, /cannot read the tools file tools\/airline\.json: no tools file is read here/);
  // quoted paths
  assert.deepEqual(one(text.replace("tools/airline.json", '"tools/airline.json"'), { "tools/airline.json": JSON.stringify(TOOLS) }).tools, { from: "file", path: "tools/airline.json", range: r(1, 7, 1, 27) });
});

test("inline tools may continue over the next front-matter lines until the JSON parses", () => {
  const text = ["---", "tools: [", `  ${JSON.stringify(TOOLS[0])},`, `  ${JSON.stringify(TOOLS[1])}`, "  ]", "n: 3", "---", "Cancel NO6JO3."].join("\n");
  const p = one(text);
  assert.deepEqual(p.problems, []);
  assert.equal(p.settings.n, 3);
  assert.deepEqual(p.tools, { from: "inline", range: r(1, 7, 4, 3) });
  // tools and a single user turn: the first action of the agent
  assert.deepEqual(p.conversation!.messages, [{ role: "user", content: [{ type: "text", text: "Cancel NO6JO3." }] }]);
  assert.match(p.user, /^Next action after: Cancel NO6JO3\. \(1 message, 2 tools declared;/);
  const bad = one(["---", 'tools: [{"name": "a"', "---", "hi"].join("\n"));
  assert.deepEqual(where(bad), [["error", 1, 7, 1, 20]]);
  assert.match(bad.problems[0]!.message, /^the tools cannot be used: the tools: not JSON/);
});

test("without tools: the tools are inferred from the calls, undescribed, and a warning at the first call says so", () => {
  const text = ["user: Cancel NO6JO3.", "assistant:", 'call get_reservation_details {"reservation_id": "NO6JO3"}', 'call list_all_airports', "tool get_reservation_details:", "{}", "tool:", "[]"].join("\n");
  const p = one(text);
  assert.deepEqual(where(p), [["warning", 2, 5, 2, 28]]);
  assert.match(p.problems[0]!.message, /^no tools declared: get_reservation_details, list_all_airports are inferred from the calls, so the model sees undocumented tools/);
  assert.deepEqual(p.tools, { from: "inferred" });
  assert.deepEqual(p.conversation!.tools, [
    { name: "get_reservation_details", inputSchema: { type: "object", properties: { reservation_id: { type: "string" } }, required: ["reservation_id"] } },
    { name: "list_all_airports", inputSchema: { type: "object", properties: {} } },
  ]);
  const calls = p.conversation!.messages[1]!.content;
  assert.deepEqual(calls.map((b) => (b.type === "tool_call" ? [b.id, b.name, b.arguments] : b.type)), [
    ["call_1", "get_reservation_details", { reservation_id: "NO6JO3" }],
    ["call_2", "list_all_airports", {}],
  ]);
  assert.deepEqual(p.conversation!.messages[2]!.content.map((b) => (b.type === "tool_result" ? [b.id, b.content] : b.type)), [["call_1", "{}"], ["call_2", "[]"]]);
  assert.match(p.user, /2 tools inferred from the calls/);
});

test("ids: given with [ID] or call_1, call_2… skipping the given ones; error results; `call` lines only in assistant sections and only in their exact shape", () => {
  const text = ["user: go", "assistant: Sure.", 'call cancel_reservation [call_1] {"reservation_id": "A"}', 'call cancel_reservation {"reservation_id": "B"}', "call me later, maybe", "tool error:", "not found", "tool cancel_reservation:", "done", "user:", 'call cancel_reservation {"reservation_id": "C"}'].join("\n");
  const p = one(text);
  assert.deepEqual(p.problems.map((x) => x.severity), ["warning"]);
  const [u1, a, results] = p.conversation!.messages;
  assert.deepEqual(u1, { role: "user", content: [{ type: "text", text: "go" }] });
  assert.deepEqual(a!.content, [
    { type: "text", text: "Sure." },
    { type: "tool_call", id: "call_1", name: "cancel_reservation", arguments: { reservation_id: "A" } },
    { type: "tool_call", id: "call_2", name: "cancel_reservation", arguments: { reservation_id: "B" } },
    { type: "text", text: "call me later, maybe" },
  ]);
  assert.deepEqual(results!.content, [
    { type: "tool_result", id: "call_1", content: "not found", isError: true },
    { type: "tool_result", id: "call_2", content: "done" },
    { type: "text", text: 'call cancel_reservation {"reservation_id": "C"}' },
  ]);
  // a tool named "error": `tool error error:`
  const named = one(["user: go", "assistant:", "call error {}", "tool error error:", "boom"].join("\n"));
  assert.deepEqual(named.conversation!.messages[2]!.content, [{ type: "tool_result", id: "call_1", content: "boom", isError: true }]);
});

test("problems, each at its line: a result for no call, a wrong tool name, a call left unanswered, an unknown tool, bad JSON, and how the conversation ends", () => {
  const tools = `tools: ${JSON.stringify(TOOLS)}`;
  const cases: { lines: string[]; expect: [string, number, number, number, number][]; messages: RegExp[] }[] = [
    {
      // a result with no call waiting
      lines: ["user: hi", "tool:", "{}", "user: and?"],
      expect: [["error", 1, 0, 1, 5]],
      messages: [/^this tool result answers no call: no call NAME \{…\} line comes before it/],
    },
    {
      // the result names another tool than the call waiting
      lines: ["---", tools, "---", "user: hi", "assistant:", 'call get_reservation_details {"reservation_id": "X"}', "tool cancel_reservation:", "{}"],
      expect: [["error", 6, 5, 6, 23]],
      messages: [/^tool cancel_reservation: the call waiting for this result is get_reservation_details \(line 6\): results answer the calls in order$/],
    },
    {
      // a call with no result before the user's next turn; then the later result answers none
      lines: ["---", tools, "---", "user: hi", "assistant:", 'call get_reservation_details {"reservation_id": "X"}', "user: well?"],
      expect: [["error", 5, 0, 5, 28]],
      messages: [/^the call of get_reservation_details \(line 6\) has no result before the user turn at line 7: add a tool: section/],
    },
    {
      // the prompt ends with the call unanswered
      lines: ["---", tools, "---", "user: hi", "assistant:", 'call get_reservation_details {"reservation_id": "X"}'],
      expect: [["error", 5, 0, 5, 28]],
      messages: [/has no result before the prompt ends/],
    },
    {
      // ends with the assistant's text
      lines: ["user: hi", "assistant:", "Hello! How can I help?"],
      expect: [["error", 1, 0, 1, 10]],
      messages: [/^the conversation ends with an assistant turn: there is nothing for the next turn to answer/],
    },
    {
      // a tool that is not declared
      lines: ["---", tools, "---", "user: hi", "assistant:", 'call refund {"amount": 5}', "tool:", "{}"],
      expect: [["error", 5, 5, 5, 11]],
      messages: [/^refund is not a tool declared in the front matter \(get_reservation_details, cancel_reservation\): the API would refuse the call$/],
    },
    {
      // JSON that does not parse: at the character where it stops
      lines: ["---", tools, "---", "user: hi", "assistant:", "call cancel_reservation {", '  "reservation_id" "X"', "}", "tool:", "{}"],
      expect: [["error", 6, 19, 6, 22]],
      messages: [/^the arguments of call cancel_reservation are not JSON: Expected ':' after property name/],
    },
    {
      // starts with the assistant; a system section after the first turn; empty sections
      lines: ["assistant: Hi.", "user: hello", "system: Be brief.", "user:", "assistant:", "user: ok"],
      expect: [["error", 0, 0, 0, 14], ["error", 2, 0, 2, 17], ["error", 3, 0, 3, 5], ["error", 4, 0, 4, 10]],
      messages: [/^the conversation starts with an assistant turn/, /^a system: section after the conversation's first turn/, /^an empty user: section/, /^an empty assistant: section/],
    },
    {
      // ids: not an id, given twice
      lines: ["user: hi", "assistant:", "call a [x y] {}", "call b [k] {}", "call c [k] {}", "tool:", "1", "tool:", "2", "tool:", "3"],
      expect: [["error", 2, 8, 2, 11], ["error", 4, 8, 4, 9], ["warning", 2, 5, 2, 6]],
      messages: [/^the call id \[x y\] is not 1 to 64 letters/, /^a second call with the id k \(the first is at line 4\)/, /^no tools declared/],
    },
    {
      // a conversation's reference is the expected action: one that names no declared tool is flagged
      lines: ["---", "reference: 18", tools, "---", "Cancel NO6JO3."],
      expect: [["warning", 1, 0, 1, 13]],
      messages: [/^the expected next action names no declared tool: "18" \(declared: /],
    },
    {
      // a declared tool's name, or a full call of it: nothing to say
      lines: ["---", `reference: ${TOOLS[0]!.name}`, tools, "---", "Cancel NO6JO3."],
      expect: [],
      messages: [],
    },
  ];
  for (const { lines, expect, messages } of cases) {
    const p = one(lines.join("\n"));
    assert.deepEqual(where(p), expect, lines.join(" ⏎ "));
    messages.forEach((m, i) => assert.match(p.problems[i]!.message, m, lines.join(" ⏎ ")));
  }
});

test("what checkConversation refuses beyond the lines' own checks lands on the right range (a tool name the APIs refuse)", () => {
  const bad = [{ name: "look up", description: "x", input_schema: { type: "object" } }];
  const p = one(["---", `tools: ${JSON.stringify(bad)}`, "---", "hi"].join("\n"));
  assert.deepEqual(where(p), [["error", 1, 7, 1, 7 + JSON.stringify(bad).length]]);
  assert.match(p.problems[0]!.message, /^tools\[0\]: the tool name "look up" is not 1 to 64 letters/);
});

test("variables: filled in in every turn and inside the calls' JSON strings; undefined ones listed at their place", () => {
  const p = one(["---", "vars: { who: Ada }", "---", "user: I am {{who}}.", "assistant:", 'call get_user_details {"user_id": "{{who}}_1", "note": "{{missing}}"}', "tool: {{who}} found", "user: ok {{other}}"].join("\n"));
  const c = p.conversation!;
  assert.deepEqual(c.messages[0]!.content, [{ type: "text", text: "I am Ada." }]);
  assert.deepEqual((c.messages[1]!.content[0] as { arguments: unknown }).arguments, { user_id: "Ada_1", note: "{{missing}}" });
  assert.deepEqual(c.messages[2]!.content[0], { type: "tool_result", id: "call_1", content: "Ada found" });
  assert.deepEqual(p.unresolved, [
    { name: "missing", range: r(5, 56, 5, 67) },
    { name: "other", range: r(7, 9, 7, 18) },
  ]);
});

test("parseTools reads OpenAI and Anthropic tools, bare or wrapped, and says what is wrong where", () => {
  const a = parseTools(TOOLS);
  const o = parseTools(JSON.stringify({ tools: OPENAI_TOOLS }), "t.json");
  assert.ok("tools" in a && "tools" in o);
  assert.equal(a.format, "anthropic");
  assert.equal(o.format, "openai");
  assert.deepEqual(a.tools, o.tools);
  assert.deepEqual(parseTools({ nope: 1 }), { error: 'the tools: expected an array of tools or {"tools": [...]}, not an object' });
  const mixed = parseTools([TOOLS[0], OPENAI_TOOLS[1]], "t.json");
  assert.ok("error" in mixed && /mixes the two formats/.test(mixed.error), JSON.stringify(mixed));
});
