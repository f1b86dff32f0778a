import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { I18nextProvider } from 'react-i18next';
import { ApiClient } from '../api/client';
import type { Me } from '../api/types';
import { createI18n, detectLanguage, LANG_KEY, toSupported, type Lang } from '../i18n';
import type { Live } from '../live/live';
import { navigate, useRoute } from '../lib/router';
import { Login } from '../shell/login';
import { Shell } from '../shell/shell';
import { Toasts } from '../shell/toasts';
import { AppProvider, type Toast } from './context';

function storedLang(): string | null {
  try {
    return localStorage.getItem(LANG_KEY);
  } catch {
    return null;
  }
}

/** Sign-in state, language, the query cache and the live socket; the shell once signed in. */
export function Root({ api: given }: { api?: ApiClient } = {}) {
  const api = useMemo(() => given ?? new ApiClient(location.origin), [given]);
  const [me, setMeState] = useState<Me | null>(api.current?.user ?? null);
  const i18n = useMemo(() => createI18n(me?.locale ? toSupported(me.locale) : detectLanguage(storedLang())), []);
  const queryClient = useMemo(
    () =>
      new QueryClient({
        defaultOptions: { queries: { staleTime: 15_000, retry: 1, refetchOnWindowFocus: false } },
      }),
    [],
  );
  const [live, setLive] = useState<Live | null>(null);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const seq = useRef(0);
  const route = useRoute();

  const toast = useCallback((t: Omit<Toast, 'id'>) => {
    const id = ++seq.current;
    setToasts((all) => [...all.slice(-3), { ...t, id }]);
    setTimeout(() => setToasts((all) => all.filter((x) => x.id !== id)), t.action ? 8000 : 4000);
  }, []);

  const setMe = useCallback(
    (next: Me) => {
      setMeState(next);
      api.updateUser(next);
    },
    [api],
  );

  useEffect(() => {
    api.onSignedOut = () => {
      setMeState(null);
      queryClient.clear();
      navigate('/login', true);
    };
  }, [api, queryClient]);

  // The profile is the source of the language once signed in.
  useEffect(() => {
    if (!me) return;
    const lng: Lang = toSupported(me.locale);
    if (i18n.language !== lng) void i18n.changeLanguage(lng);
  }, [me, i18n]);

  // One socket per signed-in session.
  useEffect(() => {
    if (!me) return;
    // socket.io loads after the first paint: the inbox's first page never waits for it.
    let l: Live | null = null;
    let gone = false;
    void import('../live/live').then(({ Live: LiveClass }) => {
      if (gone) return;
      l = new LiveClass(
        location.origin,
        () => api.freshToken(),
        () => api.refresh(),
      );
      setLive(l);
    });
    return () => {
      gone = true;
      l?.close();
      setLive(null);
    };
  }, [me?.id, api]);

  useEffect(() => {
    if (!me && route.name !== 'login') navigate('/login', true);
    if (me && route.name === 'login') navigate('/inbox/mine', true);
  }, [me, route.name]);

  // Refresh the profile once per load (roles, teams and language may have changed).
  useEffect(() => {
    if (!me) return;
    api.get<Me>('/api/v1/me').then(setMe, () => undefined);
  }, [me?.id]);

  return (
    <I18nextProvider i18n={i18n}>
      <QueryClientProvider client={queryClient}>
        {me ? (
          <AppProvider api={api} live={live} me={me} setMe={setMe} toast={toast}>
            <Shell
              onSignOut={async () => {
                await api.logout();
                queryClient.clear();
                setMeState(null);
              }}
            />
          </AppProvider>
        ) : (
          <Login
            onSignedIn={async (workspace, email, password) => {
              const s = await api.login(workspace, email, password);
              setMeState(s.user);
              const lng = toSupported(s.user.locale);
              if (i18n.language !== lng) await i18n.changeLanguage(lng);
              navigate('/inbox/mine', true);
            }}
          />
        )}
        <Toasts toasts={toasts} onDismiss={(id) => setToasts((all) => all.filter((x) => x.id !== id))} />
      </QueryClientProvider>
    </I18nextProvider>
  );
}
