/**
 * The login page, shown when the API answers 401: the server's token (EVENTLAKE_TOKEN) goes to
 * POST /api/login once; the server answers 204 with an HttpOnly session cookie. The token is not
 * kept anywhere in the page (no localStorage, no cookie this script can read).
 */
import { useState } from 'preact/hooks';
import type { LoginBody } from '../../app/api-views.js';
import { postJson } from '../api/api-client.js';
import { asFailure } from '../api/api-failure.js';
import { ErrorNote } from '../components/error-note.js';

export function LoginForm({ onLoggedIn }: { onLoggedIn: () => void }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (token === '') {
      setError('Enter the token this server was started with (EVENTLAKE_TOKEN).');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await postJson<undefined>('/api/login', { token } satisfies LoginBody);
      setToken('');
      onLoggedIn();
    } catch (err) {
      const failure = asFailure(err);
      // 409: this server has no token at all, so there is nothing to log in to.
      if (failure.status === 409) onLoggedIn();
      else setError(failure.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="page login" data-testid="login-page">
      <form class="panel form login-form" onSubmit={submit}>
        <h1>Log in to eventlake</h1>
        <p class="muted">This server asks for its token (the EVENTLAKE_TOKEN it was started with).</p>
        <label>
          token
          <input
            type="password"
            autocomplete="current-password"
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
            data-testid="login-token"
            autofocus
          />
        </label>
        <button type="submit" class="primary" disabled={busy} data-testid="login-submit">
          {busy ? 'Checking…' : 'Log in'}
        </button>
        <ErrorNote error={error} testid="login-error" />
      </form>
    </main>
  );
}
