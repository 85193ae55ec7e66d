// Redaction (src/core/redact.ts): what every output passes through.
import { test } from "node:test";
import assert from "node:assert/strict";
import { redactDeep, redactor, redactSecrets } from "../src/core/redact";

test("a URL's user name and password become [redacted], wherever the URL is quoted", () => {
  assert.equal(redactSecrets("fetch https://me:hunter2-pw@proxy.example.com/v1 failed"), "fetch https://[redacted]@proxy.example.com/v1 failed");
  assert.equal(redactSecrets("git+ssh://deploy@host/repo, HTTP://A:B@h"), "git+ssh://[redacted]@host/repo, HTTP://[redacted]@h");
  assert.deepEqual(redactDeep({ url: "http://u:p@127.0.0.1:4000" }), { url: "http://[redacted]@127.0.0.1:4000" });
  // an @ after the host, a URL without credentials and an e-mail address stay
  assert.equal(redactSecrets("https://example.com/@user and http://localhost:11434/v1 and me@example.com"), "https://example.com/@user and http://localhost:11434/v1 and me@example.com");
});

test("Redactor.shared: the value itself when nothing is redacted; else a copy of what changes, the rest shared, the input untouched", () => {
  const r = redactor(["sk-test-secret-12345"]);
  const clean = { prompts: [{ id: "a", runs: [{ steps: [{ text: "2 + 2 = 4" }] }] }], pooled: { n: 3 } };
  assert.equal(r.shared(clean), clean);
  const dirty = { prompts: [clean.prompts[0]!, { id: "b", runs: [{ steps: [{ text: "key sk-test-secret-12345 here" }] }] }], pooled: clean.pooled };
  const out = r.shared(dirty);
  assert.notEqual(out, dirty);
  assert.equal(out.prompts[0], dirty.prompts[0], "an unchanged prompt is the same object");
  assert.equal(out.pooled, dirty.pooled);
  assert.equal(out.prompts[1]!.runs[0]!.steps[0]!.text, "key [redacted] here");
  assert.equal(dirty.prompts[1]!.runs[0]!.steps[0]!.text, "key sk-test-secret-12345 here", "the input is not changed");
  assert.deepEqual(out, r.deep(dirty), "the same result as the deep copy");
});
