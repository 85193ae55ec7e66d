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
