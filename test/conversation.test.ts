// The conversation prefix (src/core/conversation.ts): both providers' formats read into the
// neutral form (test/data/conversation: an OpenAI chat prefix with parallel calls, an Anthropic
// one with signed and redacted thinking and an error result, written from each API's docs), every
// refusal of the reader and of the check with its message, the writers' shapes (thinking
// signatures passed back, cache_control placement, tool messages after their call), round trips
// both ways (the two files, then random conversations), and the prefix of a τ-bench run before
// its 3rd tool call (the shared fixture).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  anthropicThinkingProblem,
  assistantTurnStart,
  checkConversation,
  conversationFromTrajectory,
  inferTools,
  mergeTurns,
  parseConversation,
  toAnthropic,
  toOpenAI,
  type Conversation,
  type ConversationBlock,
  type ConversationMessage,
} from "../src/core/conversation";
import * as core from "../src/core";
import type { TrajectoryStep } from "../src/core/types";
import { importFiles } from "../src/import";
import { sharedFixture, skipWithout } from "./support/fixtures";

const DATA = path.join(__dirname, "data", "conversation");
const load = (name: string) => JSON.parse(readFileSync(path.join(DATA, name), "utf8")) as Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

type Parsed = Extract<ReturnType<typeof parseConversation>, { conversation: Conversation }>;
function parsed(json: unknown, where?: string): Parsed {
  const r = parseConversation(json, where);
  if ("error" in r) assert.fail(`unexpected error: ${r.error}`);
  return r;
}
function parseError(json: unknown, where?: string): string {
  const r = parseConversation(json, where);
  if (!("error" in r)) assert.fail(`expected an error, read as ${r.format}: ${JSON.stringify(r.conversation)}`);
  return r.error;
}
/** The conversation without the readers' `sources`. */
function bare(c: Conversation): Conversation {
  const out: Conversation = { messages: c.messages.map((m) => ({ role: m.role, content: m.content })), tools: c.tools };
  if (c.system !== undefined) out.system = c.system;
  return out;
}

const user = (...content: ConversationBlock[]): ConversationMessage => ({ role: "user", content });
const assistant = (...content: ConversationBlock[]): ConversationMessage => ({ role: "assistant", content });
const text = (t: string): ConversationBlock => ({ type: "text", text: t });
const call = (id: string, name: string, args: unknown = {}): ConversationBlock => ({ type: "tool_call", id, name, arguments: args });
const result = (id: string, content: string, isError?: boolean): ConversationBlock => (isError ? { type: "tool_result", id, content, isError } : { type: "tool_result", id, content });
const TOOLS = [
  { name: "get_weather", description: "Current weather", inputSchema: { type: "object", properties: { location: { type: "string" } }, required: ["location"] } },
  { name: "get_time", inputSchema: { type: "object", properties: {} } },
];
const conv = (...messages: ConversationMessage[]): Conversation => ({ system: "Be brief.", messages, tools: TOOLS });

// ---------------------------------------------------------------------------------------------
// reading

test("OpenAI chat prefix: system first, calls and tool messages, the user's text after the results in the same turn; request keys ignored", () => {
  const r = parsed(load("openai-weather.json"), "weather.json");
  assert.equal(r.format, "openai");
  assert.deepEqual(r.notes, []);
  const c = r.conversation;
  assert.equal(c.system, "You are a helpful travel assistant. Use the tools to look things up; never guess the weather.");
  assert.deepEqual(bare(c).messages, [
    user(text("What's the weather like in Paris today? Should I pack an umbrella for Lyon tomorrow too?")),
    assistant(call("call_12345xyz", "get_weather", { location: "Paris, France" })),
    user(result("call_12345xyz", '{"temperature":14,"unit":"celsius","conditions":"light rain"}')),
    assistant(
      text("It is 14°C with light rain in Paris. Let me check Lyon's forecast."),
      call("call_67890abc", "get_forecast", { location: "Lyon, France", days: 2, units: "celsius" }),
      call("call_99999def", "get_weather", { location: "Lyon, France" }),
    ),
    user(
      result("call_67890abc", '[{"day":"2025-06-02","conditions":"showers","high":19},{"day":"2025-06-03","conditions":"sunny","high":24}]'),
      result("call_99999def", '{"temperature":17,"unit":"celsius","conditions":"cloudy"}'),
      text("Thanks!"),
      text("And what about Marseille on Wednesday?"),
    ),
  ]);
  assert.deepEqual(
    c.tools.map((t) => [t.name, t.description, Object.keys(t.inputSchema)]),
    [
      ["get_weather", "Get current temperature for a given location.", ["type", "properties", "required", "additionalProperties"]],
      ["get_forecast", "Get the daily forecast for the next days.", ["type", "properties", "required"]],
    ],
  );
  // where each block came from, in the user's file
  assert.deepEqual(c.messages[3]!.sources, ["weather.json: messages[4]", "weather.json: messages[4].tool_calls[0]", "weather.json: messages[4].tool_calls[1]"]);
  assert.deepEqual(c.messages[4]!.sources, ["weather.json: messages[5]", "weather.json: messages[6]", "weather.json: messages[7].content[0]", "weather.json: messages[7].content[1]"]);
  assert.equal(checkConversation(c), null);
});

test("Anthropic Messages prefix: system blocks joined, thinking with its signature, redacted thinking, parallel tool_use, is_error, results before text", () => {
  const r = parsed(load("anthropic-thinking.json"));
  assert.equal(r.format, "anthropic");
  const c = r.conversation;
  assert.equal(c.system, "You are a weather assistant for travellers.\n\nAnswer in the user's units.");
  assert.deepEqual(bare(c).messages, [
    user(text("What's the weather in Paris, and in Reykjavik?")),
    assistant(
      {
        type: "thinking",
        thinking: "The user wants the current weather in two cities. I have get_weather, which takes a location. I can call it for both at once.",
        signature: "EuYBCkQYAiJAgCs1le6/Pol5Z4/JMomVOouGrWdhYNsH3ukzUECbB6iWrSQtsQuRHJID6lWV9A==",
      },
      text("I'll look up both cities."),
      call("toolu_01A09q90qw90lq917835lq9", "get_weather", { location: "Paris, France" }),
      call("toolu_01B77x12ab34cd56ef78gh90", "get_weather", { location: "Reykjavik, Iceland", unit: "celsius" }),
    ),
    user(result("toolu_01A09q90qw90lq917835lq9", "15 degrees, partly cloudy"), result("toolu_01B77x12ab34cd56ef78gh90", "ConnectionError: the weather service is unavailable", true)),
    assistant(
      { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj2pzmN0/g==" },
      call("toolu_01C55mm66nn77oo88pp99qq0", "get_weather", { location: "Reykjavik, Iceland", unit: "celsius" }),
    ),
    user(result("toolu_01C55mm66nn77oo88pp99qq0", "4 degrees, windy"), text("Please give me Fahrenheit for Reykjavik.")),
  ]);
  assert.deepEqual(c.tools, [
    {
      name: "get_weather",
      description: "Get the current weather in a given location",
      inputSchema: {
        type: "object",
        properties: { location: { type: "string", description: "The city and country, e.g. San Francisco, USA" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
        required: ["location"],
      },
    },
  ]);
  assert.deepEqual(c.messages[2]!.sources, ["messages[2].content[0]", "messages[2].content[1]"]);
  assert.equal(checkConversation(c), null);
});

test("reading: developer messages, a top-level system, content parts, consecutive messages merged, reasoning and strict dropped and noted", () => {
  const r = parsed({
    system: "Top.",
    messages: [
      { role: "developer", content: [{ type: "text", text: "Dev one." }, { type: "text", text: "Dev two." }] },
      { role: "system", content: "Sys." },
      { role: "user", content: "Hi" },
      { role: "user", content: "Anyone?" },
      { role: "assistant", content: "", reasoning_content: "Let me think about the time.", tool_calls: [{ id: "c1", type: "function", function: { name: "get_time", arguments: "" } }] },
      { role: "tool", tool_call_id: "c1", content: [{ type: "text", text: "12:00" }, { type: "text", text: "UTC" }] },
    ],
    tools: [{ type: "function", function: { name: "get_time", strict: true } }],
  });
  assert.equal(r.format, "openai");
  const c = bare(r.conversation);
  assert.equal(c.system, "Top.\n\nDev one.\n\nDev two.\n\nSys.");
  assert.deepEqual(c.messages, [user(text("Hi"), text("Anyone?")), assistant(call("c1", "get_time", {})), user(result("c1", "12:00\n\nUTC"))]);
  assert.deepEqual(c.tools, [{ name: "get_time", inputSchema: { type: "object", properties: {} } }]);
  assert.deepEqual(r.notes, [
    "messages[4]: its reasoning_content left out (OpenAI-style servers do not take reasoning back, and it has no signature for Anthropic)",
    "tools[0].function.strict left out (a tool is declared by its name, description and schema)",
  ]);
});

test("reading: a bare array of messages, JSON text, a text-only prefix reads either way, arguments that are not JSON kept raw", () => {
  const arr = parsed([{ role: "user", content: "Hello" }]);
  assert.equal(arr.format, "openai");
  assert.deepEqual(bare(arr.conversation), { messages: [user(text("Hello"))], tools: [] });
  const str = parsed('{"system": "S", "messages": [{"role": "user", "content": "Hello"}]}');
  assert.equal(str.format, "anthropic", "a top-level system and text only: Anthropic's shape");
  assert.equal(str.conversation.system, "S");
  const raw = parsed({
    messages: [
      { role: "user", content: "go" },
      { role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: '{"a": 1' } }] },
      { role: "tool", tool_call_id: "c", content: "ok" },
    ],
  });
  assert.deepEqual(raw.conversation.messages[1]!.content, [call("c", "f", '{"a": 1')]);
  assert.match(parseError("{nope"), /^the prefix: not JSON \(.+\)$/);
});

test("reading refuses, naming the path: mixed formats, unknown shapes, images, server tools, blocks in the wrong role", () => {
  const u = { role: "user", content: "hi" };
  const cases: Array<[unknown, string]> = [
    [42, "p.json: is a number, not {\"system\"?, \"messages\": [...], \"tools\": [...]}"],
    [{ system: "x" }, "p.json: messages: is missing, not an array of messages"],
    [
      {
        messages: [
          u,
          { role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "c", content: "x" }] },
        ],
      },
      "p.json mixes the two formats: p.json: messages[1].tool_calls (\"tool_calls\") is OpenAI chat, p.json: messages[2].content[0] (a tool_result block) is Anthropic Messages; a prefix is in one or the other",
    ],
    [
      { messages: [u], tools: [{ name: "f", input_schema: { type: "object" } }, { type: "function", function: { name: "g" } }] },
      "p.json mixes the two formats: p.json: tools[1] (a function tool) is OpenAI chat, p.json: tools[0] (a tool with input_schema) is Anthropic Messages; a prefix is in one or the other",
    ],
    [{ messages: [u, { role: "user", content: [{ type: "tool_result", content: "x" }] }] }, "p.json: messages[1].content[0]: tool_result without tool_use_id"],
    [{ messages: [u, { role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input: "x" }] }] }, 'p.json: messages[1].content[0]: tool_use whose "input" is a string, not an object'],
    [{ messages: [u, { role: "assistant", content: [{ type: "tool_use", name: "f", input: {} }] }] }, "p.json: messages[1].content[0]: tool_use without id"],
    [{ messages: [{ role: "user", content: [{ type: "thinking", thinking: "t", signature: "s" }] }] }, "p.json: messages[0].content[0]: a thinking block in a user message (it belongs in an assistant message)"],
    [{ messages: [u, { role: "assistant", content: [{ type: "tool_result", tool_use_id: "t" }] }] }, "p.json: messages[1].content[0]: a tool_result block in an assistant message (it belongs in a user message)"],
    [
      { messages: [{ role: "user", content: [{ type: "text", text: "look" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBOR" } }] }] },
      "p.json: messages[0].content[1]: a image block: a conversation prefix holds text, thinking, tool_use and tool_result blocks only, so it cannot be sent as recorded",
    ],
    [
      { messages: [{ role: "user", content: [{ type: "text", text: "look" }, { type: "image_url", image_url: { url: "https://x/y.png" } }] }] },
      "p.json: messages[0].content[1]: a image_url part: a conversation prefix holds text only (images, audio and files are not supported), so it cannot be sent as recorded",
    ],
    [
      { messages: [u, { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: [{ type: "image", source: {} }] }] }] },
      "p.json: messages[1].content[0].content[0]: a image block in a tool result: a conversation prefix holds text only, so it cannot be sent as recorded",
    ],
    [
      { messages: [u, { role: "assistant", content: [{ type: "server_tool_use", id: "s", name: "web_search", input: {} }] }] },
      "p.json: messages[1].content[0]: a server_tool_use block: server and MCP tools are not supported (declare custom tools, answered by tool_result)",
    ],
    [{ messages: [{ role: "user", content: [{ type: "video", url: "x" }] }] }, 'p.json: messages[0].content[0]: a part of type "video" (expected text)'],
    [
      { system: "s", messages: [u], tools: [{ type: "web_search_20250305", name: "web_search", max_uses: 5 }] },
      'p.json: tools[0]: a "web_search_20250305" tool: server and built-in tools (web search, code execution, bash, text editor, computer use…) are not supported; declare custom tools by name, description and input_schema',
    ],
    [{ messages: [u], tools: [{ name: "f", input_schema: "object" }] }, 'p.json: tools[0]: tool f: "input_schema" is a string, not a JSON Schema object'],
    [{ messages: [u], tools: [{ type: "custom", name: "f", input_schema: { type: "object" } }, { type: "custom", input_schema: { type: "object" } }] }, "p.json: tools[1]: a tool without a name"],
    [{ messages: [u], tools: [{ type: "function", function: { name: "f", parameters: [] } }] }, "p.json: tools[0].function.parameters: is an array, not a JSON Schema object"],
    [{ messages: [u, { role: "assistant", content: "x" }, { role: "system", content: "late" }] }, "p.json: messages[2]: a system message after the first turn: a prefix has one system prompt, before its turns (move it there)"],
    [{ messages: [u, { role: "assistant", content: null }, { role: "tool", tool_call_id: "x", content: "y" }] }, "p.json: messages[1]: an assistant message with no text and no tool calls"],
    [{ messages: [u, { role: "tool", content: "y" }] }, "p.json: messages[1]: a tool message without tool_call_id"],
    [{ messages: [{ role: "user", content: "" }, { role: "tool", tool_call_id: "x", content: "y" }] }, "p.json: messages[0]: an empty user message"],
    [
      { messages: [u, { role: "assistant", content: null, tool_calls: [{ type: "function", function: { name: "f", arguments: "{}" } }] }] },
      "p.json: messages[1].tool_calls[0]: a tool call without an id",
    ],
    [
      { messages: [u, { role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: { a: 1 } } }] }] },
      "p.json: messages[1].tool_calls[0].function.arguments: is an object, not a JSON string",
    ],
    [
      { messages: [u, { role: "assistant", content: null, tool_calls: [{ id: "c", type: "custom", custom: { name: "f", input: "x" } }] }] },
      'p.json: messages[1].tool_calls[0]: a tool call of type "custom": only function calls are supported',
    ],
    [{ messages: [u, { role: "assistant", content: null, function_call: { name: "f", arguments: "{}" } }] }, "p.json: messages[1].function_call: the legacy function_call is not supported (use tool_calls)"],
    [{ messages: [u, { role: "function", name: "f", content: "x" }] }, 'p.json: messages[1]: role "function" (the legacy function result) is not supported: use tool messages'],
    [{ messages: [{ role: "human", content: "x" }] }, 'p.json: messages[0]: has role "human" (expected system, developer, user, assistant or tool)'],
    [{ system: "s", messages: [{ role: "user", content: 7 }] }, "p.json: messages[0].content: is a number, not text or an array of blocks"],
  ];
  for (const [json, message] of cases) assert.equal(parseError(json, "p.json"), message);
});

// ---------------------------------------------------------------------------------------------
// checking

test("check: the normal case ends right after tool results or a user turn", () => {
  assert.equal(checkConversation(conv(user(text("Weather in Oslo?")))), null);
  assert.equal(checkConversation(conv(user(text("Weather in Oslo?")), assistant(call("a", "get_weather", { location: "Oslo" })), user(result("a", "3°C")))), null);
  assert.equal(
    checkConversation(conv(user(text("Oslo?")), assistant(call("a", "get_weather", { location: "Oslo" })), user(result("a", "3°C"), text("And now?")))),
    null,
    "text after the results of the same turn",
  );
});

test("check refuses, with its message, every prefix the APIs would reject", () => {
  const q = user(text("Oslo?"));
  const cases: Array<[Conversation, string]> = [
    [conv(), "the conversation has no messages: a prefix needs at least one user turn"],
    [conv(assistant(text("Hi")), q), "messages[0]: the conversation starts with an assistant turn; it must start with a user turn"],
    [conv(q, { role: "assistant", content: [] }), "messages[1]: an empty assistant turn"],
    [conv(q, q), "messages[1]: a user turn right after another (messages[0]): consecutive turns of one role must be merged into one"],
    [conv(q, assistant(text("Hm")), user(text(" "))), "messages[2].content[0]: an empty text block (Anthropic refuses blank text)"],
    [conv(q, assistant(text("It is cold."))), "messages[1]: the prefix ends with an assistant turn, so there is nothing for a next assistant turn to answer: end it with a user turn or tool results"],
    [
      conv(q, assistant(text("Looking"), call("a", "get_weather", { location: "Oslo" }), call("b", "get_time"))),
      "messages[1].content[1]: the prefix ends with an assistant turn whose tool calls a (get_weather), b (get_time) have no result: add a user turn with their results so that the next assistant turn can be sampled",
    ],
    [
      conv(q, assistant(call("a", "get_weather", { location: "Oslo" }))),
      "messages[1].content[0]: the prefix ends with an assistant turn whose tool call a (get_weather) has no result: add a user turn with its result so that the next assistant turn can be sampled",
    ],
    [conv(q, assistant(text("ok")), user(result("zz", "x"))), 'messages[2].content[0]: the tool result for "zz" answers no earlier tool call'],
    [
      conv(q, assistant(call("a", "get_weather", { location: "Oslo" })), user(text("never mind"))),
      "messages[1].content[0]: the tool call a (get_weather) has no result in the next turn (messages[2]): each call's result must come in the user turn right after it, before any text",
    ],
    [
      conv(q, assistant(call("a", "get_weather", { location: "Oslo" }), call("b", "get_time")), user(result("a", "3°C"))),
      "messages[1].content[1]: the tool call b (get_time) has no result in the next turn (messages[2]): each call's result must come in the user turn right after it, before any text",
    ],
    [
      conv(q, assistant(call("a", "get_weather", { location: "Oslo" }), call("b", "get_time")), user(result("a", "3°C"), text("also"), result("b", "noon"))),
      "messages[2].content[2]: the result for b (get_time) comes after text in the same turn: a turn's tool results come first, right after the call, and its text after them",
    ],
    [
      conv(q, assistant(call("a", "get_weather", { location: "Oslo" })), user(result("a", "3°C")), assistant(text("More?")), user(result("a", "4°C"))),
      "messages[4].content[0]: a second result for the tool call a (get_weather)",
    ],
    [
      conv(q, assistant(call("a", "get_weather", { location: "Oslo" })), user(result("a", "3")), assistant(call("b", "get_time")), user(result("b", "x"), result("a", "y"))),
      "messages[4].content[1]: a second result for the tool call a (get_weather)",
    ],
    [
      conv(q, assistant(call("a", "get_weather", { location: "Oslo" }), call("a", "get_time"))),
      "messages[1].content[1]: a second tool call with the id a (the first is at messages[1].content[0]): call ids must be unique",
    ],
    [conv(q, assistant(call("a", "get_news"))), 'messages[1].content[0]: the tool call a names "get_news", which is not among the tools declared (get_weather, get_time)'],
    [{ messages: [q, assistant(call("a", "get_news"))], tools: [] }, 'messages[1].content[0]: the tool call a names "get_news", which is not among the tools declared (none)'],
    [conv(user(call("a", "get_time"))), "messages[0].content[0]: a tool call in a user turn (tool calls are the assistant's)"],
    [conv(q, assistant(result("a", "x"))), "messages[1].content[0]: a tool result in an assistant turn (results go in the user turn after the call)"],
    [conv(user({ type: "thinking", thinking: "hm", signature: "s" })), "messages[0].content[0]: a thinking block in a user turn (thinking is the assistant's)"],
    [conv(q, assistant(call("", "get_time"))), "messages[1].content[0]: a tool call without an id"],
    [{ messages: [q], tools: [TOOLS[0]!, TOOLS[0]!] }, "tools[1]: a second tool named get_weather (the first is tools[0])"],
    [{ messages: [q], tools: [{ name: "get weather", inputSchema: { type: "object" } }] }, 'tools[0]: the tool name "get weather" is not 1 to 64 letters, digits, "_" or "-" (as both APIs require)'],
    [{ messages: [q], tools: [{ name: "f", inputSchema: { type: "string" } }] }, 'tools[0] (f): its input schema is not a JSON Schema of type "object" (as both APIs require)'],
  ];
  for (const [c, message] of cases) assert.equal(checkConversation(c), message);
  // a result that comes a turn late is refused where its call went unanswered
  const late = conv(q, assistant(call("a", "get_weather", { location: "Oslo" })), user(text("hm")), assistant(text("ok")), user(result("a", "3°C")));
  assert.equal(
    checkConversation(late),
    "messages[1].content[0]: the tool call a (get_weather) has no result in the next turn (messages[2]): each call's result must come in the user turn right after it, before any text",
  );
});

test("check: errors point into the user's file when the conversation was read from one", () => {
  const r = parsed(
    {
      messages: [
        { role: "user", content: "Oslo?" },
        { role: "assistant", content: null, tool_calls: [{ id: "a", type: "function", function: { name: "get_weather", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "a", content: "3°C" },
        { role: "user", content: "thanks" },
        { role: "tool", tool_call_id: "zz", content: "x" },
      ],
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } }],
    },
    "oslo.json",
  );
  assert.equal(checkConversation(r.conversation), 'oslo.json: messages[4]: the tool result for "zz" answers no earlier tool call');
  const end = parsed({ messages: [{ role: "user", content: "Oslo?" }, { role: "assistant", content: "Cold." }, { role: "assistant", content: "Very." }] }, "o.json");
  assert.equal(checkConversation(end.conversation), "o.json: messages[2]: the prefix ends with an assistant turn, so there is nothing for a next assistant turn to answer: end it with a user turn or tool results");
});

test("check for Anthropic: a call's arguments must be a JSON object; toAnthropic throws the same", () => {
  const c = conv(user(text("t?")), assistant(call("a", "get_time", '{"tz": "UT')), user(result("a", "noon")));
  assert.equal(checkConversation(c), null, "OpenAI takes the raw string back");
  assert.equal(checkConversation(c, "anthropic"), `messages[1].content[0]: the tool call a (get_time) has arguments that are not a JSON object ("{\\"tz\\": \\"UT"), which Anthropic's tool_use input cannot hold`);
  assert.throws(() => toAnthropic(c), /tool call a \(get_time\): its arguments are not a JSON object/);
  assert.equal((toOpenAI(c).messages[2] as { tool_calls: { function: { arguments: string } }[] }).tool_calls[0]!.function.arguments, '{"tz": "UT');
});

test("mergeTurns merges consecutive turns of one role (sources kept), and the check then accepts them", () => {
  const c: Conversation = { messages: [user(text("a")), { ...user(text("b")), sources: ["step 1"] }, assistant(text("c")), assistant(call("x", "get_time")), user(result("x", "n"))], tools: TOOLS };
  assert.match(checkConversation(c)!, /a user turn right after another/);
  const m = mergeTurns(c);
  assert.deepEqual(bare(m).messages, [user(text("a"), text("b")), assistant(text("c"), call("x", "get_time")), user(result("x", "n"))]);
  assert.deepEqual(m.messages[0]!.sources, ["", "step 1"]);
  assert.equal(checkConversation(m), null);
  assert.equal(c.messages.length, 5, "the input is not changed");
});

// ---------------------------------------------------------------------------------------------
// writing

test("toAnthropic: thinking passed back exactly with its signature, unsigned thinking dropped, redacted thinking kept, is_error only when true", () => {
  const c = conv(
    user(text("Oslo?")),
    assistant({ type: "thinking", thinking: "Need the weather.", signature: "sig==" }, { type: "thinking", thinking: "no signature" }, { type: "redacted_thinking", data: "ENC" }, text("Checking."), call("a", "get_weather", { location: "Oslo" })),
    user(result("a", "3°C"), text("and the time?")),
    assistant({ type: "thinking", thinking: "unsigned only" }),
    user(text("hello?")),
  );
  const p = toAnthropic(c);
  assert.equal(p.system, "Be brief.");
  assert.deepEqual(p.messages, [
    { role: "user", content: [{ type: "text", text: "Oslo?" }] },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "Need the weather.", signature: "sig==" },
        { type: "redacted_thinking", data: "ENC" },
        { type: "text", text: "Checking." },
        { type: "tool_use", id: "a", name: "get_weather", input: { location: "Oslo" } },
      ],
    },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "a", content: "3°C" }, { type: "text", text: "and the time?" }] },
    // the turn of unsigned thinking only is dropped: two user turns, which Anthropic merges
    { role: "user", content: [{ type: "text", text: "hello?" }] },
  ]);
  assert.deepEqual(p.tools, [
    { name: "get_weather", description: "Current weather", input_schema: TOOLS[0]!.inputSchema },
    { name: "get_time", input_schema: { type: "object", properties: {} } },
  ]);
  const err = toAnthropic(conv(user(text("t")), assistant(call("a", "get_time")), user(result("a", "boom", true)))).messages[2];
  assert.deepEqual(err, { role: "user", content: [{ type: "tool_result", tool_use_id: "a", content: "boom", is_error: true }] });
});

test("anthropicThinkingProblem: a prefix ending in tool results needs the turn that opened the tool loop to start with signed or redacted thinking", () => {
  assert.equal(anthropicThinkingProblem(parsed(load("anthropic-thinking.json")).conversation), null, "its last calls' turn starts with redacted thinking");
  assert.match(
    anthropicThinkingProblem(parsed(load("openai-weather.json"), "w.json").conversation)!,
    /^w\.json: messages\[2\]: with thinking enabled, Anthropic requires the assistant turn that opened the tool-use loop/,
    "its last turn holds tool results (the user's text after them): still the tool loop, conservatively; the loop was opened at messages[2]",
  );
  assert.equal(anthropicThinkingProblem(conv(user(text("hi")), assistant(text("yo")), user(text("t?")))), null, "no tool results at the end");
  const calls = (...first: ConversationBlock[]) => conv(user(text("t?")), assistant(...first, call("a", "get_time")), user(result("a", "noon")));
  assert.equal(anthropicThinkingProblem(calls({ type: "thinking", thinking: "hm", signature: "s" })), null);
  assert.equal(anthropicThinkingProblem(calls({ type: "redacted_thinking", data: "x" })), null);
  // a loop of several calls: only the turn that opened it carries the thinking (the later ones are the same turn to the API)
  const loop = (first: ConversationBlock[]) => conv(user(text("t?")), assistant(...first, call("a", "get_time")), user(result("a", "noon")), assistant(call("b", "get_time")), user(result("b", "noon")));
  assert.equal(anthropicThinkingProblem(loop([{ type: "thinking", thinking: "hm", signature: "s" }])), null);
  assert.match(anthropicThinkingProblem(loop([]))!, /^messages\[1\]: /);
  assert.equal(
    anthropicThinkingProblem(calls(text("Checking."))),
    "messages[1]: with thinking enabled, Anthropic requires the assistant turn that opened the tool-use loop the prefix ends in to start with a thinking block passed back with its signature, and this one has none (it was recorded without thinking): sample with thinking off",
  );
  assert.equal(
    anthropicThinkingProblem(calls({ type: "thinking", thinking: "unsigned" })),
    "messages[1]: with thinking enabled, Anthropic requires the assistant turn that opened the tool-use loop the prefix ends in to start with a thinking block passed back with its signature, and this one has none (it was recorded without thinking, or its thinking has no signature): sample with thinking off",
  );
});

test("toAnthropic with cache: cache_control on the last tool, the system prompt and the prefix's last block — three breakpoints, none on thinking", () => {
  const c = conv(user(text("Oslo?")), assistant(call("a", "get_weather", { location: "Oslo" })), user(result("a", "3°C"), text("thanks")));
  const p = toAnthropic(c, { cache: true });
  assert.deepEqual(p.system, [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }]);
  assert.deepEqual(p.tools[1], { name: "get_time", input_schema: { type: "object", properties: {} }, cache_control: { type: "ephemeral" } });
  assert.equal((p.tools[0] as Record<string, unknown>).cache_control, undefined);
  assert.deepEqual(p.messages[2], { role: "user", content: [{ type: "tool_result", tool_use_id: "a", content: "3°C" }, { type: "text", text: "thanks", cache_control: { type: "ephemeral" } }] });
  const count = JSON.stringify(p).split('"cache_control"').length - 1;
  assert.equal(count, 3, "at most 4 breakpoints are allowed");
  // ending on a tool result: the result carries it; no system, no tools: only the prefix's
  const bareC: Conversation = { messages: [user(text("go")), assistant(call("a", "f")), user(result("a", "done"))], tools: [{ name: "f", inputSchema: { type: "object" } }] };
  const q = toAnthropic({ ...bareC, tools: bareC.tools }, { cache: true });
  assert.deepEqual(q.messages[2], { role: "user", content: [{ type: "tool_result", tool_use_id: "a", content: "done", cache_control: { type: "ephemeral" } }] });
  assert.equal(q.system, undefined);
  // the caller's conversation is not marked
  assert.equal(JSON.stringify(c).includes("cache_control"), false);
  // never on a thinking block (an unchecked prefix ending in an assistant turn)
  const t = toAnthropic({ messages: [user(text("x")), assistant(text("a"), { type: "thinking", thinking: "t", signature: "s" })], tools: [] }, { cache: true });
  assert.deepEqual(t.messages[1], { role: "assistant", content: [{ type: "text", text: "a", cache_control: { type: "ephemeral" } }, { type: "thinking", thinking: "t", signature: "s" }] });
});

test("toOpenAI: system first, one assistant message per turn (null content when it only calls), each result a tool message right after, 'Error: ' for errors, thinking dropped", () => {
  const c = conv(
    user(text("Oslo and the time?")),
    assistant({ type: "thinking", thinking: "both", signature: "s" }, call("a", "get_weather", { location: "Oslo" }), call("b", "get_time")),
    user(result("a", "3°C"), result("b", "service down", true), result("a2", "Error: already says so", true), text("ok"), text("and Bergen?")),
    assistant({ type: "redacted_thinking", data: "x" }),
    user(text("hello?")),
  );
  const p = toOpenAI(c);
  assert.deepEqual(p.messages, [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Oslo and the time?" },
    {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "a", type: "function", function: { name: "get_weather", arguments: '{"location":"Oslo"}' } },
        { id: "b", type: "function", function: { name: "get_time", arguments: "{}" } },
      ],
    },
    { role: "tool", tool_call_id: "a", content: "3°C" },
    { role: "tool", tool_call_id: "b", content: "Error: service down" },
    { role: "tool", tool_call_id: "a2", content: "Error: already says so" },
    { role: "user", content: [{ type: "text", text: "ok" }, { type: "text", text: "and Bergen?" }] },
    { role: "user", content: "hello?" },
  ]);
  assert.deepEqual(p.tools, [
    { type: "function", function: { name: "get_weather", description: "Current weather", parameters: TOOLS[0]!.inputSchema } },
    { type: "function", function: { name: "get_time", parameters: { type: "object", properties: {} } } },
  ]);
});

// ---------------------------------------------------------------------------------------------
// round trips

test("round trip: OpenAI chat → neutral → OpenAI gives the same messages and tools back", () => {
  const json = load("openai-weather.json");
  const back = toOpenAI(parsed(json).conversation);
  assert.deepEqual(back.messages, json.messages);
  assert.deepEqual(back.tools, json.tools);
});

test("round trip: Anthropic Messages → neutral → Anthropic gives the same content back, minus cache_control (system and a result's text blocks as text)", () => {
  const json = load("anthropic-thinking.json");
  const back = toAnthropic(parsed(json).conversation);
  const normal = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(normal);
    if (v === null || typeof v !== "object") return v;
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (k !== "cache_control") o[k] = normal(x);
    if (o.type === "tool_result" && Array.isArray(o.content)) o.content = (o.content as { text: string }[]).map((b) => b.text).join("\n\n");
    if (o.role !== undefined && typeof o.content === "string") o.content = [{ type: "text", text: o.content }];
    return o;
  };
  assert.deepEqual(back.messages, normal(json.messages));
  assert.deepEqual(back.tools, normal(json.tools));
  assert.equal(back.system, (json.system as { text: string }[]).map((b) => b.text).join("\n\n"));
  // with the cache: the same plus the three breakpoints
  const cached = toAnthropic(parsed(json).conversation, { cache: true });
  assert.deepEqual(normal(cached.messages), back.messages);
});

/** A seeded generator of conversations `checkConversation` accepts. */
function randomConversation(seed: number): Conversation {
  let s = seed >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const words = ["Oslo", "weather", "ünïcödé ✓", 'quote " and \\ slash', "line\nbreak", "Error: nope", "{\"json\": true}", "  padded  "];
  const phrase = () => Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(words)).join(" ");
  const value = (depth: number): unknown => {
    const k = Math.floor(rnd() * (depth > 1 ? 4 : 6));
    if (k === 0) return phrase();
    if (k === 1) return Math.round(rnd() * 1000) / 10;
    if (k === 2) return rnd() < 0.5;
    if (k === 3) return null;
    if (k === 4) return [value(depth + 1), value(depth + 1)];
    return { [pick(["a", "b", "c"])]: value(depth + 1), z: value(depth + 1) };
  };
  const tools = [
    { name: "alpha", description: "First", inputSchema: { type: "object", properties: { a: { type: "string" } } } },
    { name: "beta_2", inputSchema: { type: "object", properties: {} } },
  ];
  const messages: ConversationMessage[] = [user(text(phrase()))];
  let id = 0;
  const turns = 1 + Math.floor(rnd() * 4);
  for (let t = 0; t < turns; t++) {
    const a: ConversationBlock[] = [];
    if (rnd() < 0.5) a.push({ type: "thinking", thinking: phrase(), signature: `sig${t}` });
    if (rnd() < 0.2) a.push({ type: "thinking", thinking: phrase() });
    if (rnd() < 0.2) a.push({ type: "redacted_thinking", data: `r${t}` });
    if (rnd() < 0.6) a.push(text(phrase()));
    const calls = Math.floor(rnd() * 3);
    const ids: string[] = [];
    for (let k = 0; k < calls; k++) {
      const cid = `call_${seed}_${id++}`;
      ids.push(cid);
      a.push(call(cid, pick(tools).name, { a: phrase(), n: value(0) }));
    }
    if (calls > 0 && rnd() < 0.3) a.push(text(phrase()));
    if (!a.some((b) => b.type === "text" || b.type === "tool_call")) a.push(text(phrase()));
    messages.push(assistant(...a));
    const u: ConversationBlock[] = ids.map((cid) => result(cid, rnd() < 0.1 ? "" : phrase(), rnd() < 0.3));
    if (ids.length === 0 || rnd() < 0.4) u.push(text(phrase()));
    if (rnd() < 0.2) u.push(text(phrase()));
    messages.push(user(...u));
  }
  const c: Conversation = { messages, tools };
  if (rnd() < 0.7) c.system = phrase();
  return c;
}

test("round trip on random conversations: neutral → Anthropic → neutral is the same (unsigned thinking dropped); neutral → OpenAI → neutral the same minus thinking, texts before calls, 'Error: ' on errors", () => {
  for (let seed = 1; seed <= 300; seed++) {
    const c = randomConversation(seed);
    assert.equal(checkConversation(c), null, `seed ${seed}`);
    assert.equal(checkConversation(c, "anthropic"), null, `seed ${seed}`);

    const fromA = parsed(JSON.parse(JSON.stringify(toAnthropic(c, { cache: seed % 2 === 0 }))));
    assert.equal(fromA.format, "anthropic");
    const expectA = clone(c);
    for (const m of expectA.messages) m.content = m.content.filter((b) => b.type !== "thinking" || b.signature !== undefined);
    assert.deepEqual(bare(fromA.conversation), expectA, `seed ${seed}: Anthropic`);

    const fromO = parsed(JSON.parse(JSON.stringify(toOpenAI(c))));
    const expectO = clone(c);
    for (const m of expectO.messages) {
      if (m.role === "assistant") {
        const kept = m.content.filter((b) => b.type === "text" || b.type === "tool_call");
        m.content = [...kept.filter((b) => b.type === "text"), ...kept.filter((b) => b.type === "tool_call")];
      } else
        m.content = m.content.map((b) =>
          b.type === "tool_result" && b.isError ? { type: "tool_result", id: b.id, content: /^\s*error\b/i.test(b.content) ? b.content : `Error: ${b.content}` } : b,
        );
    }
    const gotO = bare(fromO.conversation);
    // a text-only prefix with a system reads as either format; the content is what matters
    assert.deepEqual(gotO, expectO, `seed ${seed}: OpenAI`);
  }
});

// ---------------------------------------------------------------------------------------------
// from a recorded run

const steps: TrajectoryStep[] = [
  { kind: "user", text: "Cancel my trip" }, // 0
  { kind: "reasoning", text: "need the reservation" }, // 1
  { kind: "text", text: "Let me look." }, // 2
  { kind: "tool_call", name: "get_reservation", arguments: { id: "R1" } }, // 3 (no id)
  { kind: "tool_call", name: "get_user", arguments: '{"user_id": "u1"}' }, // 4 (no id, JSON as a string)
  { kind: "tool_result", text: "{\"id\": \"R1\"}", name: "get_reservation" }, // 5
  { kind: "tool_result", text: "Error: user not found", isError: true }, // 6
  { kind: "reasoning", text: "signed", signature: "SIG" } as TrajectoryStep, // 7
  { kind: "tool_call", name: "cancel", arguments: { id: "R1", reason: "change of plan", refund: true }, id: "call_1" }, // 8 (its id is taken: synthetic ids avoid it)
  { kind: "tool_result", text: "ok", id: "call_1" }, // 9
  { kind: "text", text: "Done." }, // 10
  { kind: "user", text: "thanks ###STOP###" }, // 11
];

test("conversationFromTrajectory: user and agent turns, synthetic ids paired by order, reasoning only with a signature, tools inferred", () => {
  const c = conversationFromTrajectory(steps, 10, { system: "Policy." });
  assert.ok(!("error" in c), JSON.stringify(c));
  assert.equal(c.system, "Policy.");
  assert.deepEqual(bare(c).messages, [
    user(text("Cancel my trip")),
    assistant(text("Let me look."), call("call_0", "get_reservation", { id: "R1" }), call("call_1_", "get_user", { user_id: "u1" })),
    user(result("call_0", '{"id": "R1"}'), result("call_1_", "Error: user not found", true)),
    assistant({ type: "thinking", thinking: "signed", signature: "SIG" }, call("call_1", "cancel", { id: "R1", reason: "change of plan", refund: true })),
    user(result("call_1", "ok")),
  ]);
  assert.deepEqual(c.messages[1]!.sources, ["step 2", "step 3", "step 4"]);
  assert.deepEqual(c.tools, [
    { name: "get_reservation", description: "inferred from the recorded calls", inputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } },
    { name: "get_user", description: "inferred from the recorded calls", inputSchema: { type: "object", properties: { user_id: { type: "string" } }, required: ["user_id"] } },
    {
      name: "cancel",
      description: "inferred from the recorded calls",
      inputSchema: { type: "object", properties: { id: { type: "string" }, reason: { type: "string" }, refund: { type: "boolean" } }, required: ["id", "reason", "refund"] },
    },
  ]);
  assert.equal(checkConversation(c), null);
  // declared tools, when given, are used as they are
  const declared = conversationFromTrajectory(steps, 8, { tools: TOOLS });
  assert.ok("error" in declared);
  assert.equal(declared.error, 'the prefix before step 8 cannot be sent: step 3: the tool call call_0 names "get_reservation", which is not among the tools declared (get_weather, get_time)');
});

test("conversationFromTrajectory: rerunning from an agent step resamples its whole turn; a result, a user turn or an out-of-range step is refused", () => {
  assert.equal(assistantTurnStart(steps, 4), 1);
  assert.equal(assistantTurnStart(steps, 8), 7);
  assert.equal(assistantTurnStart(steps, 5), 5);
  const fromCall = conversationFromTrajectory(steps, 4);
  const fromTurn = conversationFromTrajectory(steps, 1);
  assert.deepEqual(fromCall, fromTurn, "from the 2nd call of a turn = from the turn's start");
  assert.ok(!("error" in fromCall));
  assert.deepEqual(bare(fromCall).messages, [user(text("Cancel my trip"))]);

  const err = (before: number) => {
    const r = conversationFromTrajectory(steps, before);
    assert.ok("error" in r, `step ${before}`);
    return r.error;
  };
  assert.equal(err(5), "step 5 is a tool's result, not the agent's: rerun from the call it answers, or from the step after it");
  assert.equal(err(11), "step 11 is a user turn, not the agent's: rerun from the agent's step after it");
  assert.equal(err(13), "step 13 is not a step of the run (it has 12 steps, numbered from 0)");
  assert.equal(err(-1), "step -1 is not a step of the run (it has 12 steps, numbered from 0)");
  const agentFirst: TrajectoryStep[] = [{ kind: "text", text: "Hello, how can I help?" }, { kind: "user", text: "hi" }, { kind: "text", text: "Sure." }];
  const r0 = conversationFromTrajectory(agentFirst, 0);
  assert.deepEqual(r0, { error: "nothing before step 0 to rerun from: a prefix starts with a user turn" });
  const r2 = conversationFromTrajectory(agentFirst, 2);
  assert.deepEqual(r2, { error: "the prefix before step 2 cannot be sent: step 0: the conversation starts with an assistant turn; it must start with a user turn" });
  const lone: TrajectoryStep[] = [{ kind: "user", text: "x" }, { kind: "tool_result", text: "orphan" }, { kind: "text", text: "?" }];
  assert.deepEqual(conversationFromTrajectory(lone, 2), { error: "step 1: a tool result without an id, and no call left for it to answer" });
});

test("the whole run as a prefix: accepted when it ends with a user turn, refused (saying why) when it ends with the agent's text", () => {
  const ended = conversationFromTrajectory(steps, steps.length);
  assert.ok(!("error" in ended));
  assert.equal(ended.messages[ended.messages.length - 1]!.role, "user");
  const r = conversationFromTrajectory(steps.slice(0, 11), 11);
  assert.deepEqual(r, {
    error: "the prefix before step 11 cannot be sent: step 10: the prefix ends with an assistant turn, so there is nothing for a next assistant turn to answer: end it with a user turn or tool results",
  });
});

test("inferTools: types from the values (several → a list), nested objects and arrays' items, required = in every call", () => {
  const tools = inferTools([
    { kind: "tool_call", name: "book", arguments: { flights: [{ number: "HAT1", date: "2024-05-01" }], passengers: 2, note: "x", insurance: "no" } },
    { kind: "tool_call", name: "book", arguments: { flights: [{ number: "HAT2" }], passengers: 1.5, note: null } },
    { kind: "tool_call", name: "think", arguments: "not json" },
    { kind: "tool_call", name: "book", arguments: '{"flights": [], "passengers": 3}' },
    { kind: "tool_result", name: "book", text: "ok" },
  ]);
  assert.deepEqual(tools, [
    {
      name: "book",
      description: "inferred from the recorded calls",
      inputSchema: {
        type: "object",
        properties: {
          flights: { type: "array", items: { type: "object", properties: { number: { type: "string" }, date: { type: "string" } }, required: ["number"] } },
          passengers: { type: "number" },
          note: { type: ["string", "null"] },
          insurance: { type: "string" },
        },
        required: ["flights", "passengers"],
      },
    },
    { name: "think", description: "inferred from the recorded calls", inputSchema: { type: "object", properties: {} } },
  ]);
  assert.equal(checkConversation({ messages: [user(text("x"))], tools }), null, "the inferred schemas are accepted");
});

test("src/core re-exports the module", () => {
  assert.equal(core.parseConversation, parseConversation);
  assert.equal(core.conversationFromTrajectory, conversationFromTrajectory);
  assert.equal(core.inferTools, inferTools);
});

// ---------------------------------------------------------------------------------------------
// the shared τ-bench fixture

const FIXTURE = sharedFixture("tau-airline-gpt4o", "results.json");

/** Every OpenAI tool message follows the assistant message holding its call (only tool messages between), and every call is answered before any other message. */
function assertOpenAIShape(messages: unknown[]): void {
  let open: string[] = [];
  messages.forEach((raw, i) => {
    const m = raw as { role: string; tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[]; tool_call_id?: string; content: unknown };
    if (m.role === "tool") {
      assert.ok(open.includes(m.tool_call_id!), `messages[${i}]: tool message right after its call`);
      open = open.filter((x) => x !== m.tool_call_id);
      assert.equal(typeof m.content, "string");
      return;
    }
    assert.deepEqual(open, [], `messages[${i}]: every call answered before a ${m.role} message`);
    if (i === 0) assert.equal(m.role, "system");
    if (m.role === "assistant") {
      assert.ok(m.content !== null || (m.tool_calls?.length ?? 0) > 0);
      for (const c of m.tool_calls ?? []) {
        assert.equal(c.type, "function");
        assert.equal(typeof JSON.parse(c.function.arguments), "object");
      }
      open = (m.tool_calls ?? []).map((c) => c.id);
    }
  });
  assert.deepEqual(open, []);
}

/** Anthropic: turns alternate from the user's; each assistant's tool_use answered first thing in the next user message. */
function assertAnthropicShape(messages: unknown[]): void {
  messages.forEach((raw, i) => {
    const m = raw as { role: string; content: { type: string; id?: string; tool_use_id?: string; input?: unknown }[] };
    assert.equal(m.role, i % 2 === 0 ? "user" : "assistant", `messages[${i}]`);
    assert.ok(Array.isArray(m.content) && m.content.length > 0);
    const prev = messages[i - 1] as typeof m | undefined;
    const calls = prev?.role === "assistant" ? prev.content.filter((b) => b.type === "tool_use").map((b) => b.id) : [];
    const results = m.content.filter((b) => b.type === "tool_result").map((b) => b.tool_use_id);
    assert.deepEqual(results, calls, `messages[${i}]: the results of messages[${i - 1}]'s calls`);
    assert.deepEqual(m.content.slice(0, results.length).map((b) => b.type), results.map(() => "tool_result"), "results first");
    for (const b of m.content) if (b.type === "tool_use") assert.equal(typeof b.input, "object");
  });
  assert.equal((messages[messages.length - 1] as { role: string }).role, "user");
}

test("τ-bench fixture: the prefix of task-2's run 0 before its 3rd tool call is accepted and converts to valid shapes for both providers", { skip: skipWithout(FIXTURE) }, () => {
  const bytes = readFileSync(FIXTURE!);
  const r = importFiles([{ path: FIXTURE!, bytes }]);
  const sample = r.prompts.find((p) => p.id === "task-2")!.samples.find((s) => s.index === 0)!;
  const runSteps = sample.steps!;
  const calls = runSteps.flatMap((s, i) => (s.kind === "tool_call" ? [i] : []));
  const before = calls[2]!;
  const raw = (JSON.parse(bytes.toString("utf8")) as { task_id: number; trial: number; traj: { role: string; content: string }[] }[]).find((x) => x.task_id === 2 && x.trial === 0)!;
  const system = raw.traj[0]!.content;
  assert.equal(raw.traj[0]!.role, "system");

  const c = conversationFromTrajectory(runSteps, before, { system });
  assert.ok(!("error" in c), JSON.stringify(c));
  assert.equal(checkConversation(c), null);
  assert.equal(checkConversation(c, "anthropic"), null);
  assert.match(anthropicThinkingProblem(c)!, /^step \d+: with thinking enabled, Anthropic requires/, "GPT-4o's turns carry no thinking: Claude samples it with thinking off");
  assert.equal(c.system, system);
  // user, agent, user, then two call/result pairs: the state just before the 3rd call
  assert.deepEqual(
    c.messages.map((m) => `${m.role}:${m.content.map((b) => b.type).join("+")}`),
    ["user:text", "assistant:text", "user:text", "assistant:tool_call", "user:tool_result", "assistant:tool_call", "user:tool_result"],
  );
  const last = c.messages[c.messages.length - 1]!.content[0]!;
  const prevCall = c.messages[c.messages.length - 2]!.content[0]!;
  assert.equal(last.type === "tool_result" && prevCall.type === "tool_call" && last.id === prevCall.id, true);
  assert.deepEqual(c.messages.at(-1)!.sources, [`step ${before - 1}`]);
  // tools: every tool the run called (τ-bench records none), with the keys it used
  const names = [...new Set(runSteps.filter((s) => s.kind === "tool_call").map((s) => s.name))];
  assert.deepEqual(c.tools.map((t) => t.name), names);
  const res = c.tools.find((t) => t.name === "get_reservation_details")!;
  assert.deepEqual(res.inputSchema, { type: "object", properties: { reservation_id: { type: "string" } }, required: ["reservation_id"] });

  const o = toOpenAI(c);
  assertOpenAIShape(o.messages);
  assert.equal(o.messages.length, 1 + 7);
  assert.deepEqual(o.messages[0], { role: "system", content: system });
  // the prefix is the recorded conversation, message for message (τ-bench's own traj; its `name` on tool messages aside)
  const recorded = raw.traj.slice(0, o.messages.length).map((m) => {
    const copy = { ...m } as Record<string, unknown>;
    delete copy.name;
    if (Array.isArray(copy.tool_calls)) copy.tool_calls = (copy.tool_calls as { id: string; type: string; function: { name: string; arguments: string } }[]).map((tc) => ({ id: tc.id, type: tc.type, function: { name: tc.function.name, arguments: JSON.stringify(JSON.parse(tc.function.arguments)) } }));
    return copy;
  });
  assert.deepEqual(o.messages, recorded);
  assert.equal(o.tools.length, names.length);

  const a = toAnthropic(c, { cache: true });
  assertAnthropicShape(a.messages);
  assert.deepEqual(a.system, [{ type: "text", text: system, cache_control: { type: "ephemeral" } }]);
  assert.equal(JSON.stringify(a).split('"cache_control"').length - 1, 3);
});
