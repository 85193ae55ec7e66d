// What a test reads back of the CLI's output: a stream that keeps everything written to it.
import { Writable } from "node:stream";

export class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}
