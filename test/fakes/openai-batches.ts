// A fake OpenAI Files + Batch API for tests and the bench: a real HTTP server on 127.0.0.1 that
// the real `openai` SDK (`files.create`, `batches.*`, `files.content`) runs against unmodified
// (`new OpenAI({ apiKey, baseURL: fake.url + "/v1" })`).
//
// Routes and shapes (OpenAI's Files and Batch API references; the SDK's FileObject, Batch,
// BatchRequestCounts types; the "Batch API" guide's output and error file lines):
// - POST /v1/files, multipart/form-data with `purpose` and `file` → a FileObject {id: "file-…",
//   object: "file", bytes, created_at (unix seconds), filename, purpose, status: "processed",
//   expires_at: null}. purpose "batch" files must be JSON Lines; over 200 MB: 400.
// - POST /v1/batches {input_file_id, endpoint, completion_window: "24h"} → a Batch {id:
//   "batch_…", object: "batch", endpoint, errors: null, input_file_id, completion_window,
//   status: "validating", output_file_id: null, error_file_id: null, created_at, in_progress_at …
//   (unix seconds or null), expires_at (created + 24 h), request_counts {total, completed,
//   failed}, metadata (as given on create, else null)}. GET /v1/batches?after=ID&limit=N: the
//   batches newest first, {object: "list", data, first_id, last_id, has_more} (a listing moves
//   no batch on). Unknown file: 404; endpoint other than the supported ones or a
//   window other than "24h": 400.
// - GET /v1/batches/{id}: each GET moves it on: validating → (a line that is not a request for
//   the batch's endpoint, a duplicate custom_id, more than 50,000 lines: "failed" with
//   errors.data [{code, message, param, line}]) in_progress for `pollsInProgress` GETs →
//   finalizing for one GET → completed (or "expired" when any outcome is expired) with
//   output_file_id (the 2xx responses) and error_file_id (the rest), request_counts {total,
//   completed, failed}.
// - POST /v1/batches/{id}/cancel: "cancelling"; the next GET has it "cancelled", every request
//   in the error file as batch_cancelled.
// - GET /v1/files/{id}/content: the file's bytes (application/octet-stream). Output lines
//   {id: "batch_req_…", custom_id, response: {status_code: 200, request_id, body: a
//   chat.completion}, error: null}; error lines {…, response: {status_code: 4xx/5xx, request_id,
//   body: {error: {message, type, param, code}}}, error: null} for a refused request, {…,
//   response: null, error: {code: "batch_expired" | "batch_cancelled", message}} for one that
//   never ran. An output / error file's lines are made as they are written, in pieces of
//   `chunkBytes` bytes cut anywhere (mid-line, mid-character), `chunkDelayMs` apart.
// - Errors: {"error": {"message", "type", "param", "code"}} with the status; x-request-id on
//   every response. A missing or wrong key: 401 invalid_api_key. `refuseNext(path, status)`
//   makes the next POST to that path answer an error.
import { writeInPieces } from "./pieces";
import { createServer, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { randomBytes } from "node:crypto";

export type OpenAIBatchOutcome =
  | { type: "succeeded"; text?: string; reasoning?: string; promptTokens?: number; completionTokens?: number; finishReason?: string }
  | { type: "errored"; status?: number; message?: string; errorType?: string; code?: string }
  | { type: "expired" };

export interface FakeOpenAIBatchesOptions {
  apiKey?: string;
  pollsInProgress?: number;
  outcome?: (customId: string, body: Record<string, unknown>, index: number) => OpenAIBatchOutcome;
  chunkBytes?: number;
  chunkDelayMs?: number;
  /** Keep uploaded files' bytes and parsed request lines (default true; the bench turns it off and keeps only what results need). */
  record?: boolean;
}

export interface RecordedOpenAIRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON (or, for an upload, {purpose, filename})
  body: any;
}

export interface FakeOpenAIBatches {
  /** http://127.0.0.1:PORT (the SDK's baseURL is url + "/v1") */
  url: string;
  requests: RecordedOpenAIRequest[];
  /** Each batch's request lines as uploaded (parsed), by batch id (with `record`). */
  lines: Map<string, { custom_id: string; method: string; url: string; body: Record<string, unknown> }[]>;
  pieces: Map<string, number>;
  refuseNext(path: string, status: number, message?: string, type?: string, code?: string): void;
  batchesCreated(): number;
  close(): Promise<void>;
}

const MAX_FILE = 200 * 1024 * 1024;
const MAX_LINES = 50_000;
const ENDPOINTS = new Set(["/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/moderations"]);
const hex = (n: number) => randomBytes(n).toString("hex");
const now = () => Math.floor(Date.now() / 1000);

interface StoredFile {
  id: string;
  filename: string;
  purpose: string;
  createdAt: number;
  bytes: number;
  /** An uploaded file's bytes (dropped after parsing when not recording), or a results file made on demand. */
  data?: Buffer;
  lines?: () => Generator<string>;
}

interface Batch {
  id: string;
  endpoint: string;
  inputFileId: string;
  createdAt: number;
  status: string;
  polls: number;
  ids: string[];
  models: string[];
  outcomes: OpenAIBatchOutcome[];
  errors: { code: string; message: string; param: string | null; line: number | null }[];
  times: Record<string, number>;
  outputFileId: string | null;
  errorFileId: string | null;
  cancelled: boolean;
  metadata: Record<string, string> | null;
  /** Creation order (created_at is in whole seconds). */
  seq: number;
}

function defaultOutcome(customId: string): OpenAIBatchOutcome {
  return { type: "succeeded", text: `The answer for ${customId} is 4.` };
}

export function startFakeOpenAIBatches(opts: FakeOpenAIBatchesOptions = {}): Promise<FakeOpenAIBatches> {
  const requests: RecordedOpenAIRequest[] = [];
  const lines = new Map<string, { custom_id: string; method: string; url: string; body: Record<string, unknown> }[]>();
  const pieces = new Map<string, number>();
  const files = new Map<string, StoredFile>();
  const batches = new Map<string, Batch>();
  let seq = 0;
  const refusals: { path: string; status: number; message: string; type: string; code: string | null }[] = [];
  const sockets = new Set<Socket>();
  const record = opts.record ?? true;

  function send(res: ServerResponse, status: number, body: unknown) {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "x-request-id": `req_${hex(16)}`, "content-length": Buffer.byteLength(text) });
    res.end(text);
  }
  function error(res: ServerResponse, status: number, message: string, type = "invalid_request_error", param: string | null = null, code: string | null = null) {
    send(res, status, { error: { message, type, param, code } });
  }
  const fileView = (f: StoredFile) => ({ id: f.id, object: "file", bytes: f.bytes, created_at: f.createdAt, filename: f.filename, purpose: f.purpose, status: "processed", expires_at: null, status_details: null });

  function view(b: Batch): Record<string, unknown> {
    const total = b.ids.length;
    const ended = ["completed", "expired", "cancelled"].includes(b.status);
    let completed = 0;
    let failed = 0;
    if (ended && !b.cancelled)
      for (const o of b.outcomes) {
        if (o.type === "succeeded") completed++;
        else if (o.type === "errored") failed++;
      }
    return {
      id: b.id,
      object: "batch",
      endpoint: b.endpoint,
      errors: b.errors.length > 0 ? { object: "list", data: b.errors } : null,
      input_file_id: b.inputFileId,
      completion_window: "24h",
      status: b.status,
      output_file_id: b.outputFileId,
      error_file_id: b.errorFileId,
      created_at: b.createdAt,
      in_progress_at: b.times.in_progress ?? null,
      expires_at: b.createdAt + 24 * 3600,
      finalizing_at: b.times.finalizing ?? null,
      completed_at: b.times.completed ?? null,
      failed_at: b.times.failed ?? null,
      expired_at: b.times.expired ?? null,
      cancelling_at: b.times.cancelling ?? null,
      cancelled_at: b.times.cancelled ?? null,
      request_counts: { total: b.status === "validating" || b.status === "failed" ? 0 : total, completed, failed },
      metadata: b.metadata,
    };
  }

  function outputLine(b: Batch, i: number): string | null {
    const o = b.outcomes[i]!;
    if (o.type !== "succeeded") return null;
    const prompt = o.promptTokens ?? 20;
    const completion = o.completionTokens ?? 30;
    const body = {
      id: `chatcmpl-${hex(12)}`,
      object: "chat.completion",
      created: now(),
      model: b.models[i],
      choices: [{ index: 0, message: { role: "assistant", content: o.text ?? "The answer is 4.", refusal: null, annotations: [], ...(o.reasoning !== undefined ? { reasoning_content: o.reasoning } : {}) }, logprobs: null, finish_reason: o.finishReason ?? "stop" }],
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } },
      service_tier: "default",
      system_fingerprint: `fp_${hex(5)}`,
    };
    return JSON.stringify({ id: `batch_req_${hex(16)}`, custom_id: b.ids[i], response: { status_code: 200, request_id: hex(16), body }, error: null });
  }
  function errorLine(b: Batch, i: number): string | null {
    const o: OpenAIBatchOutcome = b.cancelled ? { type: "expired" } : b.outcomes[i]!;
    const id = `batch_req_${hex(16)}`;
    if (b.cancelled) return JSON.stringify({ id, custom_id: b.ids[i], response: null, error: { code: "batch_cancelled", message: "This request was cancelled before it was executed." } });
    if (o.type === "expired") return JSON.stringify({ id, custom_id: b.ids[i], response: null, error: { code: "batch_expired", message: "This request could not be executed before the completion window expired." } });
    if (o.type === "errored")
      return JSON.stringify({ id, custom_id: b.ids[i], response: { status_code: o.status ?? 400, request_id: hex(16), body: { error: { message: o.message ?? "Invalid request.", type: o.errorType ?? "invalid_request_error", param: null, code: o.code ?? null } } }, error: null });
    return null;
  }

  function resultFile(b: Batch, make: (b: Batch, i: number) => string | null, name: string): string | null {
    let any = false;
    for (let i = 0; i < b.ids.length && !any; i++) any = make(b, i) !== null;
    if (!any) return null;
    const id = `file-${hex(11)}`;
    files.set(id, {
      id,
      filename: `${b.id}_${name}.jsonl`,
      purpose: "batch_output",
      createdAt: now(),
      bytes: 0,
      lines: function* () {
        for (let i = 0; i < b.ids.length; i++) {
          const l = make(b, i);
          if (l !== null) yield l + "\n";
        }
      },
    });
    return id;
  }

  /** Validates an uploaded batch file; its ids, models and outcomes, or the errors the batch fails with. */
  function readInput(b: Batch, data: Buffer) {
    const seen = new Set<string>();
    const text = data.toString("utf8").split("\n");
    const parsed: { custom_id: string; method: string; url: string; body: Record<string, unknown> }[] = [];
    for (let n = 0; n < text.length; n++) {
      if (text[n]!.trim() === "") continue;
      let l: { custom_id?: unknown; method?: unknown; url?: unknown; body?: Record<string, unknown> };
      try {
        l = JSON.parse(text[n]!);
      } catch {
        b.errors.push({ code: "invalid_json_line", message: "This line is not parseable as valid JSON.", param: null, line: n + 1 });
        continue;
      }
      if (typeof l.custom_id !== "string") b.errors.push({ code: "missing_required_parameter", message: "Missing required parameter: 'custom_id'.", param: "custom_id", line: n + 1 });
      else if (seen.has(l.custom_id)) b.errors.push({ code: "duplicate_custom_id", message: "The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for each request in a batch.", param: "custom_id", line: n + 1 });
      else if (l.method !== "POST") b.errors.push({ code: "invalid_value", message: "Invalid value for 'method': expected 'POST'.", param: "method", line: n + 1 });
      else if (l.url !== b.endpoint) b.errors.push({ code: "mismatched_endpoint", message: `The provided URL '${String(l.url)}' does not match the batch endpoint '${b.endpoint}'.`, param: "url", line: n + 1 });
      else if (!l.body || typeof l.body.model !== "string") b.errors.push({ code: "missing_required_parameter", message: "Missing required parameter: 'body.model'.", param: "body.model", line: n + 1 });
      else if (l.body.stream !== undefined && l.body.stream !== false) b.errors.push({ code: "invalid_value", message: "Streaming is not supported in the Batch API.", param: "body.stream", line: n + 1 });
      else {
        seen.add(l.custom_id);
        b.ids.push(l.custom_id);
        b.models.push(l.body.model as string);
        b.outcomes.push((opts.outcome ?? defaultOutcome)(l.custom_id, l.body, b.ids.length - 1));
        if (record) parsed.push(l as (typeof parsed)[number]);
      }
    }
    if (b.ids.length > MAX_LINES) b.errors.push({ code: "too_many_requests", message: `The batch input file is larger than the ${MAX_LINES} maximum number of requests.`, param: null, line: null });
    if (record) lines.set(b.id, parsed);
  }

  async function streamLines(res: ServerResponse, f: StoredFile) {
    res.writeHead(200, { "content-type": "application/octet-stream", "x-request-id": `req_${hex(16)}` });
    if (f.data) return void res.end(f.data);
    const count = await writeInPieces(res, f.lines!(), opts);
    if (count !== null) pieces.set(f.id, count);
  }

  function advance(b: Batch) {
    const t = now();
    if (b.status === "validating") {
      if (b.errors.length > 0) {
        b.status = "failed";
        b.times.failed = t;
      } else {
        b.status = "in_progress";
        b.times.in_progress = t;
      }
    } else if (b.status === "cancelling") {
      b.status = "cancelled";
      b.times.cancelled = t;
      b.cancelled = true;
      b.errorFileId = resultFile(b, errorLine, "error");
    } else if (b.status === "in_progress") {
      if (b.polls++ >= (opts.pollsInProgress ?? 0)) {
        b.status = "finalizing";
        b.times.finalizing = t;
      }
    } else if (b.status === "finalizing") {
      const expired = b.outcomes.some((o) => o.type === "expired");
      b.status = expired ? "expired" : "completed";
      b.times[b.status] = t;
      b.outputFileId = resultFile(b, outputLine, "output");
      b.errorFileId = resultFile(b, errorLine, "error");
    }
  }

  const server = createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const parts: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      parts.push(c);
    }
    const raw = Buffer.concat(parts);
    const recorded: RecordedOpenAIRequest = { method: req.method ?? "GET", path, headers: req.headers, body: undefined };
    requests.push(recorded);
    const key = (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
    if (!key) return error(res, 401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", "invalid_request_error", null, null);
    if (opts.apiKey !== undefined && key !== opts.apiKey) return error(res, 401, "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", null, "invalid_api_key");
    if (req.method === "POST") {
      const at = refusals.findIndex((r) => r.path === path);
      if (at >= 0) {
        const r = refusals.splice(at, 1)[0]!;
        return error(res, r.status, r.message, r.type, null, r.code);
      }
    }

    if (req.method === "POST" && path === "/v1/files") {
      if (size > MAX_FILE + 64 * 1024) return error(res, 400, `File is too large. Maximum size is ${MAX_FILE} bytes.`, "invalid_request_error", "file");
      let form: FormData;
      try {
        form = await new Response(raw, { headers: { "content-type": String(req.headers["content-type"] ?? "") } }).formData();
      } catch {
        return error(res, 400, "Could not parse multipart form", "invalid_request_error");
      }
      const purpose = form.get("purpose");
      const file = form.get("file");
      if (typeof purpose !== "string") return error(res, 400, "Missing required parameter: 'purpose'.", "invalid_request_error", "purpose", "missing_required_parameter");
      if (!file || typeof file === "string") return error(res, 400, "Missing required parameter: 'file'.", "invalid_request_error", "file", "missing_required_parameter");
      const data = Buffer.from(await file.arrayBuffer());
      if (data.length > MAX_FILE) return error(res, 400, `File is too large. Maximum size is ${MAX_FILE} bytes.`, "invalid_request_error", "file");
      const f: StoredFile = { id: `file-${hex(11)}`, filename: file.name, purpose, createdAt: now(), bytes: data.length, data };
      files.set(f.id, f);
      recorded.body = { purpose, filename: file.name, bytes: data.length };
      return send(res, 200, fileView(f));
    }

    let body: Record<string, unknown> | undefined;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        return error(res, 400, "We could not parse the JSON body of your request.", "invalid_request_error");
      }
    }
    recorded.body = body;

    if (req.method === "POST" && path === "/v1/batches") {
      const fileId = body?.input_file_id;
      if (typeof fileId !== "string") return error(res, 400, "Missing required parameter: 'input_file_id'.", "invalid_request_error", "input_file_id", "missing_required_parameter");
      const input = files.get(fileId);
      if (!input || !input.data) return error(res, 404, `No such File object: ${fileId}`, "invalid_request_error", "id");
      if (typeof body?.endpoint !== "string" || !ENDPOINTS.has(body.endpoint)) return error(res, 400, `Invalid value for 'endpoint': '${String(body?.endpoint)}'.`, "invalid_request_error", "endpoint", "invalid_value");
      if (body.completion_window !== "24h") return error(res, 400, `Invalid value for 'completion_window': '${String(body.completion_window)}'. Supported values are: '24h'.`, "invalid_request_error", "completion_window", "invalid_value");
      const md = body.metadata;
      if (md !== undefined && md !== null && (typeof md !== "object" || Object.keys(md).length > 16 || Object.entries(md).some(([k, v]) => k.length > 64 || typeof v !== "string" || v.length > 512)))
        return error(res, 400, "Invalid 'metadata': at most 16 keys of up to 64 characters, string values of up to 512 characters.", "invalid_request_error", "metadata", "invalid_value");
      const b: Batch = { id: `batch_${hex(16)}`, endpoint: body.endpoint, inputFileId: fileId, createdAt: now(), status: "validating", polls: 0, ids: [], models: [], outcomes: [], errors: [], times: {}, outputFileId: null, errorFileId: null, cancelled: false, metadata: (md as Record<string, string> | undefined) ?? null, seq: seq++ };
      readInput(b, input.data);
      // the input file's bytes are not needed once read (kept when recording, so tests can read it back)
      if (!record) input.data = Buffer.alloc(0);
      batches.set(b.id, b);
      return send(res, 200, view(b));
    }
    if (req.method === "GET" && path === "/v1/batches") {
      // newest first; `after` an id: the ones after it in that order; `limit` 1–100, default 20
      const q = new URL(req.url ?? "/", "http://x").searchParams;
      const limit = Math.min(100, Math.max(1, Number(q.get("limit") ?? 20) || 20));
      let all = [...batches.values()].sort((a, b) => b.seq - a.seq);
      const after = q.get("after");
      if (after) {
        const at = all.findIndex((b) => b.id === after);
        all = at < 0 ? [] : all.slice(at + 1);
      }
      const data = all.slice(0, limit).map(view); // a listing is not a poll: no batch moves on
      return send(res, 200, { object: "list", data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: all.length > limit });
    }
    const bm = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
    if (bm) {
      const b = batches.get(bm[1]!);
      if (!b) return error(res, 404, `No batch found with id '${bm[1]}'.`, "invalid_request_error", null, "batch_not_found");
      if (req.method === "GET" && !bm[2]) {
        advance(b);
        return send(res, 200, view(b));
      }
      if (req.method === "POST" && bm[2]) {
        if (b.status === "validating" || b.status === "in_progress" || b.status === "finalizing") {
          b.status = "cancelling";
          b.times.cancelling = now();
        }
        return send(res, 200, view(b));
      }
    }
    const fm = /^\/v1\/files\/([^/]+)(\/content)?$/.exec(path);
    if (fm && req.method === "GET") {
      const f = files.get(fm[1]!);
      if (!f) return error(res, 404, `No such File object: ${fm[1]}`, "invalid_request_error", "id");
      if (!fm[2]) return send(res, 200, fileView(f));
      return void streamLines(res, f);
    }
    return error(res, 404, `Invalid URL (${req.method} ${path})`, "invalid_request_error");
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${addr.port}`,
        requests,
        lines,
        pieces,
        refuseNext(path, status, message, type, code) {
          refusals.push({ path, status, message: message ?? "Invalid request.", type: type ?? (status === 429 ? "requests" : status >= 500 ? "server_error" : "invalid_request_error"), code: code ?? null });
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
