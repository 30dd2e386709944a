import { expect, it } from "vitest";
import { createProgress } from "../../src/cli/progress.ts";

it("draws a bar with rate and ETA in place on a terminal", () => {
  let clock = 0;
  const written: string[] = [];
  const progress = createProgress({ isTTY: true, write: (text) => written.push(text) }, "sessions:", { now: () => clock });
  clock = 2000;
  progress.update(500, 1000);
  expect(written.at(-1)).toMatch(/^\r\[#{12}-{12}\] sessions: 500\/1000 \(50%\) 250 ev\/s ETA 0:02/);
  progress.finish("done");
  expect(written.at(-1)).toBe("\r\u001b[Kdone\n");
});

it("prints plain lines, not too often, when the output is not a terminal", () => {
  let clock = 0;
  const written: string[] = [];
  const progress = createProgress({ write: (text) => written.push(text) }, "archive:", { now: () => clock, plainEveryMs: 1000 });
  clock = 1000;
  progress.update(100, 1000);
  clock = 1500;
  progress.update(150, 1000);
  clock = 2100;
  progress.update(210, 1000);
  expect(written).toEqual(["archive: 100/1000 (10%) 100 ev/s ETA 0:09\n", "archive: 210/1000 (21%) 100 ev/s ETA 0:08\n"]);
  expect(written.join("")).not.toContain("\r");
});
