// "Rerun from here" in a real VS Code (code-server), issue "rerun an agent from any point": the
// shared τ-bench fixture imported, task-2's run #0 opened, "Rerun from here" on its action 2,
// 8 reruns with the recorded tool as the expected action — on the simulated agent, then against
// a fake Anthropic and a fake OpenAI server that speak the real tool-use streams (the real SDKs,
// keys from the environment, endpoints from the user settings). Each rerun opens a view of the
// next actions split, with its figures; each fake's first request is checked (tools declared,
// the airline policy as the system prompt, the prefix intact up to action 1's result, Claude's
// prompt cache marks) and written to out/e2e/ beside the screenshots. Without the shared
// fixtures it says "skipped: no shared fixtures".
//
//   node --import tsx test/e2e/rerun.e2e.ts [--keep]
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sharedFixture } from "../support/fixtures";
import { startFakeAnthropic, type RecordedRequest } from "../fakes/anthropic";
import { startFakeOpenAI } from "../fakes/openai";
import { assert, Checklist, installExtension, runE2E } from "./checks";
import {
  viewRendered,
  ARTIFACTS_DIR,
  REPO_ROOT,
  fillFileDialog,
  openFile,
  openBrowser,
  quickInputItems,
  runCommand,
  screenshot,
  startCodeServer,
  unexpectedConsoleErrors,
  waitForNotification,
  waitForWorkbench,
  waitUntil,
  webviewFrame,
  viewText,
  type Frame,
  type Page,
} from "./harness";

const list = new Checklist();
const ok = (what: string) => list.ok(what);
const FIXTURE = sharedFixture("tau-airline-gpt4o", "results.json");
const N = 8;
const ANTHROPIC_KEY = "sk-ant-e2e-rerun-0001";
const OPENAI_KEY = "sk-e2e-rerun-openai-0002";

/** The next actions the fakes answer with, by request number: 5 look the reservation up, 2 cancel at once, 1 asks first. */
function nextAction(i: number): { name: string; args: Record<string, string> } | null {
  const k = i % N;
  if (k < 5) return { name: "get_reservation_details", args: { reservation_id: "JG7FMM" } };
  if (k < 7) return { name: "cancel_reservation", args: { reservation_id: "JG7FMM" } };
  return null;
}
const ASK = "Before I go on: could you confirm the reservation number?";

/**
 * In the imported view: task-2, its run #0 opened, and "Rerun from here" on its action 2 clicked;
 * then N typed and the expected action picked. Returns the button's title.
 */
let hoverOpacity = "";
async function rerunFromAction2(page: Page, shot?: string): Promise<string> {
  await page.locator(".tabs-container .tab", { hasText: "results.tau-bench" }).first().click();
  const frame = await webviewFrame(page, "results.tau-bench", { timeoutMs: 30_000 });
  await viewRendered(frame, page);
  await frame.locator('li.prompt-item[data-fk="prompt:task-2"]').first().click();
  await waitUntil("task-2 to show", async () => ((await viewText(frame, "main")).includes("task-2") ? true : undefined), { page, timeoutMs: 20_000 });
  // run #0's text: the trajectory's cards, each agent step with its button
  if ((await frame.locator(".run-detail:not([hidden]) .run-cards").count()) === 0) await frame.locator("table.traces thead th.run-h").first().click();
  const steps = frame.locator(".run-detail .run-cards > .run-step");
  await waitUntil("run #0's trajectory", async () => ((await steps.count()) > 0 ? true : undefined), { page, timeoutMs: 20_000 });
  const at = (await frame.evaluate<number>(`(() => {
    const steps = [...document.querySelectorAll(".run-detail .run-cards > .run-step")];
    let calls = 0;
    return steps.findIndex((s) => s.querySelector(".tc-card") && ++calls === 2);
  })()`)) as number;
  assert(at >= 0, "run #0 of task-2 has an action 2");
  const loose = (await frame.evaluate<number>(`[...document.querySelectorAll(".run-detail .run-cards > .run-step")].filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== "")).length`)) as number;
  assert(loose === 0, `each step of the run's text is its card and its button, nothing else (${loose} steps carry loose text)`);
  const step = steps.nth(at);
  await step.evaluate("(e) => e.scrollIntoView({ block: \"center\" })");
  await step.hover();
  const button = step.locator("button.rerun-from");
  const title = (await button.getAttribute("title")) ?? "";
  await page.waitForTimeout(300);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const shown = String(await button.evaluate((b) => (globalThis as any).getComputedStyle(b).opacity).catch((e: Error) => `unreadable: ${e.message}`));
  assert(shown === "1", `the button shows on the hovered step (opacity ${shown})`);
  assert((await button.count()) === 1, "the step has its Rerun from here button");
  hoverOpacity = shown;
  if (shot) await screenshot(page, shot);
  await button.click();
  // how many reruns: one input box
  const box = page.locator(".quick-input-widget .quick-input-box input");
  await waitUntil("the input box for N", async () => ((await box.isVisible().catch(() => false)) ? true : undefined), { page, timeoutMs: 20_000 });
  await box.fill(String(N));
  await page.keyboard.press("Enter");
  // the expected action: the recorded call's tool first
  const items = await waitUntil("the expected-action pick", async () => {
    const it = await quickInputItems(page);
    return it.some((i) => /No expected action/.test(i)) ? it : undefined;
  }, { page, timeoutMs: 20_000 });
  assert(/^get_reservation_details\b/.test(items[0] ?? ""), `the recorded call's tool is offered first: ${JSON.stringify(items)}`);
  await page.keyboard.press("Enter");
  return title;
}

/** The new view of the reruns, once its run is done: its frame and what its prompt header says. */
async function rerunView(page: Page): Promise<{ frame: Frame; head: string; status: string }> {
  return waitUntil(
    "the rerun's view to finish",
    async () => {
      const frame = await webviewFrame(page, "task-2 · run #0 · action 2", { timeoutMs: 5_000 }).catch(() => undefined);
      if (!frame) return undefined;
      const status = await viewText(frame, ".host-status");
      if (!/^Done/.test(status)) return undefined;
      if (!((await frame.evaluate("document.body.dataset.rendered === '1'").catch(() => false)) as boolean)) return undefined;
      return { frame, head: await viewText(frame, "main"), status };
    },
    { page, timeoutMs: 120_000, intervalMs: 250 },
  );
}

/** What the rerun's view says of the split: the answer classes with their counts. */
async function split(frame: Frame): Promise<string[]> {
  return ((await frame.evaluate(`[...document.querySelectorAll(".answers .class-row")].map((e) => (e.getAttribute("title") ?? "").split("\\n")[0])`)) as string[]).filter((s) => s !== "");
}

function closeTab(page: Page, label: string): Promise<void> {
  return page.locator(".tabs-container .tab", { hasText: label }).first().locator(".codicon-close").click();
}

if (!FIXTURE) {
  console.log("skipped: no shared fixtures");
  console.log("e2e: 0 passed, 0 failed (skipped)");
} else {
  void runE2E("rerun", { list, limitMinutes: 12 }, async (t) => {
    const anthropic = await startFakeAnthropic();
    const openai = await startFakeOpenAI();
    t.onCleanup(() => anthropic.close());
    t.onCleanup(() => openai.close());
    anthropic.setDefault((_req, i) => {
      const a = nextAction(i);
      return a ? { kind: "ok", text: [], toolCalls: [{ name: a.name, input: a.args }] } : { kind: "ok", text: [ASK] };
    });
    openai.setDefault((_req, i) => {
      const a = nextAction(i);
      return a ? { kind: "ok", text: [], toolCalls: [{ name: a.name, arguments: a.args }] } : { kind: "ok", text: [ASK] };
    });
    t.onFailure(() => console.error(`anthropic saw ${anthropic.requests.length} requests, openai ${openai.requests.length}`));

    const { extensionsDir, userDataDir } = installExtension(t);
    const workspace = join(t.tmp, "workspace");
    mkdirSync(join(workspace, ".vscode"), { recursive: true });
    // the workspace settings file exists from the start, so that changing it later is an edit of a watched file
    writeFileSync(join(workspace, ".vscode", "settings.json"), "{}\n");
    // a conversation written by hand in a prompt file (the example), with its tools file
    for (const f of ["airline-agent.prompt.md", "airline-tools.json"]) writeFileSync(join(workspace, f), readFileSync(join(REPO_ROOT, "examples", f)));
    const server = (t.server = await startCodeServer({
      extensionsDir,
      userDataDir,
      workspace,
      theme: "dark",
      settings: { "editor.codeLens": true, "hotmess.provider": "simulated", "hotmess.anthropic.baseUrl": anthropic.url, "hotmess.openai.baseUrl": `${openai.url}/v1` },
      env: { ANTHROPIC_API_KEY: ANTHROPIC_KEY, OPENAI_API_KEY: OPENAI_KEY },
    }));
    const session = (t.session = await openBrowser(server.url, { goto: false, viewport: { width: 1600, height: 1000 } }));
    const { page } = session;
    await page.goto(server.url, { waitUntil: "domcontentloaded", timeout: 60_000 });
    await waitForWorkbench(page);

    await runCommand(page, "Hot Mess: Import Traces…");
    await fillFileDialog(page, FIXTURE);
    await waitForNotification(page, /25 tasks × 4 runs/, { timeoutMs: 60_000 });
    ok("the τ-bench fixture imported (25 tasks × 4 runs)");
    // its notification would cover the run's steps at the bottom right
    await runCommand(page, "Notifications: Clear All Notifications");

    // ---- 1. the simulated agent
    const title = await rerunFromAction2(page, join(ARTIFACTS_DIR, "rerun-button-dark.png"));
    assert(/Sample N times what the agent does here/.test(title), `the button says what it does: ${title}`);
    ok(`task-2 · run #0 · action 2: "Rerun from here" (opacity ${hoverOpacity} when hovered; "${title}"), ×${N}, expected action get_reservation_details`);
    const sim = await rerunView(page);
    assert(/8 of 8 samples/.test(sim.status), `8 reruns: ${sim.status}`);
    const simClasses = await split(sim.frame);
    ok(`simulated agent: ${sim.status}; the split: ${simClasses.join(" | ") || sim.head.slice(0, 300)}`);
    assert(/incoherence/i.test(sim.head) && /accuracy|pass\^/i.test(sim.head), `the figures: ${sim.head.slice(0, 500)}`);
    await screenshot(page, join(ARTIFACTS_DIR, "rerun-simulated-dark.png"));
    await closeTab(page, "task-2 · run #0 · action 2");

    // ---- 1b. the same from a prompt file holding a conversation: its lens reruns the next action
    await openFile(page, "airline-agent.prompt.md");
    const lens = await waitUntil("the conversation prompt's lens", async () => {
      const l = (await page.locator(".part.editor .editor-group-container.active .codelens-decoration").allInnerTexts().catch(() => [] as string[])).map((x) => x.replace(/\s+/g, " ").trim());
      return l.find((x) => /Rerun next action ×8/.test(x));
    }, { page, timeoutMs: 60_000 });
    await page.locator(".codelens-decoration a", { hasText: /Rerun next action ×8/ }).first().click();
    const conv = await waitUntil("the conversation prompt's run to finish", async () => {
      // the tab is named by the prompt's id
      const frame = await webviewFrame(page, "airline-cancel", { timeoutMs: 5_000 }).catch(() => undefined);
      if (!frame) return undefined;
      const status = await viewText(frame, ".host-status");
      if (!/^Done/.test(status) || !((await frame.evaluate("document.body.dataset.rendered === '1'").catch(() => false)) as boolean)) return undefined;
      return { frame, status, head: await viewText(frame, "main") };
    }, { page, timeoutMs: 120_000, intervalMs: 250 });
    assert(/expected action\s*cancel_reservation/.test(conv.head), `the prompt's reference is the expected action: ${conv.head.slice(0, 400)}`);
    ok(`airline-agent.prompt.md: the lens "${lens}" ran it; ${conv.status}; the split: ${(await split(conv.frame)).join(" | ")}`);
    await screenshot(page, join(ARTIFACTS_DIR, "rerun-prompt-file-dark.png"));
    await closeTab(page, "Hot Mess: airline-cancel");
    await closeTab(page, "airline-agent.prompt.md");

    // ---- 2. a fake Anthropic server, through the real SDK
    writeFileSync(join(workspace, ".vscode", "settings.json"), JSON.stringify({ "hotmess.provider": "anthropic", "hotmess.model": "claude-sonnet-4-5" }, null, 2) + "\n");
    await page.waitForTimeout(3000);
    await rerunFromAction2(page);
    const an = await rerunView(page);
    assert(anthropic.requests.length === N, `the fake Anthropic server got ${N} requests (${anthropic.requests.length})`);
    const aBody = (anthropic.requests[0] as RecordedRequest).body as { system: { text: string; cache_control?: unknown }[]; tools: { name: string; input_schema: unknown; cache_control?: unknown }[]; messages: { role: string; content: { type: string; cache_control?: unknown }[] }[]; thinking?: { type: string } };
    writeFileSync(join(ARTIFACTS_DIR, "rerun-anthropic-request.json"), JSON.stringify(aBody, null, 2));
    assert(Array.isArray(aBody.system) && /^# Airline Agent Policy/.test(aBody.system[0]!.text) && aBody.system[0]!.cache_control !== undefined, "the policy is the system prompt, cached");
    assert(aBody.tools.some((x) => x.name === "get_reservation_details") && aBody.tools.at(-1)!.cache_control !== undefined, `the tools are declared, the last one cached: ${aBody.tools.map((x) => x.name).join(", ")}`);
    const lastA = aBody.messages.at(-1)!;
    assert(lastA.role === "user" && lastA.content[0]!.type === "tool_result", "the prefix ends with action 1's result");
    assert(aBody.messages.flatMap((m) => m.content).filter((b) => b.type === "tool_use").length === 1, "the prefix holds action 1 only");
    assert(aBody.thinking === undefined || aBody.thinking.type === "disabled", `no thinking budget on a prefix recorded without signed thinking: ${JSON.stringify(aBody.thinking)}`);
    const aClasses = await split(an.frame);
    ok(`fake Anthropic: ${an.status}; ${aBody.messages.length} messages, ${aBody.tools.length} tools declared, policy ${aBody.system[0]!.text.length} chars (cache_control on tools, system and the last block); the split: ${aClasses.join(" | ") || an.head.slice(0, 300)}`);
    assert(/5\b/.test(an.head) && /get_reservation_details/.test(an.head), `5 of 8 took the expected action: ${an.head.slice(0, 600)}`);
    await screenshot(page, join(ARTIFACTS_DIR, "rerun-anthropic-dark.png"));
    await closeTab(page, "task-2 · run #0 · action 2");

    // ---- 3. a fake OpenAI server
    writeFileSync(join(workspace, ".vscode", "settings.json"), JSON.stringify({ "hotmess.provider": "openai", "hotmess.model": "gpt-4o" }, null, 2) + "\n");
    await page.waitForTimeout(3000);
    await rerunFromAction2(page);
    const oa = await rerunView(page);
    assert(openai.requests.length === N, `the fake OpenAI server got ${N} requests (${openai.requests.length})`);
    const oBody = openai.requests[0]!.body as { messages: { role: string; content?: unknown; tool_calls?: { id: string }[]; tool_call_id?: string }[]; tools: { type: string; function: { name: string } }[] };
    writeFileSync(join(ARTIFACTS_DIR, "rerun-openai-request.json"), JSON.stringify(oBody, null, 2));
    assert(oBody.messages[0]!.role === "system" && /^# Airline Agent Policy/.test(String(oBody.messages[0]!.content)), "the policy first, as a system message");
    oBody.messages.forEach((m, i) => assert(m.role !== "tool" || oBody.messages.slice(0, i).some((p) => p.tool_calls?.some((c) => c.id === m.tool_call_id)), `message ${i} answers a call before it`));
    assert(oBody.messages.at(-1)!.role === "tool", "the prefix ends with action 1's result");
    assert(oBody.tools.every((x) => x.type === "function") && oBody.tools.some((x) => x.function.name === "get_reservation_details"), "function tools declared");
    const oClasses = await split(oa.frame);
    ok(`fake OpenAI: ${oa.status}; ${oBody.messages.length} messages, ${oBody.tools.length} function tools; the split: ${oClasses.join(" | ") || oa.head.slice(0, 300)}`);
    await screenshot(page, join(ARTIFACTS_DIR, "rerun-openai-dark.png"));

    // the run files: one per rerun, each named by where it came from, with its prefix and expected action
    const runs = join(workspace, ".hotmess", "runs");
    const headers = readdirSync(runs)
      .filter((x) => x.endsWith(".jsonl"))
      .map((x) => JSON.parse(readFileSync(join(runs, x), "utf8").split("\n")[0]!) as { id: string; provider: string; expectedAction?: string; conversation?: { messages: unknown[] } });
    const ours = headers.filter((h) => h.id.startsWith("task-2-run0-before-action2-"));
    assert(ours.length === 3 && ours.every((h) => h.expectedAction === "get_reservation_details" && (h.conversation?.messages.length ?? 0) > 0), `three run files with the prefix and the expected action: ${JSON.stringify(headers.map((h) => [h.id, h.provider, h.expectedAction]))}`);
    ok(`run files: ${ours.map((h) => `${h.provider} ${h.id}`).join(", ")}`);

    const consoleErrors = unexpectedConsoleErrors(session);
    assert(consoleErrors.length === 0, `no console errors: ${consoleErrors.join("\n")}`);
    ok("no console errors in the workbench or the views");
  });
}
