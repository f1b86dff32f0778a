import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Attachment, Message } from '../api/types';
import { useApp } from '../app/context';
import { absoluteTime, clockTime } from '../lib/format';
import { ClipIcon, LockIcon } from '../shell/icons';

/** A protected image (attachments need the bearer token): fetched as a blob, shown from an object URL. */
function AuthImage({ a }: { a: Attachment }) {
  const { api } = useApp();
  const { t } = useTranslation();
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let revoke: string | null = null;
    let alive = true;
    api.blob(`/api/v1/attachments/${a.id}`).then(
      (b) => {
        if (!alive) return;
        revoke = URL.createObjectURL(b);
        setUrl(revoke);
      },
      () => undefined,
    );
    return () => {
      alive = false;
      if (revoke) URL.revokeObjectURL(revoke);
    };
  }, [a.id, api]);
  return url ? (
    <a href={url} target="_blank" rel="noreferrer" className="thread-image-link">
      <img
        className="thread-image"
        src={url}
        alt={t('ticket.imageAlt', { name: a.filename })}
        data-testid="thread-image"
      />
    </a>
  ) : (
    <span className="thread-image loading" aria-busy="true" />
  );
}

function FileLink({ a }: { a: Attachment }) {
  const { api } = useApp();
  const { t } = useTranslation();
  return (
    <button
      className="file-chip"
      onClick={async () => {
        const b = await api.blob(`/api/v1/attachments/${a.id}`);
        const url = URL.createObjectURL(b);
        const link = document.createElement('a');
        link.href = url;
        link.download = a.filename || 'attachment';
        link.click();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      }}
    >
      <ClipIcon /> {t('ticket.attachment', { name: a.filename || a.id.slice(0, 8) })}
    </button>
  );
}

function isImage(a: Attachment) {
  return a.contentType ? a.contentType.startsWith('image/') : /\.(png|jpe?g|gif|webp)$/i.test(a.filename);
}

/** How far above the thread's top the sentinel starts loading older messages, so they are ready on arrival. */
const EARLIER_MARGIN_PX = 200;

/**
 * The conversation, oldest first, in a `role="log"`. Internal notes are amber with a border and a label;
 * follows new messages only when at the bottom, else shows a "↓ N new messages" pill. With `onLoadEarlier`
 * (there are older messages), scrolling to the top loads them; the button above the messages does the same
 * for keyboard users and browsers without IntersectionObserver.
 */
export function Thread({
  messages,
  meId,
  chat,
  readUpTo,
  onLoadEarlier,
}: {
  messages: Message[];
  meId: string;
  chat: boolean;
  readUpTo: string | null;
  /** Fetches and prepends the previous page; absent when there is nothing older. */
  onLoadEarlier?: () => Promise<unknown>;
}) {
  const { t, i18n } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const seenCount = useRef(messages.length);
  const [unseen, setUnseen] = useState(0);
  // The first message and its distance from the viewport's top, to put it back after older ones are prepended.
  const anchor = useRef<{ id: string; offset: number } | null>(null);
  const loading = useRef(false); // synchronous guard: one fetch at a time
  const [earlier, setEarlier] = useState<'idle' | 'loading' | 'failed'>('idle');
  const loadRef = useRef(onLoadEarlier);
  loadRef.current = onLoadEarlier;

  // After a failure only the button retries: the observer may still fire before its effect is torn down.
  const failed = useRef(false);
  const loadEarlier = useCallback(async (fromObserver = false) => {
    const load = loadRef.current;
    if (!load || loading.current || (fromObserver && failed.current)) return;
    loading.current = true;
    failed.current = false;
    setEarlier('loading');
    try {
      await load();
      setEarlier('idle');
    } catch {
      failed.current = true;
      setEarlier('failed');
    } finally {
      loading.current = false;
    }
  }, []);

  const saveAnchor = () => {
    const el = ref.current;
    const first = el?.querySelector<HTMLElement>('[data-testid="message"]');
    anchor.current = el && first?.dataset.id ? { id: first.dataset.id, offset: first.offsetTop - el.scrollTop } : null;
  };

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    // Older messages prepended: keep the previously first message where it was on screen.
    const kept = anchor.current ? messages.findIndex((m) => m.id === anchor.current!.id) : -1;
    const prepended = kept > 0 ? kept : 0;
    if (prepended) {
      const first = el.querySelectorAll<HTMLElement>('[data-testid="message"]')[prepended];
      if (first) el.scrollTop = first.offsetTop - anchor.current!.offset;
    }
    const added = messages.length - seenCount.current - prepended;
    seenCount.current = messages.length;
    const mine = added > 0 && messages[messages.length - 1]?.author.id === meId;
    // Following the bottom is for new messages at the end, not for a page prepended above.
    const follow = atBottom.current && (added > 0 || !prepended);
    if (follow || mine || added < 0) {
      el.scrollTop = el.scrollHeight;
      setUnseen(0);
    } else if (added > 0) setUnseen((n) => n + added);
    saveAnchor();
  }, [messages, meId]);

  // Load older messages when the sentinel at the top comes into view. Observing again after each page
  // (the first message changes) catches a sentinel that is still in view because the page was short.
  const firstId = messages[0]?.id;
  const canLoad = !!onLoadEarlier && earlier !== 'failed';
  useEffect(() => {
    const root = ref.current;
    const target = sentinel.current;
    if (!canLoad || !root || !target || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void loadEarlier(true), {
      root,
      rootMargin: `${EARLIER_MARGIN_PX}px 0px 0px 0px`,
    });
    io.observe(target);
    return () => io.disconnect();
  }, [canLoad, firstId, loadEarlier]);

  const onScroll = () => {
    const el = ref.current!;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (atBottom.current) setUnseen(0);
    saveAnchor();
  };

  // The last staff message the customer has read carries the quiet "Read".
  const readIndex = readUpTo ? messages.findIndex((m) => m.id === readUpTo) : -1;
  let lastReadStaff = -1;
  if (readIndex >= 0)
    for (let i = messages.length - 1; i >= 0; i--)
      if (i <= readIndex && messages[i].author.type !== 'customer' && messages[i].kind === 'public') {
        lastReadStaff = i;
        break;
      }

  return (
    <div className="thread-wrap">
      <div
        ref={ref}
        className={`thread ${chat ? 'chat' : ''}`}
        role="log"
        aria-label={t('ticket.thread')}
        tabIndex={0}
        onScroll={onScroll}
        data-testid="thread"
      >
        {onLoadEarlier && (
          <div ref={sentinel} className="load-earlier-wrap" data-testid="load-earlier-sentinel">
            <button
              type="button"
              className="load-earlier"
              aria-disabled={earlier === 'loading' || undefined}
              onClick={() => void loadEarlier()}
              data-testid="load-earlier"
            >
              {earlier === 'loading' ? (
                <>
                  <span className="spinner" aria-hidden="true" /> {t('ticket.loadingEarlier')}
                </>
              ) : (
                t('ticket.loadEarlier')
              )}
            </button>
            {earlier === 'failed' && (
              <span className="load-earlier-error" role="alert">
                {t('ticket.loadEarlierFailed')}
              </span>
            )}
          </div>
        )}
        {messages.map((m, i) => {
          const customer = m.author.type === 'customer';
          const cls = m.kind === 'system' ? 'system' : m.internal ? 'note' : customer ? 'customer' : 'staff';
          const name =
            m.author.id === meId
              ? t('ticket.you')
              : (m.author.name ?? (customer ? t('ticket.customer') : t('ticket.system')));
          return (
            <article
              key={m.id}
              className={`msg msg-${cls} ${m.pending ? 'pending' : ''}`}
              data-testid="message"
              data-id={m.id}
              data-kind={m.internal ? 'internal' : m.kind}
              aria-label={m.internal ? `${t('ticket.internalNote')}: ${name}` : name}
            >
              {m.kind !== 'system' && (
                <header className="msg-head">
                  {m.internal && (
                    <span className="note-label">
                      <LockIcon /> {t('ticket.internalNote')}
                    </span>
                  )}
                  <strong>{name}</strong>
                  <time dateTime={m.createdAt} title={absoluteTime(m.createdAt, i18n.language)}>
                    {chat ? clockTime(m.createdAt, i18n.language) : absoluteTime(m.createdAt, i18n.language)}
                  </time>
                  {m.pending && <span className="muted">{t('ticket.sending')}</span>}
                </header>
              )}
              {m.body && <div className="msg-body">{m.body}</div>}
              {m.attachments.length > 0 && (
                <div className="msg-attachments">
                  {m.attachments.map((a) =>
                    isImage(a) || !a.filename ? <AuthImage key={a.id} a={a} /> : <FileLink key={a.id} a={a} />,
                  )}
                </div>
              )}
              {i === lastReadStaff && (
                <div className="read-mark" data-testid="read-mark">
                  {t('ticket.read')}
                </div>
              )}
            </article>
          );
        })}
      </div>
      {unseen > 0 && (
        <button
          className="new-pill bottom"
          onClick={() => {
            ref.current!.scrollTop = ref.current!.scrollHeight;
            setUnseen(0);
          }}
        >
          {t('ticket.newMessages', { count: unseen })}
        </button>
      )}
    </div>
  );
}
