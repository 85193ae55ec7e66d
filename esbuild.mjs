// One build script, one bundle per runtime (ARCHITECTURE.md). Entries that do not exist yet
// are skipped, so the script grows with the project. `--watch` rebuilds on change.
import { build, context } from "esbuild";
import { existsSync, chmodSync } from "node:fs";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");

/** @type {import('esbuild').BuildOptions[]} */
const bundles = [
  {
    entryPoints: ["src/cli/main.ts"],
    outfile: "dist/cli.js",
    platform: "node",
    format: "cjs",
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
  },
  {
    entryPoints: ["src/extension/extension.ts"],
    outfile: "dist/extension.js",
    platform: "node",
    format: "cjs",
    target: "node20",
    // dist/heavy.js (the SDKs, the language client) is required on first use, not bundled here
    external: ["vscode", "./heavy"],
  },
  {
    entryPoints: ["src/extension/heavy.ts"],
    outfile: "dist/heavy.js",
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode"],
  },
  {
    entryPoints: ["src/server/server.ts"],
    outfile: "dist/server.js",
    platform: "node",
    format: "cjs",
    target: "node20",
  },
  {
    entryPoints: ["webview/main.ts"],
    outfile: "dist/webview.js",
    platform: "browser",
    format: "iife",
    target: "es2022",
    // Inlined into every HTML report: always minified (the source map keeps it debuggable).
    // The imported stylesheet comes out beside it as dist/webview.css.
    minify: true,
  },
];

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: "warning" };
const present = bundles.filter((b) => existsSync(/** @type {string[]} */ (b.entryPoints)[0]));
if (watch) {
  for (const b of present) await (await context({ ...common, ...b })).watch();
  console.log(`watching ${present.length} bundle(s)`);
} else {
  await Promise.all(present.map((b) => build({ ...common, ...b })));
  if (existsSync("dist/cli.js")) chmodSync("dist/cli.js", 0o755);
}
