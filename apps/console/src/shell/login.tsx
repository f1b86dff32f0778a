import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { LANG_KEY, SUPPORTED } from '../i18n';
import { optionsOf, Select, TextField } from '../lib/fields';

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
        {(
          [
            ['workspace', workspace, setWorkspace, undefined, 'organization'],
            ['email', email, setEmail, 'email', 'username'],
            ['password', password, setPassword, 'password', 'current-password'],
          ] as const
        ).map(([name, value, onChange, type, autoComplete]) => (
          <TextField
            key={name}
            label={t(`login.${name}`)}
            name={name}
            type={type}
            value={value}
            onChange={onChange}
            required
            autoComplete={autoComplete}
          />
        ))}
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
          <Select
            value={i18n.language}
            onChange={(lang) => {
              localStorage.setItem(LANG_KEY, lang);
              void i18n.changeLanguage(lang);
            }}
            options={optionsOf(SUPPORTED, (l) => t(`lang.${l}`))}
          />
        </label>
      </form>
    </main>
  );
}
