// A conversation prefix (issue "rerun an agent from any point"): the system prompt, the turns so
// far and the tools declared, in one neutral form that both providers' formats read into and
// are written from. Pure: no SDK, no I/O.
//
// - Blocks keep what the APIs need passed back exactly: a thinking block's signature, a
//   redacted thinking block's data, a tool call's id (results pair with calls by id).
// - A tool call's `arguments` is its JSON value (a string only when the source's arguments did
//   not parse as JSON); a result's `content` is text.

/** A tool as declared to the model: its name, what it does, and a JSON Schema of its input. */
export interface ToolSpec {
  name: string;
  description?: string;
  /** JSON Schema of the arguments (Anthropic `input_schema`, OpenAI `function.parameters`). */
  inputSchema: Record<string, unknown>;
}

export type ConversationBlock =
  | { type: "text"; text: string }
  /** Anthropic extended thinking; `signature` must go back unchanged. */
  | { type: "thinking"; thinking: string; signature?: string }
  | { type: "redacted_thinking"; data: string }
  | { type: "tool_call"; id: string; name: string; arguments: unknown }
  | { type: "tool_result"; id: string; content: string; isError?: boolean };

export interface ConversationMessage {
  role: "user" | "assistant";
  content: ConversationBlock[];
}

export interface Conversation {
  system?: string;
  messages: ConversationMessage[];
  tools: ToolSpec[];
}

// ---- TEMPORARY (h-prov): replaced by the conversation helper's converters at merge ----
// A minimal writer of each provider's wire format, so that the providers and their tests run on
// this branch; the conversation helper's toAnthropic / toOpenAI (same names, same signatures)
// replace this whole block.

/** A tool call's arguments as a JSON object (Anthropic's `input` must be one). */
function inputObject(args: unknown): Record<string, unknown> {
  let v = args;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      return {};
    }
  }
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Anthropic Messages: system, messages with tool_use / tool_result blocks, tools with input_schema; `cache` marks the last tool and the last block of the last message with cache_control. */
export function toAnthropic(
  c: Conversation,
  opts: { cache?: boolean } = {},
): { system?: string | Array<{ type: "text"; text: string; cache_control?: { type: "ephemeral" } }>; messages: unknown[]; tools: unknown[] } {
  const messages = c.messages.map((m) => ({
    role: m.role,
    content: m.content.flatMap((b): Record<string, unknown>[] => {
      switch (b.type) {
        case "text":
          return [{ type: "text", text: b.text }];
        case "thinking":
          // without its signature the API refuses a thinking block: left out
          return b.signature ? [{ type: "thinking", thinking: b.thinking, signature: b.signature }] : [];
        case "redacted_thinking":
          return [{ type: "redacted_thinking", data: b.data }];
        case "tool_call":
          return [{ type: "tool_use", id: b.id, name: b.name, input: inputObject(b.arguments) }];
        case "tool_result":
          return [{ type: "tool_result", tool_use_id: b.id, content: b.content, ...(b.isError ? { is_error: true } : {}) }];
      }
    }),
  }));
  const tools: Record<string, unknown>[] = c.tools.map((t) => ({ name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), input_schema: t.inputSchema }));
  if (opts.cache) {
    const lastTool = tools.at(-1);
    if (lastTool) lastTool.cache_control = { type: "ephemeral" };
    const lastBlock = messages.at(-1)?.content.at(-1);
    if (lastBlock) lastBlock.cache_control = { type: "ephemeral" };
  }
  return { ...(c.system !== undefined ? { system: c.system } : {}), messages, tools };
}

/** OpenAI chat completions: a system message, assistant tool_calls, one `tool` message per result, function tools. */
export function toOpenAI(c: Conversation): { messages: unknown[]; tools: unknown[] } {
  const messages: Record<string, unknown>[] = [];
  if (c.system !== undefined) messages.push({ role: "system", content: c.system });
  for (const m of c.messages) {
    const text = m.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("");
    if (m.role === "assistant") {
      const calls = m.content.flatMap((b) =>
        b.type === "tool_call" ? [{ id: b.id, type: "function", function: { name: b.name, arguments: typeof b.arguments === "string" ? b.arguments : JSON.stringify(b.arguments ?? {}) } }] : [],
      );
      messages.push({ role: "assistant", content: text || null, ...(calls.length > 0 ? { tool_calls: calls } : {}) });
    } else {
      for (const b of m.content) if (b.type === "tool_result") messages.push({ role: "tool", tool_call_id: b.id, content: b.content });
      if (text) messages.push({ role: "user", content: text });
    }
  }
  const tools = c.tools.map((t) => ({ type: "function", function: { name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), parameters: t.inputSchema } }));
  return { messages, tools };
}
// ---- END TEMPORARY ----
