import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ApiClient } from '../api/client';
import type { Me } from '../api/types';
import type { Live } from '../live/live';
import type { TicketEventPayload } from '@crewdesk/realtime-client';

export interface Toast {
  id: number;
  text: string;
  tone?: 'info' | 'error';
  action?: { label: string; run: () => void };
}

export interface Command {
  id: string;
  label: string;
  keys?: string;
  /** A single key (no modifier): off when single-key shortcuts are off. */
  single?: boolean;
  run: () => void;
}

interface Ctx {
  api: ApiClient;
  live: Live | null;
  me: Me;
  setMe: (me: Me) => void;
  toast: (t: Omit<Toast, 'id'>) => void;
  registerCommands: (owner: string, cmds: Command[]) => () => void;
  commands: Command[];
  singleKeys: boolean;
  setSingleKeys: (on: boolean) => void;
}

const AppCtx = createContext<Ctx | null>(null);

export function useApp(): Ctx {
  const c = useContext(AppCtx);
  if (!c) throw new Error('useApp outside <AppProvider>');
  return c;
}

/** Every ticket event (once, in order) while mounted. */
export function useLiveEvent(handler: (e: TicketEventPayload) => void): void {
  const { live } = useApp();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => live?.onEvent((e) => ref.current(e)), [live]);
}

/** The live connection's state (for the banner and honest empty states). */
export function useConnState(): string {
  const { live } = useApp();
  const [state, setState] = useState<string>(live?.state ?? 'connecting');
  useEffect(() => {
    if (!live) return;
    setState(live.state);
    return live.onState(setState);
  }, [live]);
  return state;
}

/** Registers commands (palette entries and shortcuts) for as long as the component is mounted. */
export function useCommands(owner: string, cmds: Command[]): void {
  const { registerCommands } = useApp();
  const ref = useRef(cmds);
  ref.current = cmds;
  const signature = cmds.map((c) => `${c.id}:${c.label}:${c.keys ?? ''}`).join('|');
  useEffect(
    () =>
      registerCommands(
        owner,
        ref.current.map((c) => ({ ...c, run: () => ref.current.find((x) => x.id === c.id)?.run() })),
      ),
    [owner, signature, registerCommands],
  );
}

export function AppProvider(props: {
  api: ApiClient;
  live: Live | null;
  me: Me;
  setMe: (me: Me) => void;
  toast: (t: Omit<Toast, 'id'>) => void;
  children: ReactNode;
}) {
  const [owners, setOwners] = useState<Record<string, Command[]>>({});
  const [singleKeys, setSingle] = useState(() => {
    try {
      return localStorage.getItem('crewdesk.singleKeys') !== 'off';
    } catch {
      return true;
    }
  });
  const setSingleKeys = useCallback((on: boolean) => {
    setSingle(on);
    try {
      localStorage.setItem('crewdesk.singleKeys', on ? 'on' : 'off');
    } catch {
      /* ignore */
    }
  }, []);
  const registerCommands = useCallback((owner: string, cmds: Command[]) => {
    setOwners((o) => ({ ...o, [owner]: cmds }));
    return () =>
      setOwners((o) => {
        const next = { ...o };
        delete next[owner];
        return next;
      });
  }, []);
  const commands = useMemo(() => Object.values(owners).flat(), [owners]);
  const value = useMemo<Ctx>(
    () => ({ ...props, registerCommands, commands, singleKeys, setSingleKeys }),
    [props.api, props.live, props.me, props.setMe, props.toast, registerCommands, commands, singleKeys, setSingleKeys],
  );
  return <AppCtx.Provider value={value}>{props.children}</AppCtx.Provider>;
}
