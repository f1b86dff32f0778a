import { forwardRef, useEffect, useImperativeHandle, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useCannedReplies, useTeams, useUsers } from '../api/hooks';
import type { Attachment, CannedReply, MacroActions, User } from '../api/types';
import { useApp } from '../app/context';
import { loadDraft, saveDraft, type DraftMode } from '../lib/drafts';
import { isComposing, modKey } from '../lib/keys';
import { ClipIcon, LockIcon } from '../shell/icons';
import { applyMacro, dropChange, hasChanges, macroChanges } from './macro';

export interface ComposerHandle {
  focus(mode: DraftMode): void;
}

export interface SendInput {
  body: string;
  internal: boolean;
  mentions: string[];
  attachments: Attachment[];
}

/** The word being typed at the caret, if it starts with `/` or `@`. */
export function tokenAt(text: string, caret: number): { trigger: '/' | '@'; query: string; start: number } | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)([/@])([^\s/@]{0,40})$/u.exec(before);
  if (!m) return null;
  const trigger = m[2] as '/' | '@';
  // Canned replies open at the start of a line only, so "1/2" or a URL never pops them up.
  const start = before.length - m[2].length - m[3].length;
  if (trigger === '/' && start > 0 && before[start - 1] !== '\n') return null;
  return { trigger, query: m[3], start };
}

/** Canned replies matching a query: shortcut prefix first, then text anywhere. */
export function filterCanned(all: CannedReply[], q: string): CannedReply[] {
  const s = q.toLowerCase();
  const byShortcut = all.filter((c) => c.shortcut.toLowerCase().startsWith(s));
  const byText = all.filter(
    (c) => !byShortcut.includes(c) && (c.title.toLowerCase().includes(s) || c.body.toLowerCase().includes(s)),
  );
  return [...byShortcut, ...byText].slice(0, 8);
}

/** A picked macro: the text it inserted (for Undo) and the ticket changes staged for the next send. */
interface StagedMacro {
  inserted: string;
  start: number;
  actions: MacroActions;
}

/**
 * Reply or internal note, unmistakably apart: in note mode the whole composer turns amber with a lock,
 * "Internal only", and the button says "Add note". One draft per ticket per mode. IME-safe sending.
 */
export const Composer = forwardRef<
  ComposerHandle,
  {
    ticketId: string;
    chat: boolean;
    canReply: boolean;
    canNote: boolean;
    onSend: (input: SendInput) => Promise<void>;
    onTyping: (mode: DraftMode, typing: boolean) => void;
    /** Wraps the composer's own ticket change (a macro's), so the page does not take it for someone else's. */
    ownChange?: <T>(run: () => Promise<T>) => Promise<T>;
  }
>(function Composer({ ticketId, chat, canReply, canNote, onSend, onTyping, ownChange }, ref) {
  const { t } = useTranslation();
  const { api, me, toast } = useApp();
  const qc = useQueryClient();
  const [mode, setMode] = useState<DraftMode>(canReply ? 'reply' : 'note');
  const [text, setText] = useState(() => loadDraft(ticketId, mode));
  const [caret, setCaret] = useState(0);
  const [files, setFiles] = useState<Attachment[]>([]);
  const [uploading, setUploading] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [mentioned, setMentioned] = useState<Array<{ id: string; name: string }>>([]);
  const [macro, setMacro] = useState<StagedMacro | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const typingSent = useRef(0);
  const canned = useCannedReplies(canReply);
  const users = useUsers();
  const teams = useTeams();
  const canUpdate = me.permissions.includes('ticket.update');
  const names = { teams: teams.data, users: users.data };

  useImperativeHandle(ref, () => ({
    focus(m) {
      if ((m === 'reply' && !canReply) || (m === 'note' && !canNote)) return;
      switchMode(m);
      setTimeout(() => area.current?.focus(), 0);
    },
  }));

  // Another ticket: its own drafts.
  useEffect(() => {
    setText(loadDraft(ticketId, mode));
    setFiles([]);
    setMentioned([]);
    setMacro(null);
    return () => stopTyping();
  }, [ticketId]);

  function switchMode(m: DraftMode) {
    if (m === mode) return;
    stopTyping();
    setMode(m);
    setText(loadDraft(ticketId, m));
  }

  function stopTyping() {
    clearTimeout(typingTimer.current);
    if (typingSent.current) onTyping(mode, false);
    typingSent.current = 0;
  }

  function change(value: string, pos: number) {
    setText(value);
    setCaret(pos);
    setDismissed(null);
    setActive(0);
    saveDraft(ticketId, mode, value);
    const now = Date.now();
    if (value && now - typingSent.current > 2000) {
      onTyping(mode, true);
      typingSent.current = now;
    }
    clearTimeout(typingTimer.current);
    typingTimer.current = setTimeout(stopTyping, 4000);
  }

  const token = dismissed === caret ? null : tokenAt(text, caret);
  const suggestions = useMemo(() => {
    if (!token) return [];
    if (token.trigger === '/' && mode === 'reply' && canned.data)
      return filterCanned(canned.data, token.query).map((c) => ({
        id: c.id,
        label: `/${c.shortcut}`,
        hint: c.title,
        insert: c.body,
        kind: 'canned' as const,
        actions: hasChanges(c.actions) ? c.actions : undefined,
        summary: macroChanges(c.actions, t, names)
          .map((x) => x.label)
          .join(' · '),
      }));
    if (token.trigger === '@' && mode === 'note' && users.data) {
      const q = token.query.toLowerCase();
      return users.data
        .filter(
          (u: User) =>
            u.status === 'active' && (u.name.toLowerCase().includes(q) || u.email.toLowerCase().startsWith(q)),
        )
        .slice(0, 8)
        .map((u) => ({
          id: u.id,
          label: `@${u.name}`,
          hint: u.email,
          insert: `@${u.name} `,
          kind: 'mention' as const,
          actions: undefined,
          summary: '',
        }));
    }
    return [];
  }, [token?.trigger, token?.query, mode, canned.data, users.data, teams.data, t]);

  function pick(i: number) {
    const s = suggestions[i];
    if (!s || !token) return;
    const next = text.slice(0, token.start) + s.insert + text.slice(caret);
    const pos = token.start + s.insert.length;
    if (s.kind === 'mention')
      setMentioned((m) => (m.some((x) => x.id === s.id) ? m : [...m, { id: s.id, name: s.label.slice(1) }]));
    // A macro stages its ticket changes for the next send (only for people who may change tickets).
    if (s.kind === 'canned' && s.actions && canUpdate)
      setMacro({ inserted: s.insert, start: token.start, actions: s.actions });
    change(next, pos);
    setDismissed(pos);
    requestAnimationFrame(() => {
      area.current?.focus();
      area.current?.setSelectionRange(pos, pos);
    });
  }

  /** Drops the staged changes and, if it is still there as inserted, the macro's text. */
  function undoMacro() {
    if (!macro) return;
    const at = text.startsWith(macro.inserted, macro.start) ? macro.start : text.indexOf(macro.inserted);
    setMacro(null);
    if (at >= 0) change(text.slice(0, at) + text.slice(at + macro.inserted.length), at);
    area.current?.focus();
  }

  async function send() {
    const body = text.trim();
    if (!body && !files.length) return;
    if (busy || uploading.length) return;
    setBusy(true);
    stopTyping();
    const mentions = mode === 'note' ? mentioned.filter((m) => body.includes(`@${m.name}`)).map((m) => m.id) : [];
    const sent = { body: body || '—', internal: mode === 'note', mentions, attachments: files };
    const staged = mode === 'reply' && hasChanges(macro?.actions) ? macro.actions : null;
    // Optimistic: the box clears at once; on failure the text comes back.
    setText('');
    setFiles([]);
    setMentioned([]);
    saveDraft(ticketId, mode, '');
    let sentOk = false;
    try {
      await onSend(sent);
      sentOk = true;
    } catch (err) {
      setText(text);
      setFiles(sent.attachments);
      saveDraft(ticketId, mode, text);
      toast({ tone: 'error', text: t('composer.sendFailed', { message: (err as Error).message }) });
    }
    // The reply is out: now the macro's changes, in one PATCH.
    if (sentOk && staged) {
      setMacro(null);
      try {
        const run = () => applyMacro(api, qc, ticketId, staged);
        await (ownChange ? ownChange(run) : run());
      } catch (err) {
        toast({ tone: 'error', text: t('macro.failed', { message: (err as Error).message }) });
      }
    }
    setBusy(false);
    area.current?.focus();
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    // The Enter that picks a pinyin candidate never sends, nor picks a suggestion.
    if (isComposing(e)) return;
    if (suggestions.length) {
      if (e.key === 'ArrowDown') return void (e.preventDefault(), setActive((a) => (a + 1) % suggestions.length));
      if (e.key === 'ArrowUp')
        return void (e.preventDefault(), setActive((a) => (a - 1 + suggestions.length) % suggestions.length));
      if (e.key === 'Enter' || e.key === 'Tab') return void (e.preventDefault(), pick(active));
      if (e.key === 'Escape') return void (e.preventDefault(), setDismissed(caret));
    }
    if (e.key === 'Escape') return void area.current?.blur();
    if (e.key !== 'Enter') return;
    if (modKey(e) || (chat && !e.shiftKey && !e.altKey)) {
      e.preventDefault();
      void send();
    }
  }

  async function attach(list: FileList | null) {
    for (const f of Array.from(list ?? [])) {
      setUploading((u) => [...u, f.name]);
      try {
        const a = await api.upload(f);
        setFiles((all) => [...all, a]);
      } catch (err) {
        toast({ tone: 'error', text: t('composer.sendFailed', { message: (err as Error).message }) });
      } finally {
        setUploading((u) => u.filter((n) => n !== f.name));
      }
    }
  }

  const note = mode === 'note';
  const listId = `composer-suggest-${ticketId}`;
  const staged = macro ? macroChanges(macro.actions, t, names) : [];
  return (
    <section
      className={`composer ${note ? 'composer-note' : 'composer-reply'}`}
      data-mode={mode}
      data-testid="composer"
      aria-label={note ? t('composer.note') : t('composer.reply')}
    >
      <div className="composer-tabs" role="tablist" aria-label={t('composer.label')}>
        {canReply && (
          <button
            role="tab"
            aria-selected={!note}
            className={!note ? 'selected' : ''}
            onClick={() => switchMode('reply')}
            data-testid="tab-reply"
          >
            {t('composer.reply')}
          </button>
        )}
        {canNote && (
          <button
            role="tab"
            aria-selected={note}
            className={note ? 'selected' : ''}
            onClick={() => switchMode('note')}
            data-testid="tab-note"
          >
            <LockIcon /> {t('composer.note')}
          </button>
        )}
        {note && (
          <span className="note-hint" data-testid="note-hint">
            <LockIcon /> {t('ticket.internalOnly')}
          </span>
        )}
      </div>
      <div className="composer-box">
        <label htmlFor={`composer-${ticketId}`} className="visually-hidden">
          {note ? t('composer.note') : t('composer.reply')}
        </label>
        <textarea
          id={`composer-${ticketId}`}
          ref={area}
          value={text}
          rows={3}
          placeholder={note ? t('composer.notePrompt') : t('composer.replyPrompt')}
          aria-describedby={`composer-hint-${ticketId}`}
          aria-autocomplete="list"
          aria-controls={suggestions.length ? listId : undefined}
          aria-expanded={suggestions.length > 0}
          aria-activedescendant={suggestions.length ? `${listId}-${active}` : undefined}
          role="combobox"
          onChange={(e) => change(e.target.value, e.target.selectionStart)}
          onSelect={(e) => setCaret((e.target as HTMLTextAreaElement).selectionStart)}
          onKeyDown={onKeyDown}
          onBlur={() => setTimeout(stopTyping, 0)}
          data-testid="composer-input"
        />
        {suggestions.length > 0 && (
          <ul
            className="suggestions"
            role="listbox"
            id={listId}
            aria-label={token?.trigger === '/' ? t('composer.canned') : t('composer.mentions')}
          >
            {suggestions.map((s, i) => (
              <li
                key={s.id}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'active' : ''}
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(i);
                }}
              >
                <strong>{s.label}</strong> <span className="muted">{s.hint}</span>
                {s.summary && (
                  <span className="macro-summary small" data-testid="macro-summary">
                    {s.summary}
                  </span>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
      {(files.length > 0 || uploading.length > 0) && (
        <ul className="composer-files">
          {files.map((f) => (
            <li key={f.id} className="file-chip">
              <ClipIcon /> {f.filename}
              <button
                className="icon-btn"
                aria-label={t('composer.removeAttachment', { name: f.filename })}
                onClick={() => setFiles((all) => all.filter((x) => x.id !== f.id))}
              >
                ×
              </button>
            </li>
          ))}
          {uploading.map((n) => (
            <li key={n} className="file-chip muted">
              {t('composer.uploading', { name: n })}
            </li>
          ))}
        </ul>
      )}
      {macro && !note && (
        <div className="macro-staged" data-testid="macro-staged">
          {staged.length > 0 && (
            <>
              <span className="muted small" id={`macro-staged-${ticketId}`}>
                {t('macro.willSet')}
              </span>
              <ul className="composer-files" aria-labelledby={`macro-staged-${ticketId}`}>
                {staged.map((c) => (
                  <li key={c.key} className="file-chip" data-testid="macro-chip">
                    {c.label}
                    <button
                      className="icon-btn"
                      aria-label={t('macro.remove', { change: c.label })}
                      onClick={() => setMacro((m) => (m ? { ...m, actions: dropChange(m.actions, c.key) } : m))}
                    >
                      ×
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
          <button className="btn small" onClick={undoMacro} data-testid="macro-undo">
            {t('macro.undo')}
          </button>
        </div>
      )}
      <div className="composer-bar">
        <label className="btn icon" title={t('composer.attach')}>
          <ClipIcon />
          <span className="visually-hidden">{t('composer.attach')}</span>
          <input
            type="file"
            multiple
            className="visually-hidden"
            onChange={(e) => void attach(e.target.files).then(() => (e.target.value = ''))}
            data-testid="composer-file"
          />
        </label>
        <span id={`composer-hint-${ticketId}`} className="muted small">
          {note ? t('composer.noteHint') : ''} {chat ? t('composer.sendHintChat') : t('composer.sendHintMail')}
        </span>
        <button
          className={`btn ${note ? 'note' : 'primary'}`}
          onClick={() => void send()}
          disabled={busy || (!text.trim() && !files.length)}
          data-testid="composer-send"
        >
          {note ? (
            <>
              <LockIcon /> {t('composer.addNote')}
            </>
          ) : (
            t('composer.send')
          )}
        </button>
      </div>
    </section>
  );
});
