// Where the shared real fixtures are, for the benches: `../shared/fixtures/...` beside the
// repository (also through a symlinked checkout), or `shared/fixtures/...` in any folder above
// it or the working directory; HOTMESS_FIXTURES names the fixtures folder directly.
import { existsSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const GAME24_REL = join("shared", "fixtures", "game24-gpt4-cot", "traces.jsonl");

/** The Game-of-24 fixture's traces.jsonl, or null when it is not there. */
export function findGame24(): string | null {
  const env = process.env.HOTMESS_FIXTURES;
  const candidates = env ? [resolve(env, "game24-gpt4-cot", "traces.jsonl"), resolve(env, "traces.jsonl")] : [];
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  for (const root of new Set([repo, realpathSync(repo), process.cwd()]))
    for (let dir = root; ; dir = dirname(dir)) {
      candidates.push(join(dir, GAME24_REL));
      if (dirname(dir) === dir) break;
    }
  return candidates.find((p) => existsSync(p)) ?? null;
}
