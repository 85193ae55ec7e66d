#!/usr/bin/env node
// `npm run package`: the extension's .vsix at out/hot-mess-inspector.vsix (scripts/e2e.sh, the
// e2e tests and the README use this path). vsce writes --out but does not make its folder, so on
// a clean clone it failed with ENOENT; this makes out/ first. vsce runs `vscode:prepublish` (the
// production build); --no-dependencies because the bundles carry everything they need. Extra
// arguments go to vsce.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join("out", "hot-mess-inspector.vsix");
mkdirSync(join(root, "out"), { recursive: true });
const vsce = createRequire(import.meta.url).resolve("@vscode/vsce/vsce");
const r = spawnSync(process.execPath, [vsce, "package", "--no-dependencies", "--out", out, ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);
