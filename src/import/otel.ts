// OTLP JSON exports of OpenTelemetry GenAI spans. Follows the OTLP/JSON encoding of traces
// (ExportTraceServiceRequest: resourceSpans[].scopeSpans[].spans[] with traceId, spanId,
// parentSpanId, name, startTimeUnixNano, endTimeUnixNano, attributes as [{key, value:
// {stringValue | intValue | doubleValue | boolValue | arrayValue | kvlistValue}}], status {code,
// message}; a file may also hold one such request per line, as the collector's file exporter
// writes) and the GenAI semantic conventions (open-telemetry/semantic-conventions,
// docs/gen-ai/gen-ai-spans.md, gen-ai-agent-spans.md, and the message schemas
// gen-ai-input-messages.json / gen-ai-output-messages.json): gen_ai.operation.name chat /
// text_completion / generate_content (inference), invoke_agent (gen_ai.agent.name) and
// execute_tool (gen_ai.tool.name, gen_ai.tool.call.id, gen_ai.tool.call.arguments,
// gen_ai.tool.call.result, error.type); gen_ai.input.messages / gen_ai.output.messages as JSON
// arrays of {role, parts} with parts text {content}, reasoning {content}, tool_call {id, name,
// arguments} and tool_call_response {id, response}.
//
// Mapping:
// - Spans are grouped by traceId: one trace is one run (one sample).
// - The run's steps come from its inference spans and its execute_tool spans, in order of start
//   time. An inference span contributes the input messages it adds (those after the last
//   assistant message of its input, as each call resends the conversation so far; system
//   messages left out): user text → user, tool_call_response → tool_result; then its output
//   messages: reasoning → reasoning, text → text, tool_call → tool_call. An execute_tool span
//   contributes a tool_result (its result, or its status message / error.type; an error status
//   or error.type makes it an error), preceded by a tool_call when no inference output has
//   already made that call (matched by gen_ai.tool.call.id). A tool_call_response whose id an
//   execute_tool span already answered is not repeated. invoke_agent spans give their messages
//   only when the trace has no inference span with messages.
// - Runs are grouped into prompts by gen_ai.agent.name (when a span of the run has one) and the
//   run's first user message; the prompt's id is made from them.
// - A span that is not an object or lacks traceId/startTimeUnixNano, and messages that are not
//   JSON, are problems named file#resourceSpans[i].scopeSpans[j].spans[k] and skipped; a trace
//   with GenAI spans but no captured content (no messages, no tool calls) is said and skipped.
//   Traces without GenAI spans are not runs and are passed over. No reward: spans carry none.
import type { PromptRecord, Sample, TrajectoryStep } from "../core/types";
import type { ImportProblem, Importer, InputFile } from "./types";
import { headOf, isObject, jsonLines, lastText, parseArguments, slugId, str, summarize, textOf } from "./records";

const LABEL = "OpenTelemetry GenAI";
const INFERENCE = new Set(["chat", "text_completion", "generate_content"]);

function detectOne(f: InputFile): boolean {
  return /^\s*\{\s*"resourceSpans"\s*:/.test(headOf(f.bytes, 1024));
}

/** An OTLP AnyValue as a JS value (int64s, which OTLP/JSON may give as strings, as numbers). */
function anyValue(v: unknown): unknown {
  if (!isObject(v)) return undefined;
  if ("stringValue" in v) return v.stringValue;
  if ("boolValue" in v) return v.boolValue;
  if ("intValue" in v) return Number(v.intValue);
  if ("doubleValue" in v) return Number(v.doubleValue);
  if ("bytesValue" in v) return v.bytesValue;
  if (isObject(v.arrayValue)) return Array.isArray(v.arrayValue.values) ? v.arrayValue.values.map(anyValue) : [];
  if (isObject(v.kvlistValue)) return attributes(v.kvlistValue.values);
  return undefined;
}

function attributes(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) if (isObject(kv) && typeof kv.key === "string") out[kv.key] = anyValue(kv.value);
  return out;
}

interface Span {
  where: string;
  traceId: string;
  start: bigint;
  name: string;
  op: string;
  attrs: Record<string, unknown>;
  error: boolean;
  statusMessage?: string;
}

function nanos(x: unknown): bigint | null {
  if (typeof x === "number" && Number.isFinite(x)) return BigInt(Math.trunc(x));
  if (typeof x === "string" && /^\d+$/.test(x)) return BigInt(x);
  return null;
}

function operation(name: string, attrs: Record<string, unknown>): string {
  const op = attrs["gen_ai.operation.name"];
  if (typeof op === "string") return op;
  return name.split(" ")[0] ?? "";
}

/** A messages attribute: a JSON string (the usual form on spans) or an already structured array. */
function messagesOf(x: unknown): unknown[] | undefined {
  if (x === undefined) return undefined;
  const v = typeof x === "string" ? JSON.parse(x) : x;
  if (!Array.isArray(v)) throw new Error("not an array of messages");
  return v;
}

function responseText(x: unknown): string {
  if (typeof x === "string") return x;
  return JSON.stringify(x) ?? "";
}

function partsOf(m: unknown): Record<string, unknown>[] {
  if (!isObject(m) || !Array.isArray(m.parts)) return [];
  return m.parts.filter(isObject);
}

interface Run {
  steps: TrajectoryStep[];
  agent?: string;
  firstUser?: string;
  model?: string;
}

function buildRun(spans: Span[], problems: ImportProblem[]): Run {
  spans.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const run: Run = { steps: [] };
  const parsed = new Map<Span, { input?: unknown[]; output?: unknown[] }>();
  for (const s of spans) {
    if (!run.agent && typeof s.attrs["gen_ai.agent.name"] === "string") run.agent = s.attrs["gen_ai.agent.name"] as string;
    if (s.op !== "execute_tool" && (INFERENCE.has(s.op) || s.op === "invoke_agent")) {
      const m: { input?: unknown[]; output?: unknown[] } = {};
      for (const [key, slot] of [
        ["gen_ai.input.messages", "input"],
        ["gen_ai.output.messages", "output"],
      ] as const) {
        try {
          const v = messagesOf(s.attrs[key]);
          if (v) m[slot] = v;
        } catch (e) {
          problems.push({ where: `${s.where}.attributes.${key}`, message: `${(e as Error).message}; these messages skipped` });
        }
      }
      parsed.set(s, m);
    }
  }
  const inferenceWithMessages = spans.some((s) => INFERENCE.has(s.op) && (parsed.get(s)?.input || parsed.get(s)?.output));
  const called = new Map<string, string>();
  const answered = new Set<string>();
  for (const s of spans) if (s.op === "execute_tool" && typeof s.attrs["gen_ai.tool.call.id"] === "string") answered.add(s.attrs["gen_ai.tool.call.id"] as string);

  for (const s of spans) {
    if (s.op === "execute_tool") {
      const name = str(s.attrs["gen_ai.tool.name"]) ?? s.name.replace(/^execute_tool\s*/, "");
      const id = str(s.attrs["gen_ai.tool.call.id"]);
      if (!id || !called.has(id)) {
        const call: TrajectoryStep = { kind: "tool_call", name, arguments: parseArguments(s.attrs["gen_ai.tool.call.arguments"] ?? {}) };
        if (id) call.id = id;
        run.steps.push(call);
        if (id) called.set(id, name);
      }
      const errorType = str(s.attrs["error.type"]);
      const result = s.attrs["gen_ai.tool.call.result"];
      const step: TrajectoryStep = { kind: "tool_result", name, text: result !== undefined ? responseText(result) : s.statusMessage ?? errorType ?? "" };
      if (id) step.id = id;
      if (s.error || errorType) step.isError = true;
      run.steps.push(step);
      continue;
    }
    const isInference = INFERENCE.has(s.op);
    if (!isInference && !(s.op === "invoke_agent" && !inferenceWithMessages)) continue;
    if (!run.model) {
      const model = str(s.attrs["gen_ai.response.model"]) ?? str(s.attrs["gen_ai.request.model"]);
      if (model) run.model = model;
    }
    const m = parsed.get(s) ?? {};
    const input = m.input ?? [];
    let lastAssistant = -1;
    input.forEach((msg, i) => {
      if (isObject(msg) && msg.role === "assistant") lastAssistant = i;
    });
    for (const msg of input.slice(lastAssistant + 1)) {
      if (!isObject(msg) || msg.role === "system") continue;
      for (const p of partsOf(msg)) {
        if (p.type === "text" && typeof p.content === "string" && msg.role === "user") {
          run.steps.push({ kind: "user", text: p.content });
          if (run.firstUser === undefined) run.firstUser = p.content.trim();
        } else if (p.type === "tool_call_response") {
          const id = str(p.id);
          if (id && answered.has(id)) continue;
          const step: TrajectoryStep = { kind: "tool_result", text: responseText(p.response) };
          if (id) {
            const name = called.get(id);
            if (name) step.name = name;
            step.id = id;
            answered.add(id);
          }
          run.steps.push(step);
        }
      }
    }
    for (const msg of m.output ?? []) {
      for (const p of partsOf(msg)) {
        if (p.type === "reasoning" && typeof p.content === "string" && p.content !== "") run.steps.push({ kind: "reasoning", text: p.content });
        else if (p.type === "text" && typeof p.content === "string" && p.content !== "") run.steps.push({ kind: "text", text: p.content });
        else if (p.type === "tool_call" && typeof p.name === "string") {
          const step: TrajectoryStep = { kind: "tool_call", name: p.name, arguments: parseArguments(p.arguments ?? {}) };
          const id = str(p.id);
          if (id) {
            step.id = id;
            called.set(id, p.name);
          }
          run.steps.push(step);
        }
      }
    }
  }
  return run;
}

/** The ExportTraceServiceRequests of a file: one JSON object, or one per line. */
function requestsOf(f: InputFile, problems: ImportProblem[]): { value: unknown; where: string }[] {
  const text = textOf(f.bytes);
  try {
    return [{ value: JSON.parse(text), where: f.path }];
  } catch (e) {
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
    if (lines.length < 2) {
      problems.push({ where: f.path, message: `not JSON (${(e as Error).message}); file skipped` });
      return [];
    }
    return jsonLines(f.path, text, problems).map(({ line, value }) => ({ value, where: `${f.path}:${line}` }));
  }
}

export const otelImporter: Importer = {
  name: "otel",
  label: "OpenTelemetry GenAI spans (OTLP JSON)",
  detect(files) {
    return files.length > 0 && files.some(detectOne);
  },
  read(files) {
    const problems: ImportProblem[] = [];
    const traces = new Map<string, Span[]>();
    for (const f of files) {
      for (const { value, where: base } of requestsOf(f, problems)) {
        if (!isObject(value) || !Array.isArray(value.resourceSpans)) {
          problems.push({ where: base, message: 'no "resourceSpans" array; skipped' });
          continue;
        }
        value.resourceSpans.forEach((rs, i) => {
          const scopes = isObject(rs) && Array.isArray(rs.scopeSpans) ? rs.scopeSpans : [];
          scopes.forEach((ss, j) => {
            const spans = isObject(ss) && Array.isArray(ss.spans) ? ss.spans : [];
            spans.forEach((sp, k) => {
              const where = `${base}#resourceSpans[${i}].scopeSpans[${j}].spans[${k}]`;
              const start = isObject(sp) ? nanos(sp.startTimeUnixNano) : null;
              if (!isObject(sp) || typeof sp.traceId !== "string" || sp.traceId === "" || start === null) {
                problems.push({ where, message: "a span without traceId or startTimeUnixNano; skipped" });
                return;
              }
              const attrs = attributes(sp.attributes);
              const name = str(sp.name) ?? "";
              const op = operation(name, attrs);
              if (!INFERENCE.has(op) && op !== "invoke_agent" && op !== "execute_tool") return;
              const status = isObject(sp.status) ? sp.status : {};
              const span: Span = { where, traceId: sp.traceId, start, name, op, attrs, error: status.code === 2 || status.code === "STATUS_CODE_ERROR" };
              if (typeof status.message === "string" && status.message !== "") span.statusMessage = status.message;
              let list = traces.get(sp.traceId);
              if (!list) traces.set(sp.traceId, (list = []));
              list.push(span);
            });
          });
        });
      }
    }

    const taken = new Set<string>();
    const byKey = new Map<string, PromptRecord>();
    for (const [traceId, spans] of traces) {
      const run = buildRun(spans, problems);
      if (run.steps.length === 0 || run.firstUser === undefined) {
        problems.push({
          where: `trace ${traceId}`,
          message: run.steps.length === 0 ? "GenAI spans without captured content (no messages or tool calls); skipped" : "no user message; skipped",
        });
        continue;
      }
      const key = `${run.agent ?? ""}\u0000${run.firstUser}`;
      let record = byKey.get(key);
      if (!record) {
        record = { id: slugId(run.agent ? `${run.agent} ${run.firstUser}` : run.firstUser, taken, "run"), prompt: run.firstUser, samples: [] };
        byKey.set(key, record);
      }
      if (run.model && record.model === undefined) record.model = run.model;
      const sample: Sample = { steps: run.steps };
      const text = lastText(run.steps);
      if (text !== undefined) sample.text = text;
      record.samples.push(sample);
    }
    const prompts = [...byKey.values()];
    return { format: "otel", prompts, problems, summary: summarize(prompts, "prompt", LABEL, problems) };
  },
};
