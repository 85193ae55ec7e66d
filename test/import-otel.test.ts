// The OTel importer (src/import/otel.ts) on OTLP JSON exports written from the OTLP/JSON trace
// encoding and the GenAI semantic conventions (test/data/import/otel/: weather-agent.json, one
// request with three traces, a span without a traceId and an HTTP span; weather-agent-2.jsonl, one
// request per line as the collector's file exporter writes, without execute_tool spans).
import { test } from "node:test";
import assert from "node:assert/strict";
import { otelImporter } from "../src/import/otel";
import { file, formatFiles, othersFiles, textFile } from "./support/import-files";

const dir = `${__dirname}/data/import/otel`;
const main = () => file(`${dir}/weather-agent.json`);
const lines = () => file(`${dir}/weather-agent-2.jsonl`);

test("traces are runs, grouped into prompts by agent name and first user message", () => {
  const r = otelImporter.read([main(), lines()]);
  assert.equal(r.format, "otel");
  assert.deepEqual(
    r.prompts.map((p) => [p.id, p.prompt, p.samples.length, p.model]),
    [
      ["weatherbot-what-s-the-weather-in-paris-today", "What's the weather in Paris today? Answer in Celsius.", 3, "gpt-4.1-mini-2025-04-14"],
      ["weatherbot-convert-30-c-to-fahrenheit", "Convert 30 °C to Fahrenheit.", 1, "gpt-4.1-mini-2025-04-14"],
    ],
  );
  assert.equal(r.summary, "2 prompts × 1–3 runs, 4 tool calls; format OpenTelemetry GenAI; 2 problems (skipped parts named)");
});

test("steps from inference spans' new input and output parts and execute_tool spans, by start time, without repeats", () => {
  const [a, b, c] = otelImporter.read([main(), lines()]).prompts[0]!.samples;
  assert.deepEqual(
    a!.steps,
    [
      { kind: "user", text: "What's the weather in Paris today? Answer in Celsius." },
      { kind: "reasoning", text: "Current conditions are needed; call get_weather for Paris." },
      { kind: "tool_call", name: "get_weather", arguments: { city: "Paris", unit: "celsius" }, id: "call_a1" },
      { kind: "tool_result", name: "get_weather", text: '{"temp_c": 18, "conditions": "cloudy"}', id: "call_a1" },
      { kind: "text", text: "It's 18 °C and cloudy in Paris today." },
    ],
  );
  assert.equal(a!.text, "It's 18 °C and cloudy in Paris today.");
  // The failed tool call: an error result with the span's status message.
  assert.deepEqual(
    b!.steps!.map((s) => [s.kind, s.isError ?? false]),
    [
      ["user", false],
      ["tool_call", false],
      ["tool_result", true],
      ["text", false],
      ["tool_call", false],
      ["tool_result", false],
      ["text", false],
    ],
  );
  assert.equal(b!.steps![2]!.text, "city not found: Paris, TX");
  assert.deepEqual(b!.steps![1]!.arguments, { city: "Paris, TX" });
  // Without execute_tool spans the result comes from the next call's tool_call_response; string arguments are parsed.
  assert.deepEqual(c!.steps, [
    { kind: "user", text: "What's the weather in Paris today? Answer in Celsius." },
    { kind: "tool_call", name: "get_weather", arguments: { city: "Paris", unit: "celsius" }, id: "call_c1" },
    { kind: "tool_result", text: '{"temp_c":18,"conditions":"cloudy"}', name: "get_weather", id: "call_c1" },
    { kind: "text", text: "18 °C, cloudy." },
  ]);
});

test("a malformed span is named by file#path and skipped; a trace without content is said", () => {
  const r = otelImporter.read([main()]);
  assert.deepEqual(r.problems, [
    { where: `${dir}/weather-agent.json#resourceSpans[0].scopeSpans[0].spans[12]`, message: "a span without traceId or startTimeUnixNano; skipped" },
    { where: "trace 5b8aa5a2d2c872e8321cf37308d69df2", message: "GenAI spans without captured content (no messages or tool calls); skipped" },
  ]);
  assert.deepEqual(
    r.prompts.map((p) => p.samples.length),
    [2],
  );
});

test("messages that are not JSON are named and skipped", () => {
  const req = {
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                traceId: "t1",
                spanId: "s1",
                name: "chat m",
                startTimeUnixNano: "1",
                attributes: [
                  { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
                  { key: "gen_ai.input.messages", value: { stringValue: '[{"role": "user", "parts": [{"type": "text", "content": "hi"}]}]' } },
                  { key: "gen_ai.output.messages", value: { stringValue: '[{"role": "assistant", "parts": [' } },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
  const r = otelImporter.read([textFile("t.json", JSON.stringify(req))]);
  assert.equal(r.problems.length, 1);
  assert.equal(r.problems[0]!.where, "t.json#resourceSpans[0].scopeSpans[0].spans[0].attributes.gen_ai.output.messages");
  assert.deepEqual(r.prompts[0]!.samples[0]!.steps, [{ kind: "user", text: "hi" }]);
});

test("detect: its own files yes; other formats and τ-bench no", () => {
  for (const f of formatFiles("otel")) assert.equal(otelImporter.detect([f]), true, f.path);
  const others = othersFiles("otel");
  assert.ok(others.length >= 4);
  for (const f of others) assert.equal(otelImporter.detect([f]), false, f.path);
});
