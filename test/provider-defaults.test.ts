// The default models are current. Read from the INSTALLED SDKs at test time, so that the day an
// SDK update marks a default deprecated (or drops it from its model list), this fails with what to
// do, before a user meets the SDK's warning on every request or a retired model's 404.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import { main } from "../src/cli/main";
import { startFakeAnthropic } from "./fakes/anthropic";
import { claudeRules, defaultThinking } from "../src/sampling/claude";
import { DEFAULT_MODELS } from "../src/sampling/defaults";

/**
 * A file of an installed package, found where Node resolves the package (its main index.js sits
 * at its root), or a failure that says the package's layout changed.
 */
function packageFile(pkg: string, rel: string): string {
  const file = join(dirname(require.resolve(pkg)), rel);
  assert.ok(existsSync(file), `${pkg} no longer has ${rel} (its layout changed with an update): find where it keeps it and update ${__filename}`);
  return file;
}

/** The string literals of an exported union type (`export type Model = 'a' | 'b' | (string & {})`). */
function unionMembers(dts: string, name: string): string[] {
  const m = new RegExp(`export type ${name} = ([^;]+);`).exec(dts);
  assert.ok(m, `no \`export type ${name}\` in the SDK's typings: update ${__filename}`);
  return [...m[1]!.matchAll(/'([^']+)'/g)].map((x) => x[1]!);
}

function installedVersion(pkg: string): string {
  return (JSON.parse(readFileSync(packageFile(pkg, "package.json"), "utf8")) as { version: string }).version;
}

test("the default Anthropic model is one the installed @anthropic-ai/sdk lists and does not mark deprecated", () => {
  const model = DEFAULT_MODELS.anthropic!;
  const sdk = `@anthropic-ai/sdk ${installedVersion("@anthropic-ai/sdk")}`;
  // The SDK's own table: messages.create warns (console.warn) on every request to a model in it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DEPRECATED_MODELS } = require(packageFile("@anthropic-ai/sdk", "internal/data/deprecated-models.js")) as { DEPRECATED_MODELS: Record<string, string> };
  assert.ok(DEPRECATED_MODELS && typeof DEPRECATED_MODELS === "object", `${sdk}: no DEPRECATED_MODELS table`);
  const listed = unionMembers(readFileSync(packageFile("@anthropic-ai/sdk", "resources/messages/messages.d.ts"), "utf8"), "Model");
  assert.ok(listed.length > 0, `${sdk}: its Model type lists no model`);
  const current = listed.filter((m) => !(m in DEPRECATED_MODELS));
  const fix = `choose a current model in src/sampling/defaults.ts (and package.json's hotmess.model description, the selectModel list in src/extension/extension.ts); current in ${sdk}: ${current.join(", ")}`;
  assert.ok(!(model in DEPRECATED_MODELS), `the default Anthropic model ${model} is deprecated (end of life ${DEPRECATED_MODELS[model]}): ${fix}`);
  assert.ok(listed.includes(model), `the default Anthropic model ${model} is not in ${sdk}'s Model list: ${fix}`);
});

test("the default OpenAI model is one the installed openai SDK lists", () => {
  const model = DEFAULT_MODELS.openai!;
  const sdk = `openai ${installedVersion("openai")}`;
  // The openai SDK keeps no deprecation table: its ChatModel list is what it knows. OpenAI's
  // deprecations page is the other half (checked by hand when the default moves).
  const listed = unionMembers(readFileSync(packageFile("openai", "resources/shared.d.ts"), "utf8"), "ChatModel");
  assert.ok(listed.includes(model), `the default OpenAI model ${model} is not in ${sdk}'s ChatModel list: choose one it lists in src/sampling/defaults.ts`);
});

test("the default Anthropic model thinks adaptively by default, and its thinking can be turned off", () => {
  // check() names it as the model to choose when another always thinks.
  const model = DEFAULT_MODELS.anthropic!;
  assert.deepEqual(defaultThinking(model), { type: "adaptive" });
  assert.notEqual(claudeRules(model).off, null);
});

test("hotmess run without --model: the current default, adaptive thinking, a known cost, no SDK warning", async () => {
  const fake = await startFakeAnthropic();
  const warned: string[] = [];
  const original = console.warn;
  console.warn = (...a: unknown[]) => void warned.push(a.map(String).join(" "));
  try {
    let err = "";
    const sink = (into: (s: string) => void) => new Writable({ write: (c: Buffer, _e, cb) => (into(c.toString()), cb()) });
    const out = mkdtempSync(join(tmpdir(), "hotmess-default-"));
    const code = await main(["run", "--prompt", "2+2?", "-n", "2", "--provider", "anthropic", "--base-url", fake.url, "--out", out], { stdout: sink(() => {}), stderr: sink((s) => (err += s)), env: { ANTHROPIC_API_KEY: "sk-ant-default-model-0001" } });
    assert.equal(code, 0, err);
    assert.match(err, new RegExp(`2 samples of ${DEFAULT_MODELS.anthropic} \\(anthropic at [^,]+, adaptive thinking,`));
    assert.doesNotMatch(err, /cost unknown|no price|deprecated/);
    assert.equal(fake.requests.at(-1)!.body.model, DEFAULT_MODELS.anthropic);
    assert.deepEqual(fake.requests.at(-1)!.body.thinking, { type: "adaptive", display: "summarized" });
    assert.deepEqual(warned, []);
  } finally {
    console.warn = original;
    await fake.close();
  }
});
