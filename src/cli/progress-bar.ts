/** A progress bar on a terminal (stderr), silent for scripts and pipes. */
import { createRequire } from 'node:module';

// Loaded only for a terminal: scripts, pipes and the benchmark do not pay its ~20 ms of start-up.
const loadCommonJs = createRequire(import.meta.url);

export interface Progress {
  update(done: number, total: number, rate?: { label: string; value: number }): void;
  /** Names what the work is doing now, e.g. "writing parquet". */
  phase(text: string): void;
  stop(): void;
}

export function createProgress(label: string, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, phase: () => {}, stop: () => {} };
  const cliProgress = loadCommonJs('cli-progress') as typeof import('cli-progress');
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {value}/{total} {unit} | {rate}{phase}`,
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let phase = '';
  let rateText = '';
  return {
    update(done, total, rate) {
      if (rate) rateText = `${Math.round(rate.value).toLocaleString('en-US')} ${rate.label}`;
      const payload = { unit: 'objects', rate: rateText, phase };
      if (!started) {
        bar.start(total, done, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, payload);
      }
    },
    phase(text) {
      phase = ` | ${text}`;
      if (started) bar.update({ phase });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
