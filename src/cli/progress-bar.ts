/** A progress bar on a terminal (stderr), silent for scripts and pipes. */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total: number, rate?: { label: string; value: number }): void;
  stop(): void;
}

export function createProgress(label: string, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {value}/{total} {unit} | {rate}`,
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, rate) {
      const payload = { unit: 'objects', rate: rate ? `${Math.round(rate.value).toLocaleString('en-US')} ${rate.label}` : '' };
      if (!started) {
        bar.start(total, done, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
