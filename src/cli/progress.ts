/** Progress bars for long commands: on stderr, and only when stderr is a terminal. */
import cliProgress from 'cli-progress';

/** What a long command reports as it goes; every method is a no-op when no bar is shown. */
export interface Progress {
  /** Sets the expected total, once it is known (0 = unknown). */
  total(n: number): void;
  /** Adds `n` done items. */
  add(n: number): void;
  /** Removes the bar. */
  stop(): void;
}

const NONE: Progress = { total() {}, add() {}, stop() {} };

/** A bar labelled `label`, or a silent stand-in when stderr is not a TTY or `enabled` is false. */
export function progress(label: string, enabled = true): Progress {
  if (!enabled || !process.stderr.isTTY) return NONE;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} {bar} {value}/{total} | {rate}/s | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let done = 0;
  let total = 0;
  let shown = false;
  // Drawn at the first count, so a total found by counting first is there from the start.
  const show = () => {
    if (!shown) bar.start(total, 0, { rate: '0' });
    shown = true;
  };
  const rate = () => String(Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)));
  return {
    total(n) {
      total = n;
      if (shown) bar.setTotal(n);
    },
    add(n) {
      show();
      done += n;
      bar.update(done, { rate: rate() });
    },
    stop() {
      if (shown) bar.stop();
    },
  };
}
