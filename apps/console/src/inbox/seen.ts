/** When this browser last opened each ticket (its lastMessageAt then): rows newer than that are bold. */
const KEY = 'crewdesk.seen';
let seen: Record<string, string> = {};
try {
  seen = JSON.parse(localStorage.getItem(KEY) ?? '{}');
} catch {
  seen = {};
}

export function isSeen(ticketId: string, lastMessageAt: string): boolean {
  const at = seen[ticketId];
  return !!at && at >= lastMessageAt;
}

export function markSeen(ticketId: string, lastMessageAt: string): void {
  seen[ticketId] = lastMessageAt;
  const keys = Object.keys(seen);
  if (keys.length > 2000) for (const k of keys.slice(0, keys.length - 2000)) delete seen[k];
  try {
    localStorage.setItem(KEY, JSON.stringify(seen));
  } catch {
    /* ignore */
  }
}
