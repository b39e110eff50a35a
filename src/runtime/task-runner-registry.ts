/** Opens the task runner a configuration names, loading it on first use. */
import type { TaskRunner } from '../pipeline/task-runner.js';
import type { TaskRunnerConfig } from './task-runner-config.js';

export async function openTaskRunner(config: TaskRunnerConfig): Promise<TaskRunner> {
  switch (config.kind) {
    case 'local': {
      const { LocalTaskRunner } = await import('./local/local-task-runner.js');
      return new LocalTaskRunner(config.workers);
    }
  }
}
