// The language server on conversation prompts (prompt files holding an agent's prefix): their
// problems are diagnostics at their lines, their lens says "Rerun next action ×N", hotmess/promptAt
// hands the client the prefix, a run recorded from that prefix is found by its hash, and the
// tools file beside the prompt file is read again when it changes (a changed description is
// another prompt: the run goes stale; a missing file is an error at its name).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { PassThrough } from "node:stream";
import { pathToFileURL } from "node:url";
import {
  CodeLensRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
} from "vscode-languageserver-protocol/node";
import { createConnection } from "vscode-languageserver/node";
import { PromptAtRequest } from "../src/protocol/lsp-messages";
import { startServer } from "../src/server/session";
import { recordRun } from "../src/sampling/record";
import { SimulatedProvider } from "../src/sampling/simulated";
import { DEFAULT_PRICES } from "../src/sampling/prices";
import { until } from "./support/wait";

const TOOLS = {
  tools: [
    { name: "get_reservation_details", description: "Look a reservation up.", input_schema: { type: "object", properties: { reservation_id: { type: "string" } }, required: ["reservation_id"] } },
    { name: "cancel_reservation", description: "Cancel a whole reservation.", input_schema: { type: "object", properties: { reservation_id: { type: "string" } }, required: ["reservation_id"] } },
  ],
};

const AGENT = [
  "---", // 0
  "tools: tools.json", // 1
  "---", // 2
  "system: You are an airline agent.", // 3
  "user: Cancel reservation EHGLP3, please.", // 4
  "assistant:", // 5
  'call get_reservation_details {"reservation_id": "EHGLP3"}', // 6
  "tool get_reservation_details:", // 7
  '{"reservation_id": "EHGLP3", "status": "confirmed"}', // 8
  "user: Go ahead.", // 9
];
const PLAIN = ["===", "What is 2 + 2?"]; // 10, 11
const BROKEN = [
  "===", // 12
  "user: hi", // 13
  "assistant:", // 14
  'call refund {"amount": 5}', // 15
  "user: well?", // 16
  "tool:", // 17
  "{}", // 18
];

function inProcess() {
  const up = new PassThrough();
  const down = new PassThrough();
  const serverConnection = createConnection(new StreamMessageReader(up), new StreamMessageWriter(down));
  const server = startServer(serverConnection, { index: { pollIntervalMs: 0 } });
  const client = createProtocolConnection(new StreamMessageReader(down), new StreamMessageWriter(up));
  const diagnostics = new Map<string, Diagnostic[][]>();
  client.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => ({})));
  client.onNotification(PublishDiagnosticsNotification.type, (p) => diagnostics.set(p.uri, [...(diagnostics.get(p.uri) ?? []), p.diagnostics]));
  client.onNotification("window/logMessage", () => {});
  client.onRequest("workspace/codeLens/refresh", () => {});
  client.onRequest("workspace/inlayHint/refresh", () => {});
  client.listen();
  return {
    client,
    diagnostics,
    async close() {
      await client.sendRequest(ShutdownRequest.type).catch(() => {});
      server.dispose();
      client.dispose();
      serverConnection.dispose();
      up.end();
      down.end();
    },
  };
}

test("conversation prompts in the language server: diagnostics, 'Rerun next action' lenses, the prefix for the client, runs found by hash, the tools file followed", async () => {
  const folder = mkdtempSync(join(tmpdir(), "hotmess-lsp-conv-"));
  mkdirSync(join(folder, "prompts"));
  mkdirSync(join(folder, ".hotmess", "runs"), { recursive: true }); // watched from the start
  const file = join(folder, "prompts", "agent.prompt.md");
  const toolsFile = join(folder, "prompts", "tools.json");
  const text = [...AGENT, ...PLAIN, ...BROKEN].join("\n");
  writeFileSync(file, text);
  writeFileSync(toolsFile, JSON.stringify(TOOLS));
  const uri = pathToFileURL(file).href;
  const { client, diagnostics, close } = inProcess();
  const latest = () => diagnostics.get(uri)?.at(-1);
  const lenses = async () => (await client.sendRequest(CodeLensRequest.type, { textDocument: { uri } }))!.map((l) => [l.range.start.line, l.command!.title]);
  try {
    await client.sendRequest(InitializeRequest.type, {
      processId: null,
      rootUri: pathToFileURL(folder).href,
      workspaceFolders: [{ uri: pathToFileURL(folder).href, name: basename(folder) }],
      capabilities: { workspace: { configuration: true, codeLens: { refreshSupport: true } }, textDocument: { publishDiagnostics: { versionSupport: true } } },
    });
    await client.sendNotification(InitializedNotification.type, {});
    await client.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "hotmess-prompt", version: 1, text } });

    // the broken prompt's problems, each at its line; the good one has none
    const d = await until("diagnostics", () => latest());
    assert.deepEqual(
      d.map((x) => [x.severity, x.range.start.line, x.range.start.character, x.range.end.line, x.range.end.character]),
      [
        [1, 15, 0, 15, 11], // the call has no result before the user's next turn
        [1, 17, 0, 17, 5], // so this result answers no call
        [2, 15, 5, 15, 11], // no tools declared: inferred
      ],
    );
    assert.match(d[0]!.message, /^the call of refund \(line 16\) has no result before the user turn at line 17/);
    assert.match(d[1]!.message, /^this tool result answers no call/);
    assert.match(d[2]!.message, /^no tools declared: refund is inferred from the calls/);
    assert.ok(d.every((x) => x.source === "hotmess"));

    assert.deepEqual(await lenses(), [
      [0, "▶ Rerun next action ×8"],
      [11, "▶ Rerun ×8"],
      [13, "▶ Rerun next action ×8"],
    ]);

    // what the client gets to rerun it: the prefix with the tools from the file
    const info = (await client.sendRequest(PromptAtRequest.type, { textDocument: { uri }, index: 0 }))!;
    assert.deepEqual(info.tools, { from: "file", path: "tools.json", range: { start: { line: 1, character: 7 }, end: { line: 1, character: 17 } } });
    assert.deepEqual(info.conversation!.tools.map((t) => t.description), ["Look a reservation up.", "Cancel a whole reservation."]);
    assert.equal(info.conversation!.system, "You are an airline agent.");
    assert.match(info.user, /^Next action after: Go ahead\. \(3 messages, 2 tools declared; prefix /);
    assert.deepEqual(info.errors, []);

    // a run of it, recorded the way the editor's RunManager sends it: found by its hash
    const recorded = await recordRun({
      provider: new SimulatedProvider({ tokensPerSecond: 0 }),
      providerName: "simulated",
      request: { prompt: info.user, system: info.conversation!.system!, model: "simulated-reasoner", maxTokens: 4000, thinking: { type: "none" }, conversation: info.conversation! },
      n: 8,
      concurrency: 4,
      idleTimeoutMs: 10_000,
      retries: 0,
      prices: DEFAULT_PRICES,
      outDir: join(folder, ".hotmess", "runs"),
      tool: { name: "test", version: "0" },
      source: { file: "prompts/agent.prompt.md", prompt: 0 },
    });
    assert.equal(recorded.run.header.promptHash, info.hash);
    let got: [number, string][] = [];
    for (const t0 = Date.now(); Date.now() - t0 < 10_000; await new Promise((r) => setTimeout(r, 20))) {
      got = (await lenses()) as [number, string][];
      if (got.length === 4 && !/reading/.test(got[0]![1])) break;
    }
    assert.equal(got[0]![0], 0);
    assert.match(got[0]![1], /^▶ Rerun next action ×8 · simulated · disagreement \d\.\d\d \(no reference\) · \d answers?$/);
    assert.deepEqual(got[1], [0, "Open last run"]);

    // the tools file changes: the same text is another prompt, and its run is stale
    writeFileSync(toolsFile, JSON.stringify(TOOLS).replace("Cancel a whole reservation.", "Cancel a whole reservation, after the user confirms."));
    const stale = (await lenses()) as [number, string][];
    assert.match(stale[0]![1], /^▶ Rerun next action ×8 · ⚠ stale · simulated · /);
    const info2 = (await client.sendRequest(PromptAtRequest.type, { textDocument: { uri }, index: 0 }))!;
    assert.notEqual(info2.hash, info.hash);

    // the tools file goes: an error at its name, pushed without an edit of the prompt file
    unlinkSync(toolsFile);
    const before = diagnostics.get(uri)!.length;
    await lenses();
    // (wait for that diagnostic itself: on a loaded machine another push can come first)
    const missing = await until("diagnostics after the tools file went", () => diagnostics.get(uri)!.length > before && latest()?.some((x) => x.range.start.line === 1 && /tools file/.test(x.message)) && latest());
    const at = missing.find((x) => x.range.start.line === 1)!;
    assert.deepEqual([at.severity, at.range.start.character, at.range.end.character], [1, 7, 17]);
    assert.match(at.message, /^cannot read the tools file tools\.json: no such file/);
  } finally {
    await close();
    rmSync(folder, { recursive: true, force: true });
  }
});
