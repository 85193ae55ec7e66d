// Failed and partial runs in a real VS Code (code-server 4.100.3 in headless Chromium), against
// the fake Anthropic Messages API (test/fakes/anthropic.ts) in this process on 127.0.0.1:
//
//   1. A wrong key: Set API Key… with a key the fake refuses, Rerun Selection; the fake answers
//      401 authentication_error "invalid x-api-key". The view opens on a banner "Run failed: 0 of
//      4 samples finished" with HTTP 401, the server's message, what to do, the prompt and Retry;
//      the status bar says the last run failed.
//   2. Retry: the right key is set, Retry is clicked in the view; the 4 samples run into the same
//      run file, the banner goes, the view fills. The fake's model repeats the key it was called
//      with: the view shows "[redacted]", never the key.
//   3. A partial run file (written by hand as the engine records one: 5 of 8 finished, two 429s
//      whose server asked to wait 5 minutes, one stream cut by an overload with its partial
//      reply, which repeats the key): the Open Run picker's row says "partial: 5 of 8 finished,
//      3 failed (429 …)"; opened, the banner lists the failures grouped with status, URL,
//      request ids and the wait, and the partial reply with the key redacted; Retry completes it
//      (8 of 8, same file).
//   4. Retry Run… from the palette says there is nothing left to continue; no key in any VS Code
//      log; no console errors.
//
//   node --import tsx test/e2e/failures.e2e.ts [--keep] [--package]
//
// Screenshots: out/e2e/failures-401.png, failures-retried.png, failures-picker.png,
// failures-partial.png, failures-partial-retried.png.
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { startFakeAnthropic, type RecordedRequest } from "../fakes/anthropic";
import { assert, Checklist, installExtension, runE2E } from "./checks";
import {
  ARTIFACTS_DIR,
  openBrowser,
  openFile,
  quickInputItems,
  runCommand,
  screenshot,
  selectAll,
  startCodeServer,
  statusBarText,
  unexpectedConsoleErrors,
  vscodeLogFiles,
  waitForExtensionActivation,
  waitForNotification,
  waitForWorkbench,
  waitUntil,
  webviewFrame,
  viewText,
  type Frame,
  type Page,
} from "./harness";

const EXTENSION_ID = "hotmess.hot-mess-inspector";
const STATUS_ID = `${EXTENSION_ID}.hotmess.status`;
// Keys without the sk-… shape: only knowing the stored key can redact them
const WRONG_KEY = "hm-e2e-wrong-key-00000000";
const KEY = "hm-e2e-good-key-7f3a9c21d4e8b605";
const N = 4;
const PROMPT = "Janet's ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck egg. How much in dollars does she make every day at the farmers' market?";
const PALETTE_MS = 90_000;

const list = new Checklist();
const ok = (what: string) => list.ok(what);

const keyOf = (r: RecordedRequest) => {
  const v = (name: string) => {
    const x = r.headers[name];
    return (Array.isArray(x) ? x[0] : x) ?? "";
  };
  return v("x-api-key") || v("authorization").replace(/^Bearer\s+/i, "");
};

/** Set API Key…, "Anthropic", the key typed into the password box, Enter. */
async function setKey(page: Page, key: string): Promise<string> {
  await runCommand(page, "Hot Mess: Set API Key…", { timeoutMs: PALETTE_MS });
  await waitUntil("the provider quick pick", async () => ((await quickInputItems(page)).some((i) => i.startsWith("Anthropic")) ? true : undefined), { page, timeoutMs: 30_000 });
  await page.locator(".quick-input-widget .quick-input-list .monaco-list-row", { hasText: /^Anthropic/ }).first().click();
  const box = page.locator(".quick-input-widget .quick-input-box input");
  await waitUntil("the password box", async () => ((await box.getAttribute("type").catch(() => null)) === "password" && (await box.isVisible().catch(() => false)) ? true : undefined), { page, timeoutMs: 20_000 });
  await box.pressSequentially(key, { delay: 10 });
  await page.keyboard.press("Enter");
  return waitForNotification(page, /Anthropic key stored/, { timeoutMs: 30_000 });
}

/** The comparison view titled `title` once `probe` accepts it, found afresh on each poll. */
async function viewWhere<T>(page: Page, title: string, what: string, probe: (frame: Frame) => Promise<T | undefined>, timeoutMs = 90_000): Promise<{ frame: Frame; value: T }> {
  return waitUntil(
    what,
    async () => {
      const frame = await webviewFrame(page, title, { timeoutMs: 5_000 }).catch(() => undefined);
      if (!frame) return undefined;
      const value = await probe(frame).catch(() => undefined);
      return value === undefined ? undefined : { frame, value };
    },
    { page, timeoutMs, intervalMs: 200 },
  );
}

const bodyText = async (frame: Frame) => ((await frame.evaluate("document.body.innerText")) as string).replace(/\s+/g, " ");

interface Line {
  type: string;
  status?: string;
  index?: number;
}
const readLines = (file: string): Line[] =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Line);

/** A partial run as the engine records one (src/core/runfile.ts): 5 samples, three failures, the end line. */
function writePartialRun(dir: string, fakeUrl: string): string {
  const file = join(dir, "2026-12-04T09-00-00Z-claude-haiku-4-5.jsonl");
  const header = { type: "header", schema: "hotmess.run/1", id: "ducks-partial", createdAt: "2026-12-04T09:00:00.000Z", tool: { name: "hotmess-vscode", version: "0.1.0" }, provider: "anthropic", model: "claude-haiku-4-5", baseURL: fakeUrl, prompt: PROMPT, parameters: { n: 8, maxTokens: 8192, thinking: { type: "budget", budgetTokens: 4096 }, concurrency: 4, idleTimeoutMs: 120000 } };
  const sample = (index: number, answer: number) => ({ type: "sample", index, text: `Answer: ${answer}`, thinking: `16 - 3 = 13. 13 - 4 = 9. 9 * 2 = ${answer}.`, redactedThinking: 0, usage: { inputTokens: 80, outputTokens: 30 }, costUsd: 0.0007, latencyMs: 1500, retries: 0, truncated: false, stopReason: "end_turn", finishedAt: "2026-12-04T09:00:02.000Z" });
  const limited = (index: number, requestId: string) => ({ type: "failure", index, kind: "rate_limit", message: `Anthropic (${fakeUrl}) answered 429 rate_limit_error: This request would exceed the rate limit for your organization of 50 requests per minute.`, attempts: 1, status: 429, url: `${fakeUrl}/v1/messages`, requestId, retryable: true, retryAfterMs: 300_000 });
  const cut = { type: "failure", index: 7, kind: "overloaded", message: `Anthropic (${fakeUrl}) sent an error mid-stream (overloaded_error): Overloaded`, attempts: 6, url: `${fakeUrl}/v1/messages`, requestId: "req_011CcutMidStream00000", retryable: true, partial: { text: `So far 16 - 3 - 4 = 9 eggs. (My key is ${KEY}.)`, thinking: "16 - 3 = 13. 13 - 4 = 9." } };
  const lines = [header, sample(0, 18), sample(1, 18), sample(2, 18), sample(3, 16), sample(4, 18), limited(5, "req_011CrateLimitedAaaaa"), limited(6, "req_011CrateLimitedBbbbb"), cut, { type: "end", status: "partial", finishedAt: "2026-12-04T09:00:05.000Z" }];
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  // an hour old: the runs of this session come first in Open Run…
  const old = new Date(Date.now() - 3_600_000);
  utimesSync(file, old, old);
  return file;
}

void runE2E("failures", { list, limitMinutes: 12 }, async (t) => {
  const t0 = Date.now();
  const { extensionsDir, userDataDir, vsix } = installExtension(t);
  ok(`installed ${vsix}`);

  const fake = await startFakeAnthropic();
  t.onCleanup(() => fake.close());
  t.onFailure(() => console.error(`the fake's requests:\n${fake.requests.map((r) => `${r.method} ${r.path} key=${keyOf(r) === KEY ? "right" : keyOf(r) === WRONG_KEY ? "wrong" : "?"}`).join("\n")}`));
  // the right key gets an answer that repeats it; any other a 401, as the real API does
  fake.setDefault((req) =>
    keyOf(req) === KEY
      ? { kind: "ok", thinking: [`I was called with the key ${keyOf(req)}. `, "16 - 3 = 13. 13 - 4 = 9. ", "9 * 2 = 18."], text: [`My key is ${keyOf(req)}. `, "Answer: 18"] }
      : { kind: "http-error", status: 401, type: "authentication_error", message: "invalid x-api-key" },
  );

  const workspace = join(t.tmp, "workspace");
  const runDir = join(workspace, ".hotmess", "runs");
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(workspace, "ducks.txt"), PROMPT + "\n");
  const partialFile = writePartialRun(runDir, fake.url);
  const server = (t.server = await startCodeServer({
    extensionsDir,
    userDataDir,
    workspace,
    theme: "light",
    settings: { "hotmess.provider": "anthropic", "hotmess.model": "claude-haiku-4-5", "hotmess.anthropic.baseUrl": fake.url, "hotmess.n": N, "hotmess.concurrency": N },
  }));
  t.onFailure(() => {
    for (const file of vscodeLogFiles(userDataDir, { outputChannels: true }).filter((f) => f.includes(EXTENSION_ID))) console.error(`---- ${file} ----\n${readFileSync(file, "utf8").split("\n").slice(-40).join("\n")}`);
  });
  const session = (t.session = await openBrowser(server.url, { goto: false }));
  const { page } = session;
  await page.goto(server.url, { waitUntil: "domcontentloaded", timeout: 90_000 });
  await waitForWorkbench(page, { timeoutMs: 120_000 });
  ok(`the workbench is up, the fake Anthropic API at ${fake.url}`);

  // ============================================================================ 1. a wrong key
  ok(`Set API Key… with a wrong key: "${await setKey(page, WRONG_KEY)}"`);
  await waitForExtensionActivation(server, EXTENSION_ID, { page, timeoutMs: 60_000 });
  const t1 = Date.now();
  await runCommand(page, "View: Focus First Editor Group", { timeoutMs: PALETTE_MS });
  await openFile(page, "ducks.txt");
  await selectAll(page);
  await runCommand(page, "Hot Mess: Rerun Selection N Times", { timeoutMs: PALETTE_MS });
  const failed = await viewWhere(page, "Hot Mess", "the failed run's banner", async (f) => {
    const s = await viewText(f, ".runstate[data-status=failed] .rs-summary");
    return s ? s : undefined;
  });
  const failedAfter = ((Date.now() - t1) / 1000).toFixed(1);
  const banner1 = await viewText(failed.frame, ".runstate");
  assert(failed.value.startsWith(`Run failed: 0 of ${N} samples finished, 1 failed`), `the banner's status: "${failed.value}"`);
  assert(/authentication HTTP 401/.test(banner1), `the banner shows the kind and the HTTP status: ${banner1}`);
  assert(/answered 401 authentication_error: invalid x-api-key/.test(banner1), `the banner shows the server's message: ${banner1}`);
  assert(/Set API Key/.test(banner1), `the banner says what to do: ${banner1}`);
  assert(banner1.includes(PROMPT.slice(0, 60)), "the banner shows the prompt (no sample shows it)");
  const retryLabel = await viewText(failed.frame, ".runstate .rs-retry");
  assert(retryLabel === "Retry", `a Retry button: "${retryLabel}"`);
  assert(!banner1.includes(WRONG_KEY), "the wrong key is not on screen");
  ok(`a 401 opens the view on "${failed.value}" ${failedAfter} s after the rerun started: ${banner1.slice(0, 300)}`);
  const status1 = await waitUntil("the status bar to say the run failed", async () => {
    const s = await statusBarText(page, STATUS_ID);
    return s && /last run failed/.test(s) ? s : undefined;
  }, { page, timeoutMs: 30_000 });
  ok(`the status bar: "${status1}"`);
  const files1 = readdirSync(runDir).filter((f) => f !== basename(partialFile));
  assert(files1.length === 1, `one run file was written: ${files1.join(", ")}`);
  const runFile = join(runDir, files1[0]!);
  await page.waitForTimeout(600); // the error toast fades in
  await screenshot(page, join(ARTIFACTS_DIR, "failures-401.png"));

  // ============================================================================ 2. Retry
  ok(`Set API Key… with the right key: "${await setKey(page, KEY)}"`);
  const requests2 = fake.requests.length;
  const t2 = Date.now();
  await failed.frame.locator(".runstate .rs-retry").first().click();
  const done = await viewWhere(page, "Hot Mess", "Retry to finish the run", async (f) => {
    const s = await viewText(f, ".host-status");
    return /^Done/.test(s) && (await f.locator(".runstate").count()) === 0 && (await f.evaluate("document.body.dataset.rendered === '1'")) ? s : undefined;
  });
  const retriedAfter = ((Date.now() - t2) / 1000).toFixed(1);
  const lines = readLines(runFile);
  assert(lines.filter((l) => l.type === "sample").length === N, `the ${N} samples are in the same run file (${lines.filter((l) => l.type === "sample").length})`);
  assert(lines.at(-1)?.type === "end" && lines.at(-1)?.status === "complete", `the run file ends complete: ${JSON.stringify(lines.at(-1))}`);
  assert(readdirSync(runDir).length === 2, `no new run file: ${readdirSync(runDir).join(", ")}`);
  const sent = fake.requests.slice(requests2).filter((r) => r.method === "POST");
  assert(sent.length === N && sent.every((r) => keyOf(r) === KEY), `Retry sent ${N} requests with the right key (${sent.length})`);
  ok(`Retry: "${done.value}" ${retriedAfter} s after the click; ${basename(runFile)} now ends ${JSON.stringify(lines.at(-1)?.status)} with ${N} samples (no new file)`);
  const text2 = await bodyText(done.frame);
  assert(text2.includes("[redacted]"), "the key the model repeated shows as [redacted]");
  assert(!text2.includes(KEY), "the key is nowhere in the view");
  ok(`the model repeated its key: the view shows "${/I was called with the key \[redacted\]/.exec(text2)?.[0] ?? "[redacted]"}", never the key`);
  if (readFileSync(runFile, "utf8").includes(KEY)) console.log("e2e: note: the run file holds the key as the model repeated it (redacting run files with RecordPlan.secrets is the engine's part, branch sampling)");
  const status2 = await waitUntil("the status bar to leave the failure", async () => {
    const s = await statusBarText(page, STATUS_ID);
    return s && !/failed/.test(s) ? s : undefined;
  }, { page, timeoutMs: 30_000 });
  ok(`the status bar: "${status2}"`);
  await page.waitForTimeout(1_000); // the progress notification goes
  await screenshot(page, join(ARTIFACTS_DIR, "failures-retried.png"));

  // ============================================================================ 3. a partial run
  await runCommand(page, "Hot Mess: Open Run…", { timeoutMs: PALETTE_MS });
  const rows = await waitUntil("Open Run to list the partial run", async () => {
    const items = await quickInputItems(page).catch(() => [] as string[]);
    return items.some((i) => i.includes(basename(partialFile))) ? items : undefined;
  }, { page, timeoutMs: 30_000 });
  const partialRow = rows.find((r) => r.includes(basename(partialFile)))!;
  assert(/partial: 5 of 8 finished, 3 failed \(429 This request would exceed the rate limit/.test(partialRow), `the picker's row says why: ${partialRow}`);
  assert(!rows.some((r) => r.includes(KEY)), "no key in the picker");
  ok(`Open Run… marks the partial run: "${partialRow.slice(0, 160)}"`);
  await screenshot(page, join(ARTIFACTS_DIR, "failures-picker.png"));
  // picked with the keyboard (down to its row, Enter): a click on a row of a list that is still
  // laying out can wait for it to hold still until the pick closes (seen once in CI)
  const at = rows.findIndex((r) => r.includes(basename(partialFile)));
  for (let i = 0; i < at; i++) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  // the tab is named by the prompt's id and when it ran, not the run file's name
  const partial = await viewWhere(page, "ducks-partial", "the partial run's banner", async (f) => {
    const s = await viewText(f, ".runstate[data-status=partial] .rs-summary");
    return s && (await f.evaluate("document.body.dataset.rendered === '1'")) ? s : undefined;
  });
  assert(partial.value === "Partial: 5 of 8 samples finished, 3 failed", `the banner's status: "${partial.value}"`);
  const failures = (await partial.frame.locator(".rs-failure").allInnerTexts()).map((x) => x.replace(/\s+/g, " "));
  assert(failures.length === 2, `two kinds of failure: ${JSON.stringify(failures)}`);
  const limited = failures[0]!;
  for (const expected of ["rate limited", "HTTP 429", "2 times", "samples 5, 6", `${fake.url}/v1/messages`, "req_011CrateLimitedAaaaa", "req_011CrateLimitedBbbbb", "server asked to wait 5 min", "This request would exceed the rate limit"])
    assert(limited.includes(expected), `the 429s' entry shows "${expected}": ${limited}`);
  assert(/overloaded/.test(failures[1]!) && /req_011CcutMidStream00000/.test(failures[1]!), `the cut stream's entry: ${failures[1]}`);
  const partialText = (await partial.frame.locator(".rs-partial").first().innerText()).replace(/\s+/g, " ");
  assert(partialText.includes("So far 16 - 3 - 4 = 9 eggs. (My key is [redacted].)"), `the partial reply, key redacted: ${partialText}`);
  const text3 = await bodyText(partial.frame);
  assert(!text3.includes(KEY), "the key is nowhere in the view");
  assert((await partial.frame.locator("section[aria-label='Step-level divergence']").count()) === 1, "the 5 finished samples are analysed below the banner");
  ok(`the partial run opens on "${partial.value}": ${limited.slice(0, 240)}; the partial reply: "${partialText.slice(0, 120)}"`);
  await screenshot(page, join(ARTIFACTS_DIR, "failures-partial.png"));
  await partial.frame.locator(".runstate .rs-retry").first().click();
  const done3 = await viewWhere(page, "ducks-partial", "Retry to complete the partial run", async (f) => {
    const s = await viewText(f, ".host-status");
    return /^Done: 8 of 8/.test(s) && (await f.locator(".runstate").count()) === 0 ? s : undefined;
  });
  const lines3 = readLines(partialFile);
  assert(lines3.filter((l) => l.type === "sample").length === 8 && lines3.at(-1)?.status === "complete", `the partial run file now has 8 samples and ends complete`);
  ok(`Retry on the partial run: "${done3.value}"; ${basename(partialFile)} has 8 samples, ends complete`);
  await screenshot(page, join(ARTIFACTS_DIR, "failures-partial-retried.png"));

  // ============================================================================ 4. the rest
  await runCommand(page, "Hot Mess: Retry Run…", { timeoutMs: PALETTE_MS });
  const nothing = await waitForNotification(page, /no run in .* has samples left to run/, { timeoutMs: 30_000 });
  ok(`Retry Run… from the palette, with every run complete: "${nothing}"`);
  const logs = vscodeLogFiles(userDataDir, { outputChannels: true }).map((file) => ({ file, text: readFileSync(file, "utf8") }));
  const leaking = logs.filter((l) => l.text.includes(KEY) || l.text.includes(WRONG_KEY)).map((l) => l.file);
  assert(leaking.length === 0, `no key in any VS Code log: ${leaking.join(", ")}`);
  const channel = logs.filter((l) => l.file.includes(EXTENSION_ID)).map((l) => l.text).join("\n");
  assert(/401/.test(channel), "the extension's log has the 401");
  ok(`no key in the ${logs.length} VS Code logs (the extension's channel has the 401)`);
  const errors = unexpectedConsoleErrors(session, [/Hot Mess: .*401/]);
  assert(errors.length === 0, `no console errors: ${errors.join("\n")}`);
  ok("no console errors in the workbench or the views");
  console.log(`e2e: total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});
