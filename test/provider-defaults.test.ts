// The default models are current. Read from the INSTALLED SDKs at test time, so that the day an
// SDK update marks a default deprecated (or drops it from its model list), this fails with what to
// do, before a user meets the SDK's warning on every request or a retired model's 404.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
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
