/** One draft per ticket per mode (reply or note), kept across navigation and reloads. */
export type DraftMode = 'reply' | 'note';

const PREFIX = 'crewdesk.draft.';
const memory = new Map<string, string>();

const key = (ticketId: string, mode: DraftMode) => `${PREFIX}${ticketId}.${mode}`;

export function loadDraft(ticketId: string, mode: DraftMode): string {
  const k = key(ticketId, mode);
  if (memory.has(k)) return memory.get(k)!;
  try {
    return localStorage.getItem(k) ?? '';
  } catch {
    return '';
  }
}

export function saveDraft(ticketId: string, mode: DraftMode, text: string): void {
  const k = key(ticketId, mode);
  memory.set(k, text);
  try {
    if (text) localStorage.setItem(k, text);
    else localStorage.removeItem(k);
  } catch {
    /* private mode: memory only */
  }
}

export const clearDraft = (ticketId: string, mode: DraftMode) => saveDraft(ticketId, mode, '');
