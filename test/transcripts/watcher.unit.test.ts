import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { TranscriptScanner, ScanReport } from "../../src/transcripts/scanner.ts";
import { createTranscriptWatcher } from "../../src/transcripts/watcher.ts";

const report: ScanReport = { files: 0, filesRead: 0, bytesRead: 0, lines: 0, invalid: 0, removed: 0, skipped: 0, durationMs: 0 };

describe("transcript watcher", () => {
  it("scans at start, again when a transcript is written, and never two scans at once", async () => {
    const home = await mkdtemp(join(tmpdir(), "ccm-watch-"));
    await mkdir(join(home, "projects", "-w"), { recursive: true });
    let scans = 0;
    let active = 0;
    let overlapped = false;
    const scanner: TranscriptScanner = {
      scan: async () => {
        active++;
        overlapped ||= active > 1;
        scans++;
        await new Promise((resolve) => setTimeout(resolve, 30));
        active--;
        return report;
      },
    };
    const watcher = createTranscriptWatcher({ scanner, claudeConfigDir: home, logger: pino({ level: "silent" }), debounceMs: 20 });
    try {
      await watcher.start();
      expect(scans).toBe(1);
      await writeFile(join(home, "projects", "-w", "s.jsonl"), "{}\n");
      const deadline = Date.now() + 3000;
      while (scans < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(scans).toBeGreaterThanOrEqual(2);
      await Promise.all([watcher.runNow(), watcher.runNow(), watcher.runNow()]);
      expect(overlapped).toBe(false);
    } finally {
      await watcher.stop();
      await rm(home, { recursive: true, force: true });
    }
  });
});
