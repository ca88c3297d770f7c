/**
 * Live progress for the CLI (ours): on a terminal one line rewritten in place; elsewhere a plain
 * line at most every 10 % (and at the end), so logs stay readable.
 */
export interface ProgressSink {
  update(done: number, total: number, text?: string): void;
  /** Clears the live line (TTY) before the report is printed. */
  end(): void;
}

export function progressLine(write: (s: string) => void, isTTY: boolean, label: string): ProgressSink {
  let lastBucket = -1;
  let lastDraw = 0;
  let drawn = false;
  return {
    update(done, total, text) {
      const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
      const line = `${label} ${done}/${total} (${pct}%)${text ? ` · ${text}` : ""}`;
      if (isTTY) {
        const now = Date.now();
        if (done < total && now - lastDraw < 50) return;
        lastDraw = now;
        write(`\r\x1b[2K${line}`);
        drawn = true;
        return;
      }
      const bucket = Math.floor(pct / 10);
      if (bucket > lastBucket) {
        lastBucket = bucket;
        write(line + "\n");
      }
    },
    end() {
      if (isTTY && drawn) write("\r\x1b[2K");
    },
  };
}
