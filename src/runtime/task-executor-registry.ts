/** Opens the task executor a configuration names, loading it on first use. */
import type { TaskExecutor } from '../pipeline/task-executor.js';
import type { TaskExecutorConfig } from './task-executor-config.js';

export async function openTaskExecutor(config: TaskExecutorConfig): Promise<TaskExecutor> {
  switch (config.kind) {
    case 'local': {
      if (config.workers === 0) {
        const { InlineTaskExecutor } = await import('./local/inline-task-executor.js');
        return new InlineTaskExecutor();
      }
      const { ThreadTaskExecutor } = await import('./local/thread-task-executor.js');
      return new ThreadTaskExecutor(config.workers);
    }
  }
}
