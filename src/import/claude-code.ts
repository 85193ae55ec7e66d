// Claude Code / Claude Agent SDK session transcripts (.jsonl). Follows the transcript lines as
// Claude Code writes them under ~/.claude/projects/<project>/<session>.jsonl (the published
// session schemas in oneryalcin/agent-schemas, claude-code/v2.1.1/session.schema.json: lines of
// type "user" / "assistant" with uuid, parentUuid, sessionId, isSidechain, isMeta and a
// `message` in the Anthropic Messages shape — content blocks text, thinking, tool_use
// {id, name, input}, and tool_result {tool_use_id, content, is_error} inside user lines — beside
// "summary", "system", "file-history-snapshot" and "queue-operation" lines), and the Agent SDK's
// streamed messages (the same user/assistant messages with session_id and parent_tool_use_id).
//
// Mapping:
// - One session (its sessionId / session_id, else the file) is one sample; sessions are grouped
//   into prompts by their first user prompt's text (trimmed), the prompt's id made from it.
// - Steps in line order: thinking → reasoning; text → text; tool_use → tool_call (name, input as
//   arguments, id); tool_result blocks → tool_result (text of its content, is_error → isError,
//   id from tool_use_id, name from the call it answers); user text → user. A block repeated
//   under the same message id (Claude Code writes a streamed message one block per line, and
//   may write a block again) is taken once.
// - Left out without complaint: lines of other types; subagent lines (isSidechain, or a
//   parent_tool_use_id), whose own turns are not the session's; meta and compact-summary user
//   lines (isMeta, isCompactSummary); synthetic API-error messages (isApiErrorMessage).
// - A line that is not JSON, or a user/assistant line without message content, is a problem
//   named file:line and is skipped. Transcripts carry no outcome: no reward.
import type { PromptRecord, Sample, TrajectoryStep } from "../core/types";
import type { ImportProblem, Importer, InputFile } from "./types";
import { headOf, isObject, jsonLines, lastText, slugId, str, summarize, textOf } from "./records";

const LABEL = "Claude Code";
const LINE_TYPES = new Set(["user", "assistant", "summary", "system", "file-history-snapshot", "queue-operation", "result"]);

function detectOne(f: InputFile): boolean {
  const head = headOf(f.bytes, 65536);
  const lines = head.split(/\r?\n/).slice(0, 20);
  for (const line of lines) {
    const t = line.trim();
    if (t === "") continue;
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      continue; // the last line of the head may be cut
    }
    if (!isObject(v)) return false;
    // Lines of types Claude Code added later are passed over; a known one with a session marker decides.
    if (typeof v.type === "string" && LINE_TYPES.has(v.type) && ("sessionId" in v || "session_id" in v || "parentUuid" in v || "leafUuid" in v)) return true;
  }
  return false;
}

function toolResultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((c) => (typeof c === "string" ? c : isObject(c) && c.type === "text" && typeof c.text === "string" ? c.text : ""))
    .filter((t) => t !== "")
    .join("\n");
}

interface Session {
  key: string;
  where: string;
  steps: TrajectoryStep[];
  firstPrompt?: string;
  model?: string;
  seen: Set<string>;
  toolNames: Map<string, string>;
}

export const claudeCodeImporter: Importer = {
  name: "claude-code",
  label: "Claude Code session transcripts",
  detect(files) {
    return files.length > 0 && files.some(detectOne);
  },
  read(files) {
    const problems: ImportProblem[] = [];
    const sessions = new Map<string, Session>();
    for (const f of files) {
      for (const { line, value } of jsonLines(f.path, textOf(f.bytes), problems)) {
        const where = `${f.path}:${line}`;
        if (!isObject(value)) {
          problems.push({ where, message: "not a JSON object; line skipped" });
          continue;
        }
        if (value.type !== "user" && value.type !== "assistant") continue;
        if (value.isSidechain === true || (value.parent_tool_use_id != null && value.parent_tool_use_id !== "")) continue;
        if (value.isMeta === true || value.isCompactSummary === true || value.isApiErrorMessage === true) continue;
        const message = value.message;
        if (!isObject(message) || (typeof message.content !== "string" && !Array.isArray(message.content))) {
          problems.push({ where, message: `a ${value.type} line without message.content; line skipped` });
          continue;
        }
        const sid = str(value.sessionId) ?? str(value.session_id) ?? "";
        const key = `${f.path}\u0000${sid}`;
        let s = sessions.get(key);
        if (!s) {
          s = { key, where: sid ? `${f.path}#${sid}` : f.path, steps: [], seen: new Set(), toolNames: new Map() };
          sessions.set(key, s);
        }
        const msgId = str(message.id) ?? str(value.uuid) ?? where;
        const blocks: unknown[] = typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
        blocks.forEach((b, i) => {
          if (!isObject(b)) return;
          const seenKey = `${msgId}\u0000${JSON.stringify(b)}`;
          if (s.seen.has(seenKey)) return;
          s.seen.add(seenKey);
          if (value.type === "assistant") {
            if (!s.model && typeof message.model === "string" && message.model !== "<synthetic>") s.model = message.model;
            if (b.type === "thinking" && typeof b.thinking === "string" && b.thinking !== "") s.steps.push({ kind: "reasoning", text: b.thinking });
            else if (b.type === "text" && typeof b.text === "string" && b.text !== "") s.steps.push({ kind: "text", text: b.text });
            else if (b.type === "tool_use") {
              if (typeof b.name !== "string") {
                problems.push({ where: `${where}#message.content[${i}]`, message: "a tool_use block without a name; block skipped" });
                return;
              }
              const step: TrajectoryStep = { kind: "tool_call", name: b.name, arguments: b.input ?? {} };
              if (typeof b.id === "string") {
                step.id = b.id;
                s.toolNames.set(b.id, b.name);
              }
              s.steps.push(step);
            }
          } else if (b.type === "text" && typeof b.text === "string" && b.text.trim() !== "") {
            s.steps.push({ kind: "user", text: b.text });
            if (s.firstPrompt === undefined) s.firstPrompt = b.text.trim();
          } else if (b.type === "tool_result") {
            const step: TrajectoryStep = { kind: "tool_result", text: toolResultText(b.content) };
            if (typeof b.tool_use_id === "string") {
              step.id = b.tool_use_id;
              const name = s.toolNames.get(b.tool_use_id);
              if (name) step.name = name;
            }
            if (b.is_error === true) step.isError = true;
            s.steps.push(step);
          }
        });
      }
    }

    const taken = new Set<string>();
    const byPrompt = new Map<string, PromptRecord>();
    for (const s of sessions.values()) {
      if (s.firstPrompt === undefined) {
        problems.push({ where: s.where, message: "a session without a user prompt; skipped" });
        continue;
      }
      let record = byPrompt.get(s.firstPrompt);
      if (!record) {
        record = { id: slugId(s.firstPrompt, taken, "session"), prompt: s.firstPrompt, samples: [] };
        byPrompt.set(s.firstPrompt, record);
      }
      const sample: Sample = { steps: s.steps };
      const text = lastText(s.steps);
      if (text !== undefined) sample.text = text;
      record.samples.push(sample);
      if (s.model && !(record.model ?? "").split(", ").includes(s.model)) record.model = record.model ? `${record.model}, ${s.model}` : s.model;
    }
    const prompts = [...byPrompt.values()];
    return { format: "claude-code", prompts, problems, summary: summarize(prompts, "prompt", LABEL, problems) };
  },
};
