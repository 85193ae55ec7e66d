// `npm run package` on a clean copy of the repository (no out/, no dist/): it must make the .vsix
// at out/hot-mess-inspector.vsix, where scripts/e2e.sh and the README expect it. The copy's path
// has a space and a % in it (a URL's pathname keeps them escaped: the script once made out/ in a
// folder named with %20 and ran vsce there).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const ROOT = join(__dirname, "..");

test("npm run package works on a clean copy: out/ is made, the .vsix is written", { timeout: 180_000 }, () => {
  // the files git knows (committed or not, not ignored): what a clone would have, with this work in it
  const files = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" })
    .stdout.split("\0")
    .filter((f) => f && existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).isFile());
  assert.ok(files.includes("package.json"), "git lists the repository's files");
  const copy = mkdtempSync(join(tmpdir(), "hotmess package 100%-"));
  try {
    for (const f of files) {
      mkdirSync(dirname(join(copy, f)), { recursive: true });
      copyFileSync(join(ROOT, f), join(copy, f));
    }
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"));
    assert.ok(!existsSync(join(copy, "out")) && !existsSync(join(copy, "dist")), "a clean copy has neither out/ nor dist/");
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const r = spawnSync(npm, ["run", "package"], { cwd: copy, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
    assert.equal(r.status, 0, `npm run package failed:\n${r.stdout}\n${r.stderr}`);
    const vsix = join(copy, "out", "hot-mess-inspector.vsix");
    assert.ok(existsSync(vsix), "out/hot-mess-inspector.vsix");
    assert.equal(readFileSync(vsix).subarray(0, 2).toString("latin1"), "PK", "a .vsix is a zip");
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});
