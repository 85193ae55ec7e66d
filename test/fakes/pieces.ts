// A results file as the batch APIs send it, for the fakes of both (anthropic-batches.ts,
// openai-batches.ts): the lines made only as they are reached (a 30k-request file is never held
// whole), written in pieces of `chunkBytes` cut anywhere (mid-line, mid-character), `chunkDelayMs`
// apart, honouring backpressure. Returns how many pieces were written (null: the client left).
import type { ServerResponse } from "node:http";

export async function writeInPieces(res: ServerResponse, lines: Iterable<string>, opts: { chunkBytes?: number; chunkDelayMs?: number }): Promise<number | null> {
  const size = opts.chunkBytes ?? 64 * 1024;
  let pending = Buffer.alloc(0);
  let count = 0;
  const write = async (buf: Buffer) => {
    count++;
    if (opts.chunkDelayMs) await new Promise((r) => setTimeout(r, opts.chunkDelayMs));
    if (res.destroyed) throw new Error("closed");
    if (!res.write(buf)) await new Promise<void>((r) => res.once("drain", () => r()));
  };
  try {
    for (const line of lines) {
      pending = Buffer.concat([pending, Buffer.from(line)]);
      while (pending.length >= size) {
        await write(pending.subarray(0, size));
        pending = pending.subarray(size);
      }
    }
    if (pending.length > 0) await write(pending);
    res.end();
    return count;
  } catch {
    res.destroy();
    return null;
  }
}
