import { once } from "node:events";
import { PassThrough, Writable } from "node:stream";
import { finished } from "node:stream/promises";

/**
 * How a tool run inside the service reaches the terminal that asked for it: one HTTP response
 * body carrying stdout, stderr and the exit code as frames (1 byte channel, 4 bytes length,
 * the bytes). Bytes pass unchanged, in order, with backpressure both ways: a pipe that reads
 * slowly slows the service's writes, and nothing is lost.
 */
const OUT = 1;
const ERR = 2;
const EXIT = 3;
const HEADER = 5;

export const TOOL_STREAM_TYPE = "application/x-ccm-tool-stream";

const frame = (channel: number, payload: Buffer) => {
  const header = Buffer.alloc(HEADER);
  header.writeUInt8(channel, 0);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
};

/** A stream a tool writes to (out or err), framed into `body`; `isTTY` tells progress bars how to draw. */
const channelWriter = (body: PassThrough, channel: number, isTTY: boolean) => {
  const writer = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (body.destroyed) return done(new Error("the client went away"));
      if (body.write(frame(channel, chunk))) return done();
      once(body, "drain").then(() => done(), done);
    },
  });
  // A client gone away fails the tool's next write (the tool then stops); it is no crash.
  writer.on("error", () => undefined);
  return Object.assign(writer, { isTTY });
};

/** The service side: the tool's out and err, and `finish(code)` that ends the body with the exit code. */
export const createToolFrames = (options: { tty: boolean }) => {
  const body = new PassThrough();
  const out = channelWriter(body, OUT, false);
  const err = channelWriter(body, ERR, options.tty);
  const flushed = (stream: Writable) => finished(stream.end()).catch(() => undefined);
  return {
    body,
    out,
    err,
    finish: async (code: number) => {
      await Promise.all([flushed(out), flushed(err)]);
      if (!body.destroyed) body.end(frame(EXIT, Buffer.from(String(code))));
    },
  };
};

const writeTo = async (stream: NodeJS.WritableStream, bytes: Buffer) => {
  if (!stream.write(bytes)) await once(stream, "drain");
};

/**
 * The terminal side: writes each frame to `out` or `err` (waiting for a slow reader) and
 * returns the exit code, or null when the body ended before it (the service went away).
 */
export const readToolFrames = async (
  body: AsyncIterable<Uint8Array>,
  io: { out: NodeJS.WritableStream; err: NodeJS.WritableStream },
): Promise<number | null> => {
  let pending = Buffer.alloc(0);
  for await (const chunk of body) {
    pending = pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([pending, chunk]);
    while (pending.length >= HEADER) {
      const length = pending.readUInt32BE(1);
      if (pending.length < HEADER + length) break;
      const channel = pending.readUInt8(0);
      const payload = pending.subarray(HEADER, HEADER + length);
      pending = pending.subarray(HEADER + length);
      if (channel === EXIT) return Number(payload.toString());
      await writeTo(channel === OUT ? io.out : io.err, payload);
    }
  }
  return null;
};
