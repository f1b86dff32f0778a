import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { LANG_KEY, SUPPORTED } from '../i18n';

export function Login({
  onSignedIn,
}: {
  onSignedIn: (workspace: string, email: string, password: string) => Promise<void>;
}) {
  const { t, i18n } = useTranslation();
  const [workspace, setWorkspace] = useState(() => localStorage.getItem('crewdesk.workspace') ?? '');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      localStorage.setItem('crewdesk.workspace', workspace);
      await onSignedIn(workspace.trim(), email.trim(), password);
    } catch (err) {
      setError(
        err instanceof ApiError && (err.status === 401 || err.status === 400)
          ? t('login.failed')
          : t('login.error', { message: (err as Error).message }),
      );
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{t('login.title')}</h1>
        <label>
          {t('login.workspace')}
          <input
            name="workspace"
            value={workspace}
            onChange={(e) => setWorkspace(e.target.value)}
            required
            autoComplete="organization"
          />
        </label>
        <label>
          {t('login.email')}
          <input
            name="email"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            autoComplete="username"
          />
        </label>
        <label>
          {t('login.password')}
          <input
            name="password"
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            autoComplete="current-password"
          />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button className="btn primary" type="submit" disabled={busy}>
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
        <label className="login-lang">
          {t('nav.language')}
          <select
            value={i18n.language}
            onChange={(e) => {
              localStorage.setItem(LANG_KEY, e.target.value);
              void i18n.changeLanguage(e.target.value);
            }}
          >
            {SUPPORTED.map((l) => (
              <option key={l} value={l}>
                {t(`lang.${l}`)}
              </option>
            ))}
          </select>
        </label>
      </form>
    </main>
  );
}
