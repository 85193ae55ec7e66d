// A fake Anthropic Message Batches API for tests and the bench: a real HTTP server on 127.0.0.1
// that the real @anthropic-ai/sdk (`client.messages.batches.*`) runs against unmodified
// (`new Anthropic({ apiKey, baseURL: fake.url })`).
//
// Routes and shapes (Anthropic's "Message Batches" API reference; the SDK's MessageBatch,
// MessageBatchIndividualResponse and ErrorResponse types):
// - POST /v1/messages/batches {requests: [{custom_id, params}]} → a MessageBatch: {id:
//   "msgbatch_01…", type: "message_batch", processing_status: "in_progress", request_counts
//   {processing, succeeded, errored, canceled, expired}, ended_at null, created_at, expires_at
//   (created + 24 h), archived_at null, cancel_initiated_at null, results_url null}. Timestamps
//   are RFC 3339 strings.
// - GET /v1/messages/batches/{id}: the batch; it stays in_progress for `pollsInProgress` GETs
//   (each GET counts, the SDK's own retrieve inside results() too), then is "ended" with its
//   counts, ended_at and results_url (absolute: {url}/v1/messages/batches/{id}/results).
// - GET /v1/messages/batches?limit&after_id&before_id: the batches newest first, {data, has_more,
//   first_id, last_id} (a listing moves no batch on).
// - POST /v1/messages/batches/{id}/cancel: cancel_initiated_at set, processing_status
//   "canceling"; the next GET has it ended with every request canceled.
// - GET /v1/messages/batches/{id}/results: JSON Lines (application/binary, as the SDK asks), one
//   {custom_id, result} per request in submission order, result {type: "succeeded", message: a
//   Message} | {type: "errored", error: {type: "error", error: {type, message}, request_id}} |
//   {type: "expired"} | {type: "canceled"}. The body is written in pieces of `chunkBytes` bytes
//   cut anywhere (mid-line, mid-character), with `chunkDelayMs` between them, each line made only
//   when it is written (the fake never holds the file). Before the batch ended: 400.
// - Errors: {"type":"error","error":{"type","message"},"request_id":"req_…"} with the status of
//   the type (400 invalid_request_error, 401 authentication_error, 404 not_found_error, 413
//   request_too_large, 429 rate_limit_error, 500 api_error, 529 overloaded_error); a request-id
//   header on every response. `refuseNext` makes the next create answer a given error.
// - Validation on create (400 invalid_request_error): requests missing or empty; a custom_id that
//   is not 1–64 characters of [a-zA-Z0-9_-]; a duplicate custom_id; params without model,
//   max_tokens or messages; params with `stream` (batches do not stream). Past 100,000 requests:
//   400; a body over 256 MB: 413.
//
// What each request gets is `outcome(customId, params, index)` (default: succeeded with a short
// thinking when params.thinking asked for it, and a text).
import { base58 } from "./anthropic";
import { writeInPieces } from "./pieces";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { randomBytes } from "node:crypto";

export type AnthropicBatchOutcome =
  | { type: "succeeded"; text?: string; thinking?: string; inputTokens?: number; outputTokens?: number; stopReason?: string }
  | { type: "errored"; errorType?: string; message?: string }
  | { type: "expired" }
  | { type: "canceled" };

export interface RecordedBatchRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON as sent
  body: any;
}

export interface FakeAnthropicBatchesOptions {
  /** When set, any other key is a 401. */
  apiKey?: string;
  /** GETs of a batch that still say in_progress (default 0). */
  pollsInProgress?: number;
  outcome?: (customId: string, params: Record<string, unknown>, index: number) => AnthropicBatchOutcome;
  /** Bytes per piece of the results body (default 64 KiB). */
  chunkBytes?: number;
  /** Pause between pieces, ms (default 0: still separate writes). */
  chunkDelayMs?: number;
  /** Keep the requests' bodies in `requests` (default true; the bench turns it off). */
  record?: boolean;
}

export interface FakeAnthropicBatches {
  url: string;
  requests: RecordedBatchRequest[];
  /** The params of each request of each batch, by batch id (kept only with `record`). */
  params: Map<string, { custom_id: string; params: Record<string, unknown> }[]>;
  /** The next POST /v1/messages/batches answers this error. */
  refuseNext(status: number, type?: string, message?: string): void;
  /** How many pieces each results body went out in, by batch id. */
  pieces: Map<string, number>;
  batchesCreated(): number;
  close(): Promise<void>;
}

const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};
const TYPE_BY_STATUS: Record<number, string> = Object.fromEntries(Object.entries(STATUS_BY_TYPE).map(([t, s]) => [s, t]));
const MAX_REQUESTS = 100_000;
const MAX_BODY = 256 * 1024 * 1024;

interface Batch {
  id: string;
  createdAt: Date;
  outcomes: AnthropicBatchOutcome[];
  ids: string[];
  models: string[];
  polls: number;
  cancelAt: Date | null;
  endedAt: Date | null;
  canceled: boolean;
}

function defaultOutcome(customId: string, params: Record<string, unknown>): AnthropicBatchOutcome {
  const t = (params.thinking as { type?: string } | undefined)?.type;
  return { type: "succeeded", ...(t === "enabled" || t === "adaptive" ? { thinking: `Working on ${customId}: 2 + 2 = 4.` } : {}), text: `The answer for ${customId} is 4.` };
}

export function startFakeAnthropicBatches(opts: FakeAnthropicBatchesOptions = {}): Promise<FakeAnthropicBatches> {
  const requests: RecordedBatchRequest[] = [];
  const params = new Map<string, { custom_id: string; params: Record<string, unknown> }[]>();
  const pieces = new Map<string, number>();
  const batches = new Map<string, Batch>();
  const refusals: { status: number; type: string; message: string }[] = [];
  const sockets = new Set<Socket>();
  const record = opts.record ?? true;
  let url = "";

  function send(res: ServerResponse, status: number, body: unknown) {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "request-id": `req_011C${base58(20)}`, "content-length": Buffer.byteLength(text) });
    res.end(text);
  }
  function error(res: ServerResponse, status: number, type: string, message: string) {
    send(res, status, { type: "error", error: { type, message }, request_id: `req_011C${base58(20)}` });
  }

  function view(b: Batch): Record<string, unknown> {
    const n = b.outcomes.length;
    const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    if (!b.endedAt) counts.processing = n;
    else for (const o of b.outcomes) counts[b.canceled ? "canceled" : o.type]++;
    return {
      id: b.id,
      type: "message_batch",
      processing_status: b.endedAt ? "ended" : b.cancelAt ? "canceling" : "in_progress",
      request_counts: counts,
      ended_at: b.endedAt?.toISOString() ?? null,
      created_at: b.createdAt.toISOString(),
      expires_at: new Date(b.createdAt.getTime() + 24 * 3600_000).toISOString(),
      archived_at: null,
      cancel_initiated_at: b.cancelAt?.toISOString() ?? null,
      results_url: b.endedAt ? `${url}/v1/messages/batches/${b.id}/results` : null,
    };
  }

  function resultLine(b: Batch, i: number): string {
    const customId = b.ids[i]!;
    const o: AnthropicBatchOutcome = b.canceled ? { type: "canceled" } : b.outcomes[i]!;
    let result: unknown;
    if (o.type === "succeeded") {
      const content: unknown[] = [];
      if (o.thinking !== undefined) content.push({ type: "thinking", thinking: o.thinking, signature: randomBytes(48).toString("base64") });
      content.push({ type: "text", text: o.text ?? "The answer is 4.", citations: null });
      result = {
        type: "succeeded",
        message: {
          id: `msg_01${base58(22)}`,
          type: "message",
          role: "assistant",
          model: b.models[i],
          content,
          stop_reason: o.stopReason ?? "end_turn",
          stop_sequence: null,
          usage: { input_tokens: o.inputTokens ?? 20, output_tokens: o.outputTokens ?? 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, service_tier: "batch" },
        },
      };
    } else if (o.type === "errored") {
      const type = o.errorType ?? "invalid_request_error";
      result = { type: "errored", error: { type: "error", error: { type, message: o.message ?? "Invalid request." }, request_id: `req_011C${base58(20)}` } };
    } else result = { type: o.type };
    return JSON.stringify({ custom_id: customId, result }) + "\n";
  }

  /** Writes the results in pieces (pieces.ts), each line made as it is reached. */
  async function streamResults(b: Batch, res: ServerResponse) {
    res.writeHead(200, { "content-type": "application/binary", "request-id": `req_011C${base58(20)}` });
    const lines = function* () {
      for (let i = 0; i < b.ids.length; i++) yield resultLine(b, i);
    };
    const count = await writeInPieces(res, lines(), opts);
    if (count !== null) pieces.set(b.id, count);
  }

  async function readBody(req: IncomingMessage): Promise<Buffer | null> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > MAX_BODY) return null;
      parts.push(c);
    }
    return Buffer.concat(parts);
  }

  function validate(body: unknown): string | null {
    const reqs = (body as { requests?: unknown } | null)?.requests;
    if (!Array.isArray(reqs)) return "requests: Field required";
    if (reqs.length === 0) return "requests: List should have at least 1 item after validation, not 0";
    if (reqs.length > MAX_REQUESTS) return `requests: List should have at most ${MAX_REQUESTS} items after validation, not ${reqs.length}`;
    const seen = new Set<string>();
    for (let i = 0; i < reqs.length; i++) {
      const r = reqs[i] as { custom_id?: unknown; params?: Record<string, unknown> };
      if (typeof r.custom_id !== "string" || !/^[a-zA-Z0-9_-]{1,64}$/.test(r.custom_id)) return `requests.${i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`;
      if (seen.has(r.custom_id)) return `Duplicate custom_id: '${r.custom_id}'. Each request in a batch must have a unique custom_id.`;
      seen.add(r.custom_id);
      const p = r.params;
      if (!p || typeof p !== "object") return `requests.${i}.params: Field required`;
      for (const f of ["model", "max_tokens", "messages"]) if (p[f] === undefined) return `requests.${i}.params.${f}: Field required`;
      if (p.stream !== undefined) return `requests.${i}.params.stream: Extra inputs are not permitted`;
    }
    return null;
  }

  const server = createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const raw = await readBody(req);
    const recorded: RecordedBatchRequest = { method: req.method ?? "GET", path, headers: req.headers, body: undefined };
    if (raw === null) return error(res, 413, "request_too_large", "Request exceeds the maximum allowed number of bytes.");
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        return error(res, 400, "invalid_request_error", "There was an issue with the formatting or escaping of your JSON body.");
      }
    }
    if (record) recorded.body = body;
    requests.push(record ? recorded : { ...recorded, body: undefined });
    const auth = req.headers["x-api-key"] ?? (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
    const key = Array.isArray(auth) ? auth[0] : auth;
    if (!key) return error(res, 401, "authentication_error", "x-api-key header is required");
    if (opts.apiKey !== undefined && key !== opts.apiKey) return error(res, 401, "authentication_error", "invalid x-api-key");
    if (!req.headers["anthropic-version"]) return error(res, 400, "invalid_request_error", "anthropic-version: header is required");

    if (req.method === "POST" && path === "/v1/messages/batches") {
      const refusal = refusals.shift();
      if (refusal) return error(res, refusal.status, refusal.type, refusal.message);
      const problem = validate(body);
      if (problem) return error(res, 400, "invalid_request_error", problem);
      const reqs = (body as { requests: { custom_id: string; params: Record<string, unknown> }[] }).requests;
      const id = `msgbatch_01${base58(22)}`;
      const b: Batch = {
        id,
        createdAt: new Date(),
        outcomes: reqs.map((r, i) => (opts.outcome ?? defaultOutcome)(r.custom_id, r.params, i)),
        ids: reqs.map((r) => r.custom_id),
        models: reqs.map((r) => String(r.params.model)),
        polls: 0,
        cancelAt: null,
        endedAt: null,
        canceled: false,
      };
      batches.set(id, b);
      if (record) params.set(id, reqs);
      return send(res, 200, view(b));
    }
    if (req.method === "GET" && path === "/v1/messages/batches") {
      // newest first; after_id: the ones after it in that order; before_id: the ones before it; limit 1–1000, default 20
      const q = new URL(req.url ?? "/", "http://x").searchParams;
      const limit = Math.min(1000, Math.max(1, Number(q.get("limit") ?? 20) || 20));
      const all = [...batches.values()].reverse();
      let from = 0;
      let to = all.length;
      if (q.get("after_id")) from = all.findIndex((b) => b.id === q.get("after_id")) + 1;
      if (q.get("before_id")) to = Math.max(0, all.findIndex((b) => b.id === q.get("before_id")));
      const page = q.get("before_id") ? all.slice(Math.max(from, to - limit), to) : all.slice(from, Math.min(to, from + limit));
      const data = page.map(view); // a listing is not a poll: no batch moves on
      const more = q.get("before_id") ? to - limit > from : from + limit < to;
      return send(res, 200, { data, has_more: more, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null });
    }
    const m = /^\/v1\/messages\/batches\/([^/]+)(\/results|\/cancel)?$/.exec(path);
    const b = m ? batches.get(m[1]!) : undefined;
    if (!m) return error(res, 404, "not_found_error", "Not found");
    if (!b) return error(res, 404, "not_found_error", `Batch not found: ${m[1]}`);
    if (req.method === "GET" && !m[2]) {
      if (!b.endedAt) {
        if (b.cancelAt) {
          b.canceled = true;
          b.endedAt = new Date();
        } else if (b.polls++ >= (opts.pollsInProgress ?? 0)) b.endedAt = new Date();
      }
      return send(res, 200, view(b));
    }
    if (req.method === "POST" && m[2] === "/cancel") {
      if (!b.endedAt && !b.cancelAt) b.cancelAt = new Date();
      return send(res, 200, view(b));
    }
    if (req.method === "GET" && m[2] === "/results") {
      if (!b.endedAt) return error(res, 400, "invalid_request_error", `Batch ${b.id} has not ended processing; results are not yet available.`);
      return void streamResults(b, res);
    }
    return error(res, 405, "invalid_request_error", "Method not allowed");
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address() as { port: number };
      url = `http://127.0.0.1:${addr.port}`;
      resolve({
        url,
        requests,
        params,
        pieces,
        refuseNext(status, type, message) {
          const t = type ?? TYPE_BY_STATUS[status] ?? "invalid_request_error";
          refusals.push({ status, type: t, message: message ?? "Invalid request." });
        },
        batchesCreated: () => batches.size,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
