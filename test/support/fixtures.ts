// The shared fixtures (../shared/fixtures, read-only, never copied into the repository): where a
// file of them is, and the skip reason the tests that need it give when the folder is absent.
import { existsSync } from "node:fs";
import path from "node:path";

/**
 * The path of `shared/fixtures/<rel>`: shared/ beside the repository, inside it, or beside or in
 * the working directory; null when it is in none of them.
 */
export function sharedFixture(...rel: string[]): string | null {
  const REL = path.join("shared", "fixtures", ...rel);
  const root = path.join(__dirname, "..", "..");
  const candidates = [path.join(root, "..", REL), path.join(root, REL), path.join(process.cwd(), "..", REL), path.join(process.cwd(), REL)];
  for (const c of candidates) if (existsSync(c)) return path.resolve(c);
  return null;
}

/** The `skip` option of a test that needs `file` (saying so once when it is missing). */
export function skipWithout(file: string | null): string | false {
  if (file !== null) return false;
  console.log("skipped: no shared fixtures");
  return "skipped: no shared fixtures";
}
