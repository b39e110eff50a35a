/**
 * The resolved configuration the rest of eventlake reads: every default filled, every duration
 * in milliseconds. Apart from the schema (eventlake-config.ts), so the embedded defaults
 * (config-defaults.ts) can be typed without loading it.
 */
import type { CallbackSubscription } from '../orchestration/callbacks/callback-event.js';
import type { FormatName } from '../formats/lake-format.js';
import type { SourceLayout } from '../pipeline/source-object-name.js';

/** What to do when objects arrive for an hour that has already run. */
export const LATE_DATA_ACTIONS = ['rerun', 'alert', 'ignore'] as const;
export type LateDataAction = (typeof LATE_DATA_ACTIONS)[number];

export interface EventlakeConfig {
  readonly source: {
    /** Absolute once loaded. */
    readonly path: string;
    readonly layout: SourceLayout;
    /** IANA zone the source's hours are named in. */
    readonly timezone: string;
  };
  readonly lake: {
    /** Absolute once loaded. */
    readonly path: string;
    readonly format: FormatName;
    /** Unset: the format's own default codec. */
    readonly codec?: string;
    readonly targetFileMb: number;
  };
  /** The state folder (run records, leases); absolute once loaded. */
  readonly state: string;
  readonly workers: number;
  readonly schedule: {
    readonly cron: string;
    /** How long after an hour ends its run starts, so late writers can finish. */
    readonly delayMs: number;
    readonly catchup: boolean;
    /** The first hour to catch up from, as `YYYY-MM-DDTHH`; set whenever catchup is. */
    readonly start?: string;
    readonly maxActiveRuns: number;
    readonly tickMs: number;
  };
  readonly retries: {
    readonly count: number;
    readonly delayMs: number;
    readonly maxDelayMs: number;
    readonly visibilityTimeoutMs: number;
  };
  readonly deadlines: {
    /** null: no deadline. */
    readonly afterHourEndMs: number | null;
    readonly maxRunDurationMs: number | null;
  };
  readonly lateData: {
    readonly action: LateDataAction;
    readonly lookBackMs: number;
    readonly checkEveryMs: number;
    /** Only hours this close to the newest hour run are looked at. */
    readonly windowMs: number;
  };
  readonly quality: {
    readonly maxQuarantinedShare: number;
  };
  /** The cloud runtime (runs recorded in the lake, tasks on SQS). */
  readonly cloud: {
    /** A cloud run still queued this long after its fan-out is marked failed; null: never. */
    readonly staleRunAfterMs: number | null;
  };
  readonly retention: {
    /** Finished runs older than this lose their manifest and queue messages; null: kept forever. */
    readonly finishedRunsMs: number | null;
  };
  readonly callbacks: readonly CallbackSubscription[];
  /** The web UI and JSON API of `eventlake up` and `serve`. */
  readonly server: {
    readonly host: string;
    /** 0: any free port (the URL printed says which). */
    readonly port: number;
  };
}
