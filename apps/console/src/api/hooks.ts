import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useApp } from '../app/context';
import type { CannedReply, Counts, Escalation, Page, Team, User } from './types';

export function useUsers() {
  const { api, me } = useApp();
  return useQuery({
    queryKey: ['users'],
    queryFn: () => api.get<Page<User>>('/api/v1/users?limit=100').then((p) => p.items),
    enabled: me.permissions.includes('user.read'),
    staleTime: 5 * 60_000,
  });
}

export function useTeams() {
  const { api } = useApp();
  return useQuery({
    queryKey: ['teams'],
    queryFn: () => api.get<Page<Team>>('/api/v1/teams').then((p) => p.items),
    staleTime: 5 * 60_000,
  });
}

export function useCounts() {
  const { api } = useApp();
  return useQuery({ queryKey: ['counts'], queryFn: () => api.get<Counts>('/api/v1/inbox/counts'), staleTime: 10_000 });
}

/** How many tickets have open escalations naming me (the "Escalated to me" count). */
export function useEscalatedCount(enabled: boolean) {
  const { api } = useApp();
  return useQuery({
    queryKey: ['escalations-mine'],
    queryFn: () =>
      api.get<Page<Escalation>>('/api/v1/escalations/mine').then((p) => new Set(p.items.map((e) => e.ticketId)).size),
    enabled,
    staleTime: 10_000,
  });
}

export function useCannedReplies(enabled: boolean) {
  const { api } = useApp();
  return useQuery({
    queryKey: ['canned'],
    queryFn: () => api.get<Page<CannedReply>>('/api/v1/canned-replies').then((p) => p.items),
    enabled,
    staleTime: 5 * 60_000,
  });
}

/** The current time, re-rendered every `ms` (SLA countdowns, relative times). */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}
