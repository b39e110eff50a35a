/** Runs an hour in the test's own process (so coverage sees it), the way `eventlake run` does. */
import { Orchestrator, type OrchestratorSettings } from '../../src/app/orchestrator.js';
import { runHour, type RunReport } from '../../src/app/run-hour.js';
import type { FormatName } from '../../src/formats/lake-format.js';
import { loadLakeFormat } from '../../src/formats/lake-formats.js';
import type { Hour } from '../../src/pipeline/hour.js';
import { MAX_LINE_BYTES } from '../../src/pipeline/line-splitter.js';
import type { SourceLayout } from '../../src/pipeline/source-object-name.js';
import type { RunRecord } from '../../src/orchestration/run-store.js';
import { openStateStore } from '../../src/orchestration/state-store-registry.js';

export interface InProcessRun {
  readonly source: string;
  readonly lake: string;
  readonly state: string;
  readonly hour: Hour;
  readonly layout: SourceLayout;
  readonly format: FormatName;
  /** 0: tasks run on the test's thread. */
  readonly workers: number;
  readonly targetFileBytes: number;
}

export function testSettings(state: string, overrides: Partial<OrchestratorSettings> = {}): OrchestratorSettings {
  return {
    state,
    workers: 0,
    retry: { retries: 0, delayMs: 10, maxDelayMs: 100 },
    visibilityMs: 60_000,
    maxQuarantinedShare: 1,
    callbacks: [],
    deadlines: { afterHourEndMs: null, maxRunDurationMs: null },
    pollMs: 50,
    ...overrides,
  };
}

export async function runHourInProcess(run: InProcessRun): Promise<RunReport> {
  const orchestrator = await Orchestrator.open(testSettings(run.state, { workers: run.workers }));
  try {
    const format = await loadLakeFormat(run.format);
    return await runHour(
      orchestrator,
      {
        source: run.source,
        lake: run.lake,
        layout: run.layout,
        format: run.format,
        codec: format.codecs[0] as string,
        targetFileBytes: run.targetFileBytes,
        maxLineBytes: MAX_LINE_BYTES,
        timezone: 'UTC',
      },
      run.hour,
    );
  } finally {
    await orchestrator.close();
  }
}

/** The run records a state folder holds, oldest first. */
export async function runsIn(state: string): Promise<RunRecord[]> {
  const store = await openStateStore({ kind: 'sqlite', dir: state });
  try {
    return (await store.runs.list()).reverse();
  } finally {
    store.close();
  }
}
