/**
 * A progress line for long jobs: a bar with rate and ETA redrawn in place on a terminal, plain
 * lines (at most every `plainEveryMs`) when the output is a file or a pipe.
 */
export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

const formatDuration = (seconds: number): string => {
  if (!Number.isFinite(seconds)) return "--:--";
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  return `${minutes}:${String(whole % 60).padStart(2, "0")}`;
};

export const createProgress = (out: ProgressOutput, label: string, options: { plainEveryMs?: number; now?: () => number } = {}) => {
  const now = options.now ?? Date.now;
  const started = now();
  const plainEveryMs = options.plainEveryMs ?? 2000;
  let lastPlain = 0;
  let drawn = false;

  const line = (done: number, total: number) => {
    const seconds = Math.max((now() - started) / 1000, 1e-3);
    const rate = done / seconds;
    const shownTotal = Math.max(total, done);
    const fraction = shownTotal === 0 ? 1 : done / shownTotal;
    const eta = rate > 0 ? (shownTotal - done) / rate : Number.POSITIVE_INFINITY;
    return { fraction, text: `${label} ${done}/${shownTotal} (${Math.floor(fraction * 100)}%) ${Math.round(rate)} ev/s ETA ${formatDuration(eta)}` };
  };

  return {
    update(done: number, total: number) {
      const { fraction, text } = line(done, total);
      if (out.isTTY) {
        const width = 24;
        const filled = Math.round(fraction * width);
        out.write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${text}\u001b[K`);
        drawn = true;
        return;
      }
      if (now() - lastPlain >= plainEveryMs) {
        lastPlain = now();
        out.write(`${text}\n`);
      }
    },
    finish(message: string) {
      out.write(`${drawn ? "\r\u001b[K" : ""}${message}\n`);
    },
  };
};
