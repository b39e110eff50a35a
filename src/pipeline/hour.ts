/** The logical hour a run processes, as written in `--hour 2019-06-01T15`. */
export interface Hour {
  /** `YYYY-MM-DD` */
  readonly date: string;
  /** `HH`, zero-padded */
  readonly hour: string;
  /** `YYYY-MM-DDTHH`, the canonical label used in summaries and state. */
  readonly label: string;
}

const HOUR = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2})(?::00(?::00(?:\.0+)?)?)?Z?$/;

/** Parses an hour label, or returns undefined when it is not one (the caller names the flag). */
export function parseHour(text: string): Hour | undefined {
  const m = HOUR.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h] = m as unknown as [string, string, string, string, string];
  const t = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h)));
  // Reject calendar overflow (2019-02-30) and hour 24: the Date would have rolled over.
  if (t.getUTCFullYear() !== Number(y) || t.getUTCMonth() !== Number(mo) - 1 || t.getUTCDate() !== Number(d)) return undefined;
  if (t.getUTCHours() !== Number(h)) return undefined;
  return hourOf(t);
}

export function hourOf(t: Date): Hour {
  const iso = t.toISOString();
  const date = iso.slice(0, 10);
  const hour = iso.slice(11, 13);
  return { date, hour, label: `${date}T${hour}` };
}
