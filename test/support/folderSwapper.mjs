#!/usr/bin/env node
// The attacker of the confinement test, in a process of its own: swaps each given folder with
// a symlink that points outside the repositories folder, over and over, while jobs start.
//   argv[2]: JSON { pairs: [{ path, parked, link }], maxCycles, maxMs }
//   `path` starts as a real folder, `link` as the symlink; one cycle parks the folder, puts the
//   symlink at `path`, then puts both back. Steps go round the pairs, so each state lasts a
//   few renames (tens of µs). Node has no RENAME_EXCHANGE: `path` is briefly missing too.
// Bounded by maxCycles and maxMs; stops early when stdin ends (the test is done, or died).
// Prints `{"swapping":true}` once started and `{"cycles","errors"}` at the end, every pair
// back in its first state.
import { renameSync } from "node:fs";
import process from "node:process";
import { setTimeout } from "node:timers/promises";

const { pairs, maxCycles, maxMs } = JSON.parse(process.argv[2]);
const steps = [
  (pair) => renameSync(pair.path, pair.parked),
  (pair) => renameSync(pair.link, pair.path),
  (pair) => renameSync(pair.path, pair.link),
  (pair) => renameSync(pair.parked, pair.path),
];
let stopped = false;
process.stdin.on("end", () => (stopped = true));
process.stdin.resume();

let cycles = 0;
let errors = 0;
const deadline = Date.now() + maxMs;
process.stdout.write(`${JSON.stringify({ swapping: true })}\n`);
while (!stopped && cycles < maxCycles && Date.now() < deadline) {
  for (let batch = 0; batch < 100 && cycles < maxCycles; batch += 1, cycles += 1) {
    for (const step of steps) {
      for (const pair of pairs) {
        try {
          step(pair);
        } catch {
          errors += 1;
        }
      }
    }
  }
  // Lets stdin's end through, and leaves the runner some of a small machine's cores.
  await setTimeout(1);
}
process.stdout.write(`${JSON.stringify({ cycles, errors })}\n`);
