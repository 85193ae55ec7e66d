// Makes `require("vscode")` resolve to the stand-in (test/stubs/vscode.ts). Import this module
// before any module of src/extension: the test files are compiled to CommonJS by tsx, so imports
// run in order. Classes the stand-in does not define (the language client extends many of
// VS Code's) are empty classes, so modules that only declare them still load.
import Module from "node:module";

const stub = require.resolve("./vscode");
type Resolve = (request: string, ...rest: unknown[]) => string;
const mod = Module as unknown as { _resolveFilename: Resolve };
const original = mod._resolveFilename;
mod._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  return request === "vscode" ? stub : original.call(this, request, ...rest);
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const exports = require("./vscode") as Record<string | symbol, unknown>;
const extra: Record<string, unknown> = {};
require.cache[stub]!.exports = new Proxy(exports, {
  get(target, name) {
    if (name in target) return target[name];
    if (typeof name === "string" && /^[A-Z]/.test(name)) return (extra[name] ??= class {});
    return undefined;
  },
});
