#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner (Node 20 has no --test globs).
// Extra arguments are passed to the runner, e.g. `npm test -- --test-name-pattern=brier`.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
function find(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "e2e" && entry.name !== "integration") out.push(...find(p));
    } else if (entry.name.endsWith(".test.ts")) out.push(relative(root, p));
  }
  return out.sort();
}
const files = find(join(root, "test"));
const reporter = process.stdout.isTTY ? "spec" : "tap";
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", `--test-reporter=${reporter}`, ...process.argv.slice(2), ...files], {
  cwd: root,
  stdio: "inherit",
});
process.exit(r.status ?? 1);
