// The heavy part of the extension (src/extension/heavy.ts), loaded on first use. Bundled, the
// require below stays a require (esbuild.mjs marks "./heavy" external) and finds dist/heavy.js
// beside dist/extension.js; run from source, it finds the module itself.
type Heavy = typeof import("./heavy");
let loaded: Heavy | null = null;

export function heavy(): Heavy {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require("./heavy") as Heavy;
  return loaded;
}
