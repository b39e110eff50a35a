/**
 * A GET of the JSON API held by a component: loaded when the path changes, and with `everyMs`
 * loaded again on that period while `keepPolling(data)` says so. Polling pauses while the tab
 * is hidden and stops when the component goes away (no request outlives its page).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { getJson } from './api-client.js';
import { ApiFailure, asFailure } from './api-failure.js';

export interface ApiResource<T> {
  readonly data: T | undefined;
  readonly error: ApiFailure | undefined;
  readonly loading: boolean;
  /** Loads again now (after a change this page made). */
  readonly reload: () => void;
}

export interface PollOptions<T> {
  readonly everyMs?: number;
  readonly keepPolling?: (data: T) => boolean;
  /** How the path is loaded: one GET unless said (a list read a page at a time, say). */
  readonly load?: (path: string) => Promise<T>;
}

interface Loaded<T> {
  readonly path: string | null;
  readonly data?: T;
  readonly error?: ApiFailure;
  readonly loading: boolean;
}

/** `path` null: nothing to load yet. */
export function useApi<T>(path: string | null, options: PollOptions<T> = {}): ApiResource<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ path, loading: path !== null });
  const [generation, setGeneration] = useState(0);
  const keepPolling = useRef(options.keepPolling);
  keepPolling.current = options.keepPolling;
  const loader = useRef(options.load);
  loader.current = options.load;
  const everyMs = options.everyMs;

  useEffect(() => {
    if (path === null) {
      setLoaded({ path, loading: false });
      return;
    }
    let stopped = false;
    let timer: number | undefined;
    let dueWhileHidden = false;

    const schedule = (): void => {
      if (stopped || everyMs === undefined) return;
      timer = window.setTimeout(() => {
        if (document.hidden) dueWhileHidden = true;
        else void load();
      }, everyMs);
    };
    const load = async (): Promise<void> => {
      try {
        const data = await (loader.current ?? getJson<T>)(path);
        if (stopped) return;
        setLoaded({ path, data, loading: false });
        if (keepPolling.current?.(data) ?? true) schedule();
      } catch (err) {
        if (stopped) return;
        const error = asFailure(err);
        // Keep what was shown; a 401 waits for the login instead of asking again.
        setLoaded((previous) => ({ path, data: previous.path === path ? previous.data : undefined, error, loading: false }));
        if (error.status !== 401) schedule();
      }
    };
    const onVisibility = (): void => {
      if (!document.hidden && dueWhileHidden) {
        dueWhileHidden = false;
        void load();
      }
    };

    setLoaded((previous) => (previous.path === path ? { ...previous, loading: true } : { path, loading: true }));
    document.addEventListener('visibilitychange', onVisibility);
    void load();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [path, everyMs, generation]);

  const current = loaded.path === path ? loaded : { path, loading: path !== null };
  return { data: current.data, error: current.error, loading: current.loading, reload: () => setGeneration((g) => g + 1) };
}
