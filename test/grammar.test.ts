// The prompt-file grammar (syntaxes/prompt.tmLanguage.json) and language configuration,
// tokenized with vscode-textmate + vscode-oniguruma, the engine VS Code itself uses.
//
// Two sets of embedded grammars:
//  - "stubs": test/grammar/stubs, minimal stand-ins for VS Code's YAML and Markdown grammars
//    (always run; the snapshots hold every scope);
//  - "vscode": the real built-in grammars of the code-server install the e2e tests use
//    ($HOTMESS_E2E_CACHE or ~/.cache/hotmess-e2e, or a VS Code extensions folder in
//    $HOTMESS_VSCODE_EXTENSIONS), skipped when absent; their snapshots keep only this grammar's
//    own scopes (and the embedded-block scopes), so they do not churn when VS Code updates its
//    Markdown or YAML grammar.
// Each fixture in test/grammar/fixtures is compared with test/grammar/snapshots/<fixture>.<set>.snap;
// UPDATE_SNAPSHOTS=1 rewrites them (review the diff). Besides the snapshots: specific scopes, and
// parity with the reference parser (src/core/promptfile.ts) on separators, front matter, roles
// and variables.
import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { INITIAL, Registry, parseRawGrammar, type IGrammar, type StateStack } from "vscode-textmate";
import { createOnigScanner, createOnigString, loadWASM } from "vscode-oniguruma";
import { FRONT_MATTER_KEYS, parsePromptFile } from "../src/core/promptfile";

const ROOT = path.join(__dirname, "..");
const HERE = path.join(__dirname, "grammar");
const GRAMMAR_PATH = path.join(ROOT, "syntaxes", "prompt.tmLanguage.json");
const CONFIG_PATH = path.join(ROOT, "language-configuration.json");
const SCOPE = "source.hotmess-prompt";
const UPDATE = process.env.UPDATE_SNAPSHOTS === "1";

// ---------------------------------------------------------------------------------------------
// Loading

let wasm: Promise<void> | null = null;
function onigLib() {
  wasm ??= loadWASM(readFileSync(path.join(path.dirname(require.resolve("vscode-oniguruma")), "onig.wasm")));
  return wasm.then(() => ({ createOnigScanner: (sources: string[]) => createOnigScanner(sources), createOnigString: (s: string) => createOnigString(s) }));
}

/** scopeName → grammar file, for the stub set. */
function stubGrammars(): Map<string, string> {
  return new Map([
    [SCOPE, GRAMMAR_PATH],
    ["source.yaml", path.join(HERE, "stubs", "yaml.tmLanguage.json")],
    ["text.html.markdown", path.join(HERE, "stubs", "markdown.tmLanguage.json")],
  ]);
}

/** VS Code's built-in extensions folder, if one is around. */
function vscodeExtensionsDir(): string | null {
  const cache = path.resolve(process.env.HOTMESS_E2E_CACHE ?? path.join(process.env.HOME ?? homedir(), ".cache", "hotmess-e2e"));
  const candidates = [process.env.HOTMESS_VSCODE_EXTENSIONS, path.join(cache, "node_modules", "code-server", "lib", "vscode", "extensions")];
  for (const c of candidates) if (c && existsSync(path.join(c, "markdown-basics", "package.json")) && existsSync(path.join(c, "yaml", "package.json"))) return c;
  return null;
}

/** scopeName → grammar file for every grammar the built-in extensions contribute (loaded only when included). */
function vscodeGrammars(dir: string): Map<string, string> {
  const map = new Map<string, string>([[SCOPE, GRAMMAR_PATH]]);
  for (const ext of readdirSync(dir).sort()) {
    const manifest = path.join(dir, ext, "package.json");
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { contributes?: { grammars?: { scopeName?: string; path?: string }[] } };
    for (const g of pkg.contributes?.grammars ?? []) if (g.scopeName && g.path && !map.has(g.scopeName)) map.set(g.scopeName, path.join(dir, ext, g.path));
  }
  return map;
}

async function loadGrammar(files: Map<string, string>): Promise<IGrammar> {
  const registry = new Registry({
    onigLib: onigLib(),
    loadGrammar: async (scopeName) => {
      const file = files.get(scopeName);
      return file ? parseRawGrammar(readFileSync(file, "utf8"), file) : null;
    },
  });
  const grammar = await registry.loadGrammar(SCOPE);
  if (!grammar) throw new Error(`could not load ${SCOPE}`);
  return grammar;
}

// ---------------------------------------------------------------------------------------------
// Tokenizing

interface Token {
  line: number;
  start: number;
  end: number;
  text: string;
  /** Without the root scope. */
  scopes: string[];
}

function tokenize(grammar: IGrammar, text: string): Token[][] {
  let state: StateStack = INITIAL;
  return text.split(/\r?\n/).map((line, i) => {
    const r = grammar.tokenizeLine(line, state);
    assert.equal(r.stoppedEarly, false, `line ${i + 1} took too long`);
    state = r.ruleStack;
    return r.tokens.map((t) => ({ line: i, start: t.startIndex, end: Math.min(t.endIndex, line.length), text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes.slice(1) }));
  });
}

/** This grammar's own scopes, and the embedded blocks it opens: what stays put whatever the embedded grammars do. */
const own = (scope: string) => scope.endsWith(".hotmess-prompt") || scope === "meta.embedded.block.yaml" || scope === "meta.embedded.block.markdown";

function ownTokens(lines: Token[][]): Token[][] {
  return lines.map((tokens) => {
    const out: Token[] = [];
    for (const t of tokens) {
      const scopes = t.scopes.filter(own);
      const last = out[out.length - 1];
      if (last && last.end === t.start && last.scopes.join(" ") === scopes.join(" ")) {
        last.end = t.end;
        last.text += t.text;
      } else out.push({ ...t, scopes });
    }
    return out;
  });
}

function render(source: string, lines: Token[][], header: string): string {
  const out = [header];
  const sourceLines = source.split(/\r?\n/);
  lines.forEach((tokens, i) => {
    out.push(`>${sourceLines[i]}`);
    for (const t of tokens) {
      if (t.start === t.end && tokens.length > 1) continue;
      out.push(` ${`${t.start}-${t.end}`.padEnd(7)} ${JSON.stringify(t.text).padEnd(22)} ${t.scopes.join(" ")}`.trimEnd());
    }
  });
  return out.join("\n") + "\n";
}

/** The tokens on a line that cover `needle` (its first occurrence from `from`). */
function tokensOf(lines: Token[][], line: number, needle: string, from = 0): Token[] {
  const tokens = lines[line];
  assert.ok(tokens, `no line ${line}`);
  const text = tokens.map((t) => t.text).join("");
  const at = text.indexOf(needle, from);
  assert.ok(at >= 0, `"${needle}" is not on line ${line}: ${text}`);
  return tokens.filter((t) => t.end > at && t.start < at + needle.length);
}

/** Asserts that every token of `needle` on `line` has `scope` (or, with `not`, that none has it). */
function expectScope(lines: Token[][], line: number, needle: string, scope: string, opts: { not?: boolean; from?: number } = {}) {
  for (const t of tokensOf(lines, line, needle, opts.from)) {
    const has = t.scopes.some((s) => s === scope || s.startsWith(scope + "."));
    assert.equal(has, !opts.not, `line ${line + 1} ${JSON.stringify(t.text)} (in "${needle}") ${opts.not ? "has" : "lacks"} ${scope}: ${t.scopes.join(" ")}`);
  }
}

/** A role line as the parser reads it (ROLE and TOOL_ROLE in promptfile.ts). */
const ROLE_LINE = /^(?:(?:system|user|assistant):|tool(?:[ \t]+[A-Za-z0-9_-]+)?(?:[ \t]+error)?:)/;

const lineHas = (tokens: Token[], scope: string) => tokens.some((t) => t.scopes.some((s) => s === scope || s.startsWith(scope + ".")));

// ---------------------------------------------------------------------------------------------
// The files themselves

describe("prompt grammar file", () => {
  const raw = JSON.parse(readFileSync(GRAMMAR_PATH, "utf8")) as { scopeName: string; repository: Record<string, unknown>; patterns: unknown; injections: Record<string, unknown> };

  test("has the scope name package.json contributes, and every #include resolves", () => {
    assert.equal(raw.scopeName, SCOPE);
    const includes: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          if (k === "include" && typeof x === "string") includes.push(x);
          else walk(x);
        }
      }
    };
    walk(raw);
    for (const inc of includes.filter((i) => i.startsWith("#"))) assert.ok(inc.slice(1) in raw.repository, `${inc} is not in the repository`);
    assert.deepEqual(includes.filter((i) => !i.startsWith("#") && i !== "$self" && i !== "$base").sort(), ["source.yaml", "text.html.markdown"]);
    // every repository rule is used
    for (const name of Object.keys(raw.repository)) assert.ok(includes.includes(`#${name}`), `#${name} is never included`);
  });

  test("knows exactly the parser's front-matter keys", () => {
    const rule = raw.repository["front-matter-key"] as { match: string };
    const keys = /^\^\(([^)]*)\)/.exec(rule.match)?.[1]?.split("|") ?? [];
    assert.deepEqual([...keys].sort(), [...FRONT_MATTER_KEYS].sort());
  });
});

describe("language configuration", () => {
  const config = JSON.parse(readFileSync(CONFIG_PATH, "utf8")) as {
    comments: { lineComment?: string; blockComment: [string, string] };
    brackets: [string, string][];
    autoClosingPairs: { open: string; close: string }[];
    surroundingPairs: [string, string][];
    folding: { markers: { start: string; end: string } };
    wordPattern: { pattern: string; flags: string };
  };

  test("comments are HTML comments (no line comment: a prompt has none)", () => {
    assert.deepEqual(config.comments, { blockComment: ["<!--", "-->"] });
  });

  test("{{ }} is a bracket pair and auto-closes", () => {
    assert.deepEqual(config.brackets[0], ["{{", "}}"]);
    for (const [open, close] of config.brackets) assert.ok(config.autoClosingPairs.some((p) => p.open === open && p.close === close), `${open} does not auto-close`);
    for (const [open, close] of config.surroundingPairs) assert.ok(open.length === 1 && close.length === 1, "surrounding pairs are single characters");
  });

  test("folding markers and the word pattern compile, and the word pattern fits prose and variables", () => {
    assert.ok(new RegExp(config.folding.markers.start).test("<!-- #region few-shot examples -->"));
    assert.ok(new RegExp(config.folding.markers.end).test("  <!-- #endregion -->"));
    assert.ok(!new RegExp(config.folding.markers.start).test("<!-- #endregion -->"));
    const words = "Janet’s ducks lay {{eggs.per_day}} eggs (claude-sonnet-4-5, 3.5). Naïve?".match(new RegExp(config.wordPattern.pattern, config.wordPattern.flags));
    assert.deepEqual(words, ["Janet’s", "ducks", "lay", "eggs.per_day", "eggs", "claude-sonnet-4-5", "3.5", "Naïve"]);
  });
});

// ---------------------------------------------------------------------------------------------
// Snapshots, scopes and parity, with each set of embedded grammars

const FIXTURES = readdirSync(path.join(HERE, "fixtures")).sort();
const VSCODE = vscodeExtensionsDir();

const sets: { name: "stubs" | "vscode"; files: () => Map<string, string>; skip: string | false }[] = [
  { name: "stubs", files: stubGrammars, skip: false },
  { name: "vscode", files: () => vscodeGrammars(VSCODE!), skip: VSCODE ? false : "no VS Code built-in grammars found (see the comment at the top)" },
];

for (const set of sets) {
  describe(`prompt grammar with the ${set.name} grammars`, { skip: set.skip }, () => {
    let grammar: IGrammar;
    before(async () => {
      grammar = await loadGrammar(set.files());
    });
    const tok = (text: string) => tokenize(grammar, text);

    for (const fixture of FIXTURES) {
      test(`snapshot: ${fixture}`, () => {
        const source = readFileSync(path.join(HERE, "fixtures", fixture), "utf8");
        const tokens = tok(source);
        const actual =
          set.name === "stubs"
            ? render(source, tokens, `# ${fixture} with the stub grammars: start-end, text, scopes (without ${SCOPE}). Regenerate: UPDATE_SNAPSHOTS=1.`)
            : render(source, ownTokens(tokens), `# ${fixture} with VS Code's grammars, this grammar's own scopes only: start-end, text, scopes. Regenerate: UPDATE_SNAPSHOTS=1.`);
        const file = path.join(HERE, "snapshots", `${fixture}.${set.name}.snap`);
        if (UPDATE) {
          mkdirSync(path.dirname(file), { recursive: true });
          writeFileSync(file, actual);
          return;
        }
        assert.ok(existsSync(file), `no snapshot ${path.relative(ROOT, file)}: run with UPDATE_SNAPSHOTS=1 and review it`);
        assert.equal(actual, readFileSync(file, "utf8"), `${fixture} differs from its snapshot (UPDATE_SNAPSHOTS=1 rewrites it)`);
      });

      test(`parity with parsePromptFile: ${fixture}`, () => {
        const source = readFileSync(path.join(HERE, "fixtures", fixture), "utf8");
        const lines = source.split(/\r?\n/);
        const tokens = tok(source);
        const prompts = parsePromptFile(source, () => "");
        // separators: exactly the lines the parser splits at
        lines.forEach((l, i) => assert.equal(lineHas(tokens[i]!, "meta.separator.hotmess-prompt"), /^={3,}\s*$/.test(l), `separator on line ${i + 1}: ${l}`));
        const bodyLines = new Set<number>();
        const frontMatterLines = new Set<number>();
        let unclosed = false;
        for (const p of prompts) {
          if (p.problems.some((x) => /not closed/.test(x.message))) {
            unclosed = true; // the grammar cannot look ahead: it shows front matter up to the separator
            continue;
          }
          const hasFrontMatter = /^---\s*$/.test(lines[p.range.start.line]!);
          const bodyStart = hasFrontMatter ? lines.findIndex((l, i) => i > p.range.start.line && /^---\s*$/.test(l)) + 1 : p.range.start.line;
          for (let i = p.range.start.line; i < bodyStart; i++) frontMatterLines.add(i);
          for (let i = bodyStart; i <= p.range.end.line; i++) bodyLines.add(i);
        }
        lines.forEach((l, i) => {
          if (unclosed && !bodyLines.has(i) && !frontMatterLines.has(i)) return;
          const fm = lineHas(tokens[i]!, "meta.front-matter.hotmess-prompt");
          assert.equal(fm, frontMatterLines.has(i), `front matter on line ${i + 1}: ${l}`);
          const role = (tokens[i]![0]?.scopes ?? []).some((s) => s.startsWith("keyword.control.role."));
          assert.equal(role, bodyLines.has(i) && ROLE_LINE.test(l), `role on line ${i + 1}: ${l}`);
        });
        // tool calls: as many call keywords in each prompt as the parser read calls
        for (const p of prompts) {
          const keywords = tokens.slice(p.range.start.line, p.range.end.line + 1).flat().filter((t) => t.scopes.includes("keyword.control.call.hotmess-prompt"));
          const calls = (p.conversation?.messages ?? []).flatMap((m) => m.content).filter((b) => b.type === "tool_call");
          assert.equal(keywords.length, calls.length, `prompt ${p.index + 1}: ${keywords.length} call keywords, ${calls.length} calls parsed`);
          assert.deepEqual(keywords.map((k) => tokens[k.line]!.find((t) => t.start > k.start && t.scopes.includes("entity.name.function.tool.hotmess-prompt"))?.text), calls.map((c) => (c.type === "tool_call" ? c.name : "")));
        }
        // variables: every one the parser reports unresolved (none of these is defined)…
        const variables = tokens.flat().filter((t) => t.scopes.includes("variable.other.template.hotmess-prompt"));
        const vars = new Set(prompts.flatMap((p) => Object.keys(p.settings.vars ?? {})));
        for (const u of prompts.flatMap((p) => p.unresolved)) {
          const t = variables.find((v) => v.line === u.range.start.line && v.start >= u.range.start.character && v.end <= u.range.end.character);
          assert.ok(t, `{{${u.name}}} at ${u.range.start.line + 1}:${u.range.start.character + 1} is not coloured as a variable`);
        }
        // …and every coloured one is a variable in a body: unresolved, or defined in vars
        for (const v of variables) {
          assert.ok(bodyLines.has(v.line), `line ${v.line + 1}: {{${v.text}}} outside a body`);
          const listed = prompts.some((p) => p.unresolved.some((u) => u.range.start.line === v.line && u.range.start.character < v.start && u.range.end.character > v.end));
          assert.ok(listed || vars.has(v.text), `line ${v.line + 1}: {{${v.text}}} is coloured but the parser does not see it`);
        }
      });
    }

    test("front matter: known keys, YAML, comments", () => {
      const t = tok(readFileSync(path.join(HERE, "fixtures", "front-matter.prompt.md"), "utf8"));
      expectScope(t, 0, "---", "punctuation.definition.front-matter.begin.hotmess-prompt");
      expectScope(t, 1, "# every key", "comment");
      for (const [i, key] of ["n", "provider", "model", "reference", "temperature", "thinking", "thinking_budget", "max_tokens", "id", "vars"].entries()) {
        expectScope(t, i + 2, key, "keyword.other.key.hotmess-prompt");
        expectScope(t, i + 2, key, "meta.embedded.block.yaml");
      }
      expectScope(t, 13, "n", "keyword.other.key.hotmess-prompt", { not: true }); // "  n: 3" under vars: is a variable
      expectScope(t, 14, "colour", "keyword.other.key.hotmess-prompt", { not: true });
      expectScope(t, 14, "colour", "entity.name.tag.yaml"); // unknown keys are plain YAML keys
      expectScope(t, 2, "30", "constant.numeric");
      expectScope(t, 15, "---", "punctuation.definition.front-matter.end.hotmess-prompt");
      expectScope(t, 15, "---", "meta.embedded.block.yaml", { not: true });
      expectScope(t, 16, "eggs, ", "meta.embedded.block.markdown");
      expectScope(t, 16, "eggs, ", "meta.front-matter.hotmess-prompt", { not: true });
      // after a separator and blank lines
      expectScope(t, 20, "---", "punctuation.definition.front-matter.begin.hotmess-prompt");
      expectScope(t, 21, "vars", "keyword.other.key.hotmess-prompt");
      expectScope(t, 22, "---", "punctuation.definition.front-matter.end.hotmess-prompt");
      // a later --- is Markdown
      expectScope(t, 23, "---", "meta.front-matter.hotmess-prompt", { not: true });
      expectScope(t, 23, "---", "meta.embedded.block.markdown");
      // empty front matter
      expectScope(t, 26, "---", "punctuation.definition.front-matter.begin.hotmess-prompt");
      expectScope(t, 27, "---", "punctuation.definition.front-matter.end.hotmess-prompt");
      expectScope(t, 28, "user", "keyword.control.role.user.hotmess-prompt");
    });

    test("the example of promptfile.ts: n key, roles, {{eggs}}, separators", () => {
      const t = tok(readFileSync(path.join(HERE, "fixtures", "basic.prompt"), "utf8"));
      expectScope(t, 1, "n", "keyword.other.key.hotmess-prompt");
      expectScope(t, 6, "system", "keyword.control.role.system.hotmess-prompt");
      expectScope(t, 6, ":", "punctuation.separator.role.hotmess-prompt");
      expectScope(t, 7, "You are", "meta.embedded.block.markdown");
      expectScope(t, 8, "user", "keyword.control.role.user.hotmess-prompt");
      expectScope(t, 8, "user:", "meta.embedded.block.markdown", { not: true });
      expectScope(t, 9, "{{", "punctuation.definition.template-expression.begin.hotmess-prompt");
      expectScope(t, 9, "eggs", "variable.other.template.hotmess-prompt");
      expectScope(t, 9, "}}", "punctuation.definition.template-expression.end.hotmess-prompt");
      expectScope(t, 9, "{{eggs}}", "meta.template.expression.hotmess-prompt");
      expectScope(t, 9, " eggs a day", "variable.other.template.hotmess-prompt", { not: true });
      expectScope(t, 11, "===", "meta.separator.hotmess-prompt");
      expectScope(t, 11, "===", "punctuation.separator.prompt.hotmess-prompt");
      expectScope(t, 11, "===", "meta.prompt.hotmess-prompt", { not: true });
      // Markdown in the body, with variables in headings, bold, code spans and code blocks
      expectScope(t, 12, "Two numbers", "markup.heading.markdown");
      expectScope(t, 12, "a", "variable.other.template.hotmess-prompt", { from: 17 });
      expectScope(t, 12, " b ", "meta.template.expression.hotmess-prompt");
      expectScope(t, 12, "b", "variable.other.template.hotmess-prompt", { from: 25 });
      expectScope(t, 13, "{{a}}", "markup.bold.markdown");
      expectScope(t, 13, "a", "variable.other.template.hotmess-prompt", { from: 6 });
      expectScope(t, 13, "`{{b}}`", "markup.inline.raw.string.markdown");
      expectScope(t, 13, "b", "variable.other.template.hotmess-prompt", { from: 19 });
      expectScope(t, 15, "```", "markup.fenced_code.block.markdown");
      expectScope(t, 16, "a", "variable.other.template.hotmess-prompt", { from: 8 });
      expectScope(t, 16, "{{a}}", "markup.fenced_code.block.markdown");
      expectScope(t, 17, "```", "markup.fenced_code.block.markdown");
      // comments, sent as written
      expectScope(t, 18, "<!--", "punctuation.definition.comment.begin.hotmess-prompt");
      expectScope(t, 18, " a note", "comment.block.hotmess-prompt");
      expectScope(t, 18, "-->", "punctuation.definition.comment.end.hotmess-prompt");
      expectScope(t, 20, "===", "meta.separator.hotmess-prompt");
      expectScope(t, 22, "system", "keyword.control.role.system.hotmess-prompt");
      expectScope(t, 22, "Answer", "meta.embedded.block.markdown");
      expectScope(t, 23, "user", "keyword.control.role.user.hotmess-prompt");
      expectScope(t, 23, " 42 ", "comment.block.hotmess-prompt");
    });

    test("a conversation: assistant and tool roles, call lines with their tool, id and JSON arguments", () => {
      const t = tok(readFileSync(path.join(HERE, "fixtures", "conversation.prompt.md"), "utf8"));
      expectScope(t, 1, "tools", "keyword.other.key.hotmess-prompt");
      expectScope(t, 8, "assistant", "keyword.control.role.assistant.hotmess-prompt");
      expectScope(t, 8, ":", "punctuation.separator.role.hotmess-prompt");
      expectScope(t, 9, "Let me look it up.", "meta.embedded.block.markdown");
      expectScope(t, 9, "Let me look it up.", "meta.call.hotmess-prompt", { not: true });
      expectScope(t, 10, "call", "keyword.control.call.hotmess-prompt");
      expectScope(t, 10, "get_reservation_details", "entity.name.function.tool.hotmess-prompt");
      expectScope(t, 10, "call get_reservation_details", "meta.embedded.block.markdown", { not: true });
      expectScope(t, 10, '"reservation_id"', "string.quoted.double.hotmess-prompt");
      expectScope(t, 10, "code", "variable.other.template.hotmess-prompt"); // filled in inside the JSON's strings too
      expectScope(t, 10, "true", "constant.language.hotmess-prompt");
      expectScope(t, 10, "2", "constant.numeric.hotmess-prompt", { from: 85 });
      expectScope(t, 10, '\\"', "constant.character.escape.hotmess-prompt");
      expectScope(t, 10, "why", "variable.other.template.hotmess-prompt");
      expectScope(t, 11, "tool", "keyword.control.role.tool.hotmess-prompt");
      expectScope(t, 11, "get_reservation_details", "entity.name.function.tool.hotmess-prompt");
      expectScope(t, 12, '"EHGLP3"', "meta.embedded.block.markdown");
      expectScope(t, 12, '"EHGLP3"', "string.quoted.double.hotmess-prompt", { not: true }); // a result is text
      // a call on the role line, with an id, its JSON over the indented lines after it
      expectScope(t, 13, "assistant", "keyword.control.role.assistant.hotmess-prompt");
      expectScope(t, 13, "call", "keyword.control.call.hotmess-prompt");
      expectScope(t, 13, "cancel_reservation", "entity.name.function.tool.hotmess-prompt");
      expectScope(t, 13, "toolu_01", "constant.other.call-id.hotmess-prompt");
      expectScope(t, 14, '"EHGLP3"', "string.quoted.double.hotmess-prompt");
      expectScope(t, 15, "null", "constant.language.hotmess-prompt");
      expectScope(t, 16, "}", "meta.arguments.hotmess-prompt");
      // not a call: its shape, or not in an assistant turn
      expectScope(t, 17, "call me later", "keyword.control.call.hotmess-prompt", { not: true });
      expectScope(t, 17, "call me later", "meta.embedded.block.markdown");
      expectScope(t, 21, "call", "keyword.control.call.hotmess-prompt", { not: true });
      expectScope(t, 18, "error", "keyword.other.error.hotmess-prompt");
      expectScope(t, 18, "error", "entity.name.function.tool.hotmess-prompt", { not: true });
      expectScope(t, 23, "list_all_airports", "entity.name.function.tool.hotmess-prompt"); // call NAME alone
      expectScope(t, 24, "list_all_airports", "entity.name.function.tool.hotmess-prompt");
      expectScope(t, 24, "error", "keyword.other.error.hotmess-prompt");
      expectScope(t, 26, "user", "keyword.control.role.user.hotmess-prompt");
      expectScope(t, 32, "toolbox", "keyword.control.role", { not: true });
      expectScope(t, 32, "tool a b", "keyword.control.role", { not: true });
      // the parser's reading of a tool header: `tool error error:` is the tool error, an error result
      const e = tok("user: hi\nassistant:\ncall error {}\ntool error error:\nboom\nassistant:  call x {}\nuser: ok");
      expectScope(e, 3, "error", "entity.name.function.tool.hotmess-prompt");
      expectScope(e, 3, "error", "keyword.other.error.hotmess-prompt", { from: 10 });
      expectScope(e, 5, "call", "keyword.control.call.hotmess-prompt", { not: true }); // two spaces after the colon: text, as for the parser
      expectScope(e, 6, "user", "keyword.control.role.user.hotmess-prompt");
    });

    test("the parser's line-by-line rules win over Markdown blocks", () => {
      const t = tok(readFileSync(path.join(HERE, "fixtures", "edge-cases.prompt"), "utf8"));
      expectScope(t, 0, "question", "variable.other.template.hotmess-prompt");
      expectScope(t, 2, "a code fence", "markup.fenced_code.block.markdown");
      expectScope(t, 3, "system", "keyword.control.role.system.hotmess-prompt"); // ends the open fence
      expectScope(t, 4, "The line above", "markup.fenced_code.block.markdown", { not: true });
      expectScope(t, 5, "a comment", "comment.block.hotmess-prompt");
      expectScope(t, 6, "user", "keyword.control.role.user.hotmess-prompt"); // ends the open comment
      expectScope(t, 7, "and this", "comment.block.hotmess-prompt", { not: true });
      expectScope(t, 8, "user", "keyword.control.role", { not: true });
      expectScope(t, 9, "users", "keyword.control.role", { not: true });
      expectScope(t, 10, "User", "keyword.control.role", { not: true });
      expectScope(t, 11, "user", "keyword.control.role.user.hotmess-prompt");
      expectScope(t, 11, "without", "meta.embedded.block.markdown");
      expectScope(t, 12, "{{ not a variable }}", "meta.template.expression.hotmess-prompt", { not: true });
      expectScope(t, 12, "{{1x}}", "meta.template.expression.hotmess-prompt", { not: true });
      expectScope(t, 12, "{x}", "meta.template.expression.hotmess-prompt", { not: true });
      expectScope(t, 12, "ok_1.b-c", "variable.other.template.hotmess-prompt");
      expectScope(t, 12, "escaped", "variable.other.template.hotmess-prompt");
      expectScope(t, 12, "in_code", "variable.other.template.hotmess-prompt");
      expectScope(t, 12, "b", "variable.other.template.hotmess-prompt", { from: t[12]!.map((x) => x.text).join("").indexOf("``a`") });
      expectScope(t, 13, "===", "meta.separator.hotmess-prompt");
      expectScope(t, 15, "a fence", "markup.fenced_code.block.markdown");
      expectScope(t, 16, "===", "meta.separator.hotmess-prompt"); // inside an open fence
      expectScope(t, 17, "This prompt", "markup.fenced_code.block.markdown", { not: true });
      expectScope(t, 17, "after", "variable.other.template.hotmess-prompt");
      expectScope(t, 18, "===", "meta.separator.hotmess-prompt");
      expectScope(t, 19, "---", "meta.front-matter.hotmess-prompt", { not: true });
      expectScope(t, 23, "---", "punctuation.definition.front-matter.begin.hotmess-prompt");
      expectScope(t, 24, "n", "keyword.other.key.hotmess-prompt");
      expectScope(t, 26, "====", "meta.separator.hotmess-prompt");
      expectScope(t, 27, "the separator", "meta.front-matter.hotmess-prompt", { not: true });
      expectScope(t, 27, "==== inside", "meta.separator.hotmess-prompt", { not: true });
    });

    test("a file that starts with a separator, or with blank lines", () => {
      const t = tok("===\nuser: {{x}}\n\n\n---\nn: 1\n---\n");
      expectScope(t, 0, "===", "meta.separator.hotmess-prompt");
      expectScope(t, 1, "user", "keyword.control.role.user.hotmess-prompt");
      expectScope(t, 1, "x", "variable.other.template.hotmess-prompt");
      // blank lines inside a message do not end it: --- here is Markdown
      expectScope(t, 4, "---", "meta.front-matter.hotmess-prompt", { not: true });
      const u = tok("\n\n---\nn: 1\n---\nhi");
      expectScope(u, 2, "---", "punctuation.definition.front-matter.begin.hotmess-prompt");
      expectScope(u, 3, "n", "keyword.other.key.hotmess-prompt");
      expectScope(u, 5, "hi", "meta.embedded.block.markdown");
    });
  });
}
