/**
 * The shell: a header with the pages and what this server serves, then the page the hash names.
 * Any 401 from the API swaps the page for the login form; after a login the whole shell is
 * mounted again, so every page loads its data anew.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Health } from '../app/api-views.js';
import { onUnauthorized, postJson } from './api/api-client.js';
import { useApi } from './api/use-api.js';
import { DeadLettersPage } from './dead-letters/dead-letters-page.js';
import { LakePage } from './lake/lake-page.js';
import { LoginForm } from './login/login-form.js';
import { RunDetailPage } from './run-detail/run-detail-page.js';
import { RunsPage } from './runs/runs-page.js';
import { setSourceZone } from './format/source-zone.js';
import type { Route } from './routing/hash-route.js';
import { pageTitle } from './routing/page-title.js';
import { useHashRoute } from './routing/use-hash-route.js';
import { WarehousePage } from './warehouse/warehouse-page.js';

const NAV: readonly { readonly page: Route['page']; readonly href: string; readonly label: string; readonly also?: Route['page'] }[] = [
  { page: 'runs', href: '#/runs', label: 'Runs', also: 'run' },
  { page: 'dlq', href: '#/dlq', label: 'Dead letters' },
  { page: 'lake', href: '#/lake', label: 'Lake' },
  { page: 'warehouse', href: '#/warehouse', label: 'Warehouse' },
];

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'runs':
      return <RunsPage />;
    case 'run':
      return <RunDetailPage key={route.id} id={route.id} />;
    case 'dlq':
      return <DeadLettersPage selected={route.id} />;
    case 'lake':
      return <LakePage />;
    case 'warehouse':
      return <WarehousePage />;
    case 'unknown':
      return (
        <main class="page" data-testid="unknown-page">
          <h1>No such page</h1>
          <p>
            There is no page at <code>{route.hash}</code>. <a href="#/runs">See the runs</a>.
          </p>
        </main>
      );
  }
}

function ServerFacts({ health }: { health: Health }) {
  return (
    <span class="server-facts" data-testid="server-facts" title={`source ${health.source}\nlake ${health.lake}\nstate ${health.state}`}>
      eventlake {health.version} · {health.mode} · {health.format} · {health.timezone} · scheduler {health.scheduler ? 'on' : 'off'}
    </span>
  );
}

function Shell({ onLoggedOut }: { onLoggedOut: () => void }) {
  const route = useHashRoute();
  const health = useApi<Health>('/api/health');
  // Every hour label names the source's zone (set before this render's children print theirs).
  if (health.data) setSourceZone(health.data.timezone);
  useEffect(() => {
    document.title = pageTitle(route);
  }, [route]);
  const logOut = async (): Promise<void> => {
    await postJson('/api/logout', {}).catch(() => undefined);
    onLoggedOut();
  };
  return (
    <>
      <header class="top">
        <a class="brand" href="#/runs">
          eventlake
        </a>
        <nav aria-label="Pages">
          {NAV.map((item) => {
            const current = route.page === item.page || route.page === item.also;
            return (
              <a key={item.page} href={item.href} class={current ? 'active' : ''} aria-current={current ? 'page' : undefined} data-testid={`nav-${item.page}`}>
                {item.label}
              </a>
            );
          })}
        </nav>
        {health.data && <ServerFacts health={health.data} />}
        {health.data?.auth && (
          <button type="button" class="small-button" onClick={logOut} data-testid="logout">
            Log out
          </button>
        )}
      </header>
      <Page route={route} />
    </>
  );
}

export function App() {
  const [needsLogin, setNeedsLogin] = useState(false);
  const [session, setSession] = useState(0);
  useEffect(() => onUnauthorized(() => setNeedsLogin(true)), []);
  useEffect(() => {
    if (needsLogin) document.title = 'Log in · eventlake';
  }, [needsLogin]);
  if (needsLogin) {
    return (
      <LoginForm
        onLoggedIn={() => {
          setNeedsLogin(false);
          setSession((n) => n + 1);
        }}
      />
    );
  }
  return <Shell key={session} onLoggedOut={() => setNeedsLogin(true)} />;
}
