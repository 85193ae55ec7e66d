// Redaction (src/core/redact.ts): what every output passes through.
import { test } from "node:test";
import assert from "node:assert/strict";
import { redactDeep, redactSecrets } from "../src/core/redact";

test("a URL's user name and password become [redacted], wherever the URL is quoted", () => {
  assert.equal(redactSecrets("fetch https://me:hunter2-pw@proxy.example.com/v1 failed"), "fetch https://[redacted]@proxy.example.com/v1 failed");
  assert.equal(redactSecrets("git+ssh://deploy@host/repo, HTTP://A:B@h"), "git+ssh://[redacted]@host/repo, HTTP://[redacted]@h");
  assert.deepEqual(redactDeep({ url: "http://u:p@127.0.0.1:4000" }), { url: "http://[redacted]@127.0.0.1:4000" });
  // an @ after the host, a URL without credentials and an e-mail address stay
  assert.equal(redactSecrets("https://example.com/@user and http://localhost:11434/v1 and me@example.com"), "https://example.com/@user and http://localhost:11434/v1 and me@example.com");
});
