import { RealtimeClient, type TicketEventPayload } from '@crewdesk/realtime-client';
import type { Socket } from 'socket.io-client';
import { Api, ApiError, type AttachmentInfo, type SessionResponse, toApiError, type WireMessage } from './api';
import type { WidgetConfig } from './config';
import { h, icon, ICONS } from './dom';
import { EMOJI } from './emoji';
import { type Key, plural, type Translate, translator } from './i18n';
import { CSS } from './styles';
import { recordOpen, SurveyCard, SURVEY_CSS } from './survey';
import { needsSeparator, separatorLabel } from './time';

export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
const ACK_TIMEOUT_MS = 10_000;
const TYPING_SEND_EVERY_MS = 2_000;
const TYPING_IDLE_MS = 4_000;
const TYPING_SHOWN_MS = 5_000;
const ENDED = new Set(['solved', 'closed']);
const AVATAR_COLOURS = ['#018942', '#1F6FB2', '#6B4FBB', '#B23A48', '#0F766E', '#9A4D00'];

interface Att {
  id?: string;
  filename?: string;
  contentType?: string;
  size?: number;
  /** Object URL of the picked file while (and after) it uploads. */
  local?: string;
  pct?: number;
  btn?: HTMLElement;
  prog?: HTMLElement;
}

interface Msg {
  kind: 'msg' | 'sys';
  id?: string;
  /** clientMessageId, made once per message and reused on every retry. */
  cid?: string;
  ticketId?: string;
  mine: boolean;
  name: string;
  body: string;
  atts: Att[];
  at: number;
  state: 'sending' | 'sent' | 'failed';
  file?: File;
  el?: HTMLElement;
  main?: HTMLElement;
  stateEl?: HTMLElement;
}

type Phase = 'idle' | 'loading' | 'ready' | 'error';
type Banner = '' | 'offline' | 'reconnecting' | 'reconnected';

/** crypto.randomUUID exists only in secure contexts; fall back to getRandomValues (a v4 UUID either way). */
export function uuid(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  const x = Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Text with http(s) links as <a> elements; everything else stays text (never HTML). */
export function linkify(text: string): Array<string | HTMLElement> {
  const out: Array<string | HTMLElement> = [];
  let last = 0;
  for (const m of text.matchAll(/https?:\/\/[^\s<>"'，。！？、；：（）【】《》「」]+/gi)) {
    const url = m[0].replace(/[.,!?;:)\]}'"]+$/, '');
    const at = m.index ?? 0;
    out.push(
      text.slice(last, at),
      h('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow', text: url }),
    );
    last = at + url.length;
  }
  out.push(text.slice(last));
  return out.filter((p) => p !== '');
}

const memory = new Map<string, string>();
const store = {
  get(k: string): string | null {
    try {
      return localStorage.getItem(k);
    } catch {
      return memory.get(k) ?? null;
    }
  },
  set(k: string, v: string | null): void {
    try {
      if (v === null) localStorage.removeItem(k);
      else localStorage.setItem(k, v);
    } catch {
      if (v === null) memory.delete(k);
      else memory.set(k, v);
    }
  },
};

const media = (q: string) => typeof matchMedia === 'function' && matchMedia(q).matches;

export class Widget {
  private readonly t: Translate;
  private readonly api: Api;
  private readonly tokenKey: string;
  private readonly userKey: string;

  private shadow!: ShadowRoot;
  private rootEl!: HTMLElement;
  private launcher!: HTMLButtonElement;
  private badge!: HTMLElement;
  private panel!: HTMLElement;
  private head!: HTMLElement;
  private titleEl!: HTMLElement;
  private typingEl!: HTMLElement;
  private banner!: HTMLElement;
  private log!: HTMLElement;
  private pill!: HTMLButtonElement;
  private errEl!: HTMLElement;
  private offlineBox!: HTMLElement;
  private input!: HTMLTextAreaElement;
  private emojiBtn!: HTMLButtonElement;
  private moreBtn!: HTMLButtonElement;
  private sendBtn!: HTMLButtonElement;
  private emojiDrawer!: HTMLElement;
  private moreDrawer!: HTMLElement;
  private fileInput!: HTMLInputElement;
  private viewer!: HTMLElement;
  private viewerClose!: HTMLButtonElement;
  private stage!: HTMLElement;
  private viewerImg!: HTMLImageElement;
  private readEl!: HTMLElement;

  private token?: string;
  private ticketId?: string;
  private status?: string;
  /**
   * Statuses of tickets that are not (yet) the conversation shown: a new conversation's events can arrive before the
   * ack that names its ticket, and a solve seen then must still count once the ticket is known.
   */
  private readonly early = new Map<string, string>();
  private wsName = '';
  private greeting: string | null = null;
  private online = true;
  private contactDone = false;
  private phase: Phase = 'idle';
  private phaseError: Key = 'unavailable';
  private phaseVars: Record<string, string | number> = {};

  private items: Msg[] = [];
  private readonly byId = new Map<string, Msg>();
  private readonly byCid = new Map<string, Msg>();
  private readonly urls = new Map<string, Promise<{ url: string; type: string }>>();
  private lastShown?: number;
  private readId?: string;
  private lastReadSent?: string;

  private sessionP?: Promise<void>;
  private client?: RealtimeClient;
  private sock?: Socket;
  private refusals = 0;

  private isOpen = false;
  private unread = 0;
  private newCount = 0;
  private pinned = true;
  private typingOut = false;
  private typingSentAt = 0;
  private typingStop?: ReturnType<typeof setTimeout>;
  private typingShown?: ReturnType<typeof setTimeout>;
  private bannerTimer?: ReturnType<typeof setTimeout>;
  private errTimer?: ReturnType<typeof setTimeout>;
  private viewerReturn?: HTMLElement;
  /** The survey card after a solved conversation (fetched on connect, so it survives being away). */
  private readonly surveyCard: SurveyCard;
  private openRecorded = false;

  constructor(private readonly cfg: WidgetConfig) {
    this.t = translator(cfg.lang);
    this.api = new Api(cfg.api, cfg.workspace, () => this.token);
    this.tokenKey = `crewdesk:${cfg.workspace}:visitor`;
    this.userKey = `crewdesk:${cfg.workspace}:user`;
    this.surveyCard = new SurveyCard(cfg.api, () => this.token, cfg.lang);
  }

  // ---------------------------------------------------------------- DOM

  mount(parent: HTMLElement): void {
    const t = this.t;
    const host = h('div', { id: 'crewdesk-widget', 'data-testid': 'crewdesk-widget' });
    // Inline !important beats the page's stylesheets: nothing the host page sets reaches the widget.
    host.style.setProperty('all', 'initial', 'important');
    this.shadow = host.attachShadow({ mode: 'open' });
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS + SURVEY_CSS); // constructable sheets also work under a strict style-src CSP
      this.shadow.adoptedStyleSheets = [sheet];
    } catch {
      this.shadow.append(h('style', { text: CSS + SURVEY_CSS }));
    }

    const tile = (svg: string, label: string, testid: string, onclick: () => void) =>
      h('button', { class: 'cd-tile', type: 'button', 'data-testid': testid, onclick }, icon(svg), label);
    const pickFrom = (input: HTMLInputElement) => () => this.pickFiles(input);
    this.fileInput = h('input', {
      type: 'file',
      accept: 'image/*',
      multiple: true,
      hidden: true,
      tabindex: '-1',
      'data-testid': 'crewdesk-file-input',
    });
    const camera = h('input', {
      type: 'file',
      accept: 'image/*',
      capture: 'environment',
      hidden: true,
      tabindex: '-1',
      'data-testid': 'crewdesk-camera-input',
    });
    this.fileInput.addEventListener('change', pickFrom(this.fileInput));
    camera.addEventListener('change', pickFrom(camera));

    this.rootEl = h(
      'div',
      { class: 'cd-root', lang: this.cfg.lang, onkeydown: (e: KeyboardEvent) => this.onKey(e) },
      (this.launcher = h(
        'button',
        {
          class: 'cd-launcher',
          type: 'button',
          'aria-expanded': 'false',
          'aria-controls': 'cd-panel',
          'aria-label': t('openChat'),
          'data-testid': 'crewdesk-launcher',
          onclick: () => this.toggle(),
        },
        icon(ICONS.chat),
        (this.badge = h('span', {
          class: 'cd-badge',
          'aria-hidden': 'true',
          hidden: true,
          'data-testid': 'crewdesk-unread',
        })),
      )),
      (this.panel = h(
        'div',
        {
          id: 'cd-panel',
          class: 'cd-panel',
          role: 'dialog',
          'aria-labelledby': 'cd-title',
          tabindex: '-1',
          hidden: true,
          'data-testid': 'crewdesk-panel',
        },
        (this.head = h(
          'div',
          { class: 'cd-head' },
          h(
            'div',
            { class: 'cd-titles' },
            (this.titleEl = h('h2', { id: 'cd-title', class: 'cd-title', 'data-testid': 'crewdesk-title' })),
            (this.typingEl = h('span', { class: 'cd-typing', role: 'status', 'data-testid': 'crewdesk-typing' })),
          ),
          h(
            'button',
            {
              class: 'cd-btn',
              type: 'button',
              'aria-label': t('closeChat'),
              'data-testid': 'crewdesk-close',
              onclick: () => this.close(),
            },
            icon(ICONS.close),
          ),
        )),
        (this.banner = h('div', { class: 'cd-banner', role: 'status', 'data-testid': 'crewdesk-connection' })),
        h(
          'div',
          { class: 'cd-logwrap' },
          (this.log = h('div', {
            class: 'cd-log',
            role: 'log',
            'aria-label': t('chatLog'),
            tabindex: '0',
            'data-testid': 'crewdesk-messages',
            onscroll: () => this.onScroll(),
          })),
          (this.pill = h('button', {
            class: 'cd-pill',
            type: 'button',
            hidden: true,
            'data-testid': 'crewdesk-new-messages',
            onclick: () => this.scrollToEnd(),
          })),
        ),
        (this.errEl = h('div', { class: 'cd-err', role: 'alert', 'data-testid': 'crewdesk-error' })),
        this.surveyCard.el,
        (this.offlineBox = h('div', { class: 'cd-offline', hidden: true, 'data-testid': 'crewdesk-offline' })),
        h(
          'div',
          { class: 'cd-bar' },
          (this.emojiBtn = h(
            'button',
            {
              class: 'cd-btn',
              type: 'button',
              'aria-label': t('emoji'),
              'aria-expanded': 'false',
              'aria-controls': 'cd-emoji',
              'data-testid': 'crewdesk-emoji-button',
              onclick: () => this.drawer('emoji'),
            },
            icon(ICONS.emoji),
          )),
          (this.input = h('textarea', {
            class: 'cd-input',
            rows: '1',
            'aria-label': t('input'),
            enterkeyhint: 'send',
            autocomplete: 'off',
            'data-testid': 'crewdesk-input',
            oninput: () => this.onInput(),
            onkeydown: (e: KeyboardEvent) => this.onInputKey(e),
            onfocus: () => this.drawer(),
            onblur: () => this.stopTyping(),
          })),
          (this.moreBtn = h(
            'button',
            {
              class: 'cd-btn',
              type: 'button',
              'aria-label': t('more'),
              'aria-expanded': 'false',
              'aria-controls': 'cd-more',
              'data-testid': 'crewdesk-more-button',
              onclick: () => this.drawer('more'),
            },
            icon(ICONS.plus),
          )),
          (this.sendBtn = h(
            'button',
            {
              class: 'cd-send',
              type: 'button',
              hidden: true,
              'data-testid': 'crewdesk-send',
              // Keep focus (and the phone's keyboard) in the text field.
              onpointerdown: (e: Event) => e.preventDefault(),
              onclick: () => this.sendText(),
            },
            t('send'),
          )),
        ),
        (this.emojiDrawer = h(
          'div',
          {
            id: 'cd-emoji',
            class: 'cd-drawer',
            role: 'group',
            'aria-label': t('emoji'),
            hidden: true,
            'data-testid': 'crewdesk-emoji-panel',
          },
          h(
            'div',
            { class: 'cd-emojis' },
            ...EMOJI.map((e) =>
              h('button', { type: 'button', 'data-testid': 'crewdesk-emoji', onclick: () => this.insert(e) }, e),
            ),
          ),
        )),
        (this.moreDrawer = h(
          'div',
          {
            id: 'cd-more',
            class: 'cd-drawer',
            role: 'group',
            'aria-label': t('more'),
            hidden: true,
            'data-testid': 'crewdesk-more-panel',
          },
          h(
            'div',
            { class: 'cd-tiles' },
            tile(ICONS.photo, t('photo'), 'crewdesk-photo', () => this.fileInput.click()),
            tile(ICONS.camera, t('camera'), 'crewdesk-camera', () => camera.click()),
          ),
        )),
        this.fileInput,
        camera,
      )),
      (this.viewer = h(
        'div',
        {
          class: 'cd-viewer',
          role: 'dialog',
          'aria-modal': 'true',
          'aria-label': t('imageViewer'),
          hidden: true,
          'data-testid': 'crewdesk-image-viewer',
        },
        (this.viewerClose = h(
          'button',
          {
            class: 'cd-btn',
            type: 'button',
            'aria-label': t('closeImage'),
            'data-testid': 'crewdesk-image-viewer-close',
            onclick: () => this.closeViewer(),
          },
          icon(ICONS.close),
        )),
        (this.stage = h(
          'div',
          {
            class: 'cd-stage',
            tabindex: '0',
            role: 'button',
            'aria-label': t('zoom'),
            onclick: () => this.stage.classList.toggle('cd-zoomed'),
            onkeydown: (e: KeyboardEvent) =>
              (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), this.stage.classList.toggle('cd-zoomed')),
          },
          (this.viewerImg = h('img', { alt: t('image') })),
        )),
      )),
    );
    this.readEl = h('div', { class: 'cd-read', 'data-testid': 'crewdesk-read', text: t('read') });
    this.shadow.append(this.rootEl);
    parent.append(host);

    addEventListener('online', () => {
      if (this.sock && !this.sock.connected) {
        this.setBanner('reconnecting');
        this.sock.connect();
      }
    });
    addEventListener('offline', () => this.sock && this.setBanner('offline'));
    document.addEventListener('visibilitychange', () => this.maybeMarkRead());
    const fit = () => this.fitViewport();
    visualViewport?.addEventListener('resize', fit);
    visualViewport?.addEventListener('scroll', fit);
    addEventListener('resize', fit);
    // Keep the newest message in view when the log shrinks (keyboard, error line, offline form, drawers).
    if (typeof ResizeObserver === 'function')
      new ResizeObserver(() => this.pinned && this.scrollToEnd()).observe(this.log);

    this.renderAll();
    // A returning visitor reconnects at once so a reply that came while away shows on the launcher.
    if (this.storedToken()) this.start().catch(() => undefined);
  }

  // ---------------------------------------------------------------- open / close

  toggle(): void {
    if (this.isOpen) this.close();
    else this.open();
  }

  open(): void {
    if (this.isOpen) return;
    this.isOpen = true;
    this.rootEl.classList.add('cd-open');
    this.panel.hidden = false;
    this.panel.setAttribute('aria-modal', String(this.modal()));
    this.launcher.setAttribute('aria-expanded', 'true');
    this.setUnread(0);
    if (!this.openRecorded) recordOpen(this.cfg.api, this.cfg.workspace);
    this.openRecorded = true;
    this.fitViewport();
    this.start().catch(() => undefined);
    this.scrollToEnd();
    // On a phone, focusing the field would pop the keyboard over the conversation.
    (media('(pointer: fine)') ? this.input : this.panel).focus({ preventScroll: true });
    this.maybeMarkRead();
  }

  close(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.stopTyping();
    this.drawer();
    this.closeViewer(false);
    this.panel.hidden = true;
    this.rootEl.classList.remove('cd-open');
    this.launcher.setAttribute('aria-expanded', 'false');
    this.setUnread(this.unread);
    if (this.shadow.activeElement) this.launcher.focus(); // return focus only if it was in the widget
  }

  /** Forget this browser's visitor (e.g. when the host's user logs out). */
  reset(): void {
    this.client?.close();
    this.client = this.sock = undefined;
    this.sessionP = undefined;
    this.token = this.ticketId = this.status = this.readId = this.lastReadSent = undefined;
    this.early.clear();
    store.set(this.tokenKey, null);
    store.set(this.userKey, null);
    for (const p of this.urls.values())
      p.then(
        ({ url }) => URL.revokeObjectURL(url),
        () => undefined,
      );
    this.urls.clear();
    this.items = [];
    this.byId.clear();
    this.byCid.clear();
    this.phase = 'idle';
    this.greeting = null;
    this.online = true;
    this.contactDone = false;
    this.setUnread(0);
    this.setBanner('');
    this.renderOffline();
    this.renderAll();
    if (this.isOpen) this.start().catch(() => undefined);
  }

  private modal(): boolean {
    return media('(max-width: 480px)');
  }

  /** Full screen on a phone: follow the visual viewport so the input bar stays above the keyboard. */
  private fitViewport(): void {
    const vv = window.visualViewport;
    const s = this.panel.style;
    if (this.isOpen && vv && this.modal()) {
      s.height = `${vv.height}px`;
      s.top = `${vv.offsetTop}px`;
      if (this.pinned) this.scrollToEnd();
    } else {
      s.height = s.top = '';
    }
  }

  private setUnread(n: number): void {
    this.unread = n;
    this.badge.hidden = n === 0;
    this.badge.textContent = n > 99 ? '99+' : String(n);
    this.launcher.setAttribute(
      'aria-label',
      this.isOpen ? this.t('closeChat') : n ? plural(this.t, 'openChatUnread', n) : this.t('openChat'),
    );
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      if (!this.viewer.hidden) this.closeViewer();
      else if (!this.emojiDrawer.hidden || !this.moreDrawer.hidden) this.drawer();
      else if (this.isOpen) this.close();
      else return;
      e.stopPropagation();
    } else if (e.key === 'Tab') {
      const scope = !this.viewer.hidden ? this.viewer : this.isOpen && this.modal() ? this.panel : null;
      if (!scope) return;
      const list = Array.from(
        scope.querySelectorAll<HTMLElement>('button,textarea,input,a[href],[tabindex="0"]'),
      ).filter((el) => el.getClientRects().length > 0 && el.tabIndex >= 0);
      if (!list.length) return;
      const first = list[0];
      const last = list[list.length - 1];
      const active = this.shadow.activeElement;
      if (e.shiftKey ? active === first || !scope.contains(active) : active === last || !scope.contains(active)) {
        e.preventDefault();
        (e.shiftKey ? last : first).focus();
      }
    }
  }

  // ---------------------------------------------------------------- session and socket

  private storedToken(): string | undefined {
    const owner = store.get(this.userKey) ?? '';
    // A token that belonged to another signed-in user is never reused (shared computers).
    if (owner && owner !== (this.cfg.identity?.userId ?? '')) return undefined;
    return store.get(this.tokenKey) ?? undefined;
  }

  private saveToken(token: string): void {
    this.token = token;
    store.set(this.tokenKey, token);
    store.set(this.userKey, this.cfg.identity?.userId ?? '');
  }

  private async openSession(): Promise<SessionResponse> {
    const identity = this.cfg.identity;
    const visitorToken = this.token ?? this.storedToken();
    try {
      return await this.api.session({ visitorToken, identity });
    } catch (e) {
      // A stale or foreign visitor token: start over as a new visitor rather than not at all.
      if (
        visitorToken &&
        e instanceof ApiError &&
        (e.status === 401 || e.status === 403 || e.status === 404) &&
        e.code !== 'IDENTITY_INVALID'
      ) {
        store.set(this.tokenKey, null);
        this.token = undefined;
        return this.api.session({ identity });
      }
      throw e;
    }
  }

  private start(): Promise<void> {
    if (this.sessionP) return this.sessionP;
    this.phase = 'loading';
    this.renderAll();
    const p = this.openSession().then((s) => this.applySession(s));
    this.sessionP = p;
    p.catch((e) => {
      if (this.sessionP !== p) return;
      this.sessionP = undefined;
      this.phase = 'error';
      this.phaseError = this.errorKey(e, 'unavailable');
      this.phaseVars = this.errorVars(e);
      if (e instanceof ApiError && e.code === 'IDENTITY_INVALID')
        console.error(
          '[Crewdesk] data-user-hmac does not match data-user-id: compute hex HMAC-SHA256(userId) with the widget secret on your server.',
        );
      this.renderAll();
    });
    return p;
  }

  private async ensureSession(): Promise<void> {
    await this.start();
    if (!this.token || !this.sock) throw new ApiError(0, 'NETWORK', 'No session');
  }

  private applySession(s: SessionResponse): void {
    this.saveToken(s.visitorToken);
    this.wsName = s.workspace?.name ?? '';
    this.titleEl.textContent = this.wsName;
    this.greeting = s.greeting || null;
    this.online = s.online !== false;
    if (s.conversation) {
      this.ticketId = s.conversation.ticketId;
      this.status = s.conversation.status;
    }
    this.renderOffline();
    this.connect();
    if (this.ticketId) void this.loadHistory();
    else {
      this.phase = 'ready';
      this.renderAll();
    }
  }

  private async loadHistory(): Promise<void> {
    const ticketId = this.ticketId;
    if (!ticketId) return;
    try {
      const list = await this.api.history(ticketId);
      const changed = this.phase !== 'ready';
      this.phase = 'ready';
      let added = false;
      for (const w of list) {
        if (this.byId.has(w.id)) continue;
        const m = this.fromWire(w);
        this.byId.set(w.id, m);
        this.items.push(m);
        added = true;
      }
      if (added || changed) this.renderAll();
      this.maybeMarkRead();
    } catch (e) {
      if (this.phase === 'ready') this.showError(this.t('historyFailed'));
      else {
        this.phase = 'error';
        this.phaseError = this.errorKey(e, 'historyFailed');
        this.phaseVars = this.errorVars(e);
        this.renderAll();
      }
    }
  }

  private connect(): void {
    if (this.client) return;
    const client = new RealtimeClient({ url: this.cfg.api, namespace: '/widget', token: () => this.token ?? '' });
    const s = client.socket as unknown as Socket;
    this.client = client;
    this.sock = s;
    let connectedBefore = false;
    s.on('connect', () => {
      this.refusals = 0;
      this.setBanner(connectedBefore ? 'reconnected' : '');
      // Anything missed while away (a replay covers most; this also covers a first connection's gap).
      if (connectedBefore) void this.loadHistory();
      connectedBefore = true;
      void this.surveyCard.check();
      this.maybeMarkRead();
    });
    s.on('disconnect', (reason: string) => {
      if (reason === 'io client disconnect') return;
      this.setBanner(navigator.onLine === false ? 'offline' : 'reconnecting');
      this.setTyping(false);
      if (reason === 'io server disconnect') setTimeout(() => this.sock === s && s.connect(), 2000);
    });
    s.on('connect_error', (err: Error & { data?: { code?: string } }) => void this.onConnectError(s, err));
    s.on('typing', (p: { ticketId?: string; typing?: boolean; mode?: string }) => {
      if (p && p.ticketId === this.ticketId && p.mode !== 'note') this.setTyping(!!p.typing);
    });
    client.onEvent((e) => this.onEvent(e));
    // Events between the first history fetch and joining the room: fetch once more when caught up.
    void client.ready().then(() => this.loadHistory());
  }

  private async onConnectError(s: Socket, err: Error & { data?: { code?: string } }): Promise<void> {
    const code = err?.data?.code;
    if (!code) {
      // Transport trouble: socket.io retries by itself.
      this.setBanner(navigator.onLine === false ? 'offline' : 'reconnecting');
      return;
    }
    // The handshake was refused: socket.io does not retry that on its own.
    if (code === 'FORBIDDEN') {
      this.setBanner('');
      this.showError(this.t('forbidden'), false);
      return;
    }
    if (++this.refusals > 3) {
      this.setBanner('');
      this.showError(this.t('unavailable'), false);
      return;
    }
    this.setBanner('reconnecting');
    try {
      this.saveToken((await this.openSession()).visitorToken);
    } catch {
      /* retried below */
    }
    setTimeout(() => this.sock === s && !s.connected && s.connect(), 1000 * this.refusals);
  }

  private setBanner(kind: Banner): void {
    clearTimeout(this.bannerTimer);
    this.banner.className = `cd-banner${kind === 'reconnected' ? ' cd-ok' : ''}`;
    this.banner.dataset.state = kind || 'online';
    this.banner.textContent = kind ? this.t(kind) : '';
    if (kind === 'reconnected') this.bannerTimer = setTimeout(() => this.setBanner(''), 3000);
  }

  private emit<T>(event: string, payload: unknown): Promise<T> {
    const s = this.sock;
    if (!s) return Promise.reject(new ApiError(0, 'NETWORK', 'Not connected'));
    return new Promise((resolve, reject) =>
      s.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err: Error | null, res: unknown) => {
        if (err) reject(new ApiError(0, 'TIMEOUT', 'No acknowledgement'));
        else if (res && typeof (res as { code?: unknown }).code === 'string') reject(toApiError(0, res, 'ERROR'));
        else resolve(res as T);
      }),
    );
  }

  // ---------------------------------------------------------------- ticket events

  private onEvent(e: TicketEventPayload): void {
    const d = (e.data ?? {}) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    if (e.type === 'message.created') {
      const w = d.message as WireMessage | undefined;
      if (!w?.id) return;
      const pending = w.clientMessageId ? this.byCid.get(w.clientMessageId) : undefined;
      if (pending) {
        if (!pending.id) this.confirm(pending, w.id, w.createdAt, e.ticketId);
        return;
      }
      if (e.ticketId !== this.ticketId || this.byId.has(w.id)) return;
      const m = this.fromWire({ ...w, ticketId: e.ticketId });
      this.byId.set(w.id, m);
      this.add(m);
      if (!m.mine) {
        this.setTyping(false);
        if (!this.isOpen) this.setUnread(this.unread + 1);
        this.maybeMarkRead();
      }
    } else if (e.type === 'message.read') {
      if (e.ticketId === this.ticketId && d.by !== 'customer' && typeof d.messageId === 'string') {
        this.readId = d.messageId;
        this.placeRead();
      }
    } else if (e.type === 'ticket.updated' || e.type === 'ticket.created') {
      const status = d.ticket?.status ?? d.status;
      if (typeof status !== 'string') return;
      if (e.ticketId !== this.ticketId) {
        this.early.set(e.ticketId, status);
        if (this.early.size > 20) this.early.delete(this.early.keys().next().value!);
        return;
      }
      this.setStatus(status, Date.parse(e.createdAt) || Date.now());
    }
  }

  /** The conversation's status; ending it says so in the chat and asks for the survey. */
  private setStatus(status: string, at: number): void {
    const was = this.status;
    this.status = status;
    if (!ENDED.has(status) || !this.ticketId) return;
    void this.surveyCard.check(this.ticketId);
    if (!ENDED.has(was ?? ''))
      this.add({ kind: 'sys', mine: false, name: '', body: this.t('ended'), atts: [], at, state: 'sent' });
  }

  private fromWire(w: WireMessage): Msg {
    const mine = w.author?.type === 'customer';
    return {
      kind: 'msg',
      id: w.id,
      ticketId: w.ticketId,
      mine,
      name: mine ? '' : w.author?.name || this.wsName,
      body: w.body ?? '',
      atts: w.attachments?.map((a) => ({ ...a })) ?? (w.attachmentIds ?? []).map((id) => ({ id })),
      at: Date.parse(w.createdAt) || Date.now(),
      state: 'sent',
    };
  }

  /** A pending message was stored (ack or its own message.created, whichever came first). */
  private confirm(m: Msg, id: string, createdAt?: string, ticketId?: string): void {
    const adopted = ticketId && ticketId !== this.ticketId ? ticketId : undefined;
    if (adopted) {
      this.ticketId = adopted;
      this.status = 'open';
    }
    const other = this.byId.get(id);
    if (other && other !== m) {
      // Already shown (a history reload found it before the ack): drop the pending copy.
      this.items = this.items.filter((x) => x !== m);
      this.renderAll();
    } else {
      m.id = id;
      m.ticketId = ticketId ?? this.ticketId;
      m.state = 'sent';
      m.file = undefined;
      if (createdAt) m.at = Date.parse(createdAt) || m.at;
      this.byId.set(id, m);
      this.paintState(m);
      this.placeRead();
    }
    if (adopted) {
      // What happened to the new conversation before the ack named it: its status, and any reply already sent.
      const status = this.early.get(adopted);
      this.early.clear();
      if (status) this.setStatus(status, Date.now());
      void this.loadHistory();
    }
  }

  private setTyping(on: boolean): void {
    clearTimeout(this.typingShown);
    this.head.classList.toggle('cd-is-typing', on);
    this.typingEl.textContent = on ? this.t('typing') : '';
    if (on) this.typingShown = setTimeout(() => this.setTyping(false), TYPING_SHOWN_MS);
  }

  /** Tell staff the newest of their messages has been seen (panel open, page visible, scrolled to the end). */
  private maybeMarkRead(): void {
    if (
      !this.isOpen ||
      document.visibilityState === 'hidden' ||
      !this.pinned ||
      !this.sock?.connected ||
      !this.ticketId
    )
      return;
    for (let i = this.items.length - 1; i >= 0; i--) {
      const m = this.items[i];
      if (m.kind !== 'msg' || m.mine || !m.id) continue;
      if (m.id !== this.lastReadSent && m.ticketId === this.ticketId) {
        this.lastReadSent = m.id;
        this.sock.emit('message.read', { ticketId: this.ticketId, messageId: m.id });
      }
      return;
    }
  }

  // ---------------------------------------------------------------- composing and sending

  private onInput(): void {
    const ta = this.input;
    ta.style.height = 'auto';
    const max = 121; // 4 lines of 16 px at line-height 1.6, plus padding
    ta.style.height = `${Math.max(44, Math.min(ta.scrollHeight, max))}px`;
    ta.style.overflowY = ta.scrollHeight > max ? 'auto' : 'hidden';
    const has = ta.value.trim() !== '';
    this.sendBtn.hidden = !has;
    this.moreBtn.hidden = has;
    if (!has) return this.stopTyping();
    if (!this.ticketId || !this.sock?.connected) return;
    const now = Date.now();
    if (!this.typingOut || now - this.typingSentAt >= TYPING_SEND_EVERY_MS) {
      this.sock.emit('typing', { ticketId: this.ticketId, typing: true });
      this.typingOut = true;
      this.typingSentAt = now;
    }
    clearTimeout(this.typingStop);
    this.typingStop = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  private stopTyping(): void {
    clearTimeout(this.typingStop);
    if (this.typingOut && this.ticketId && this.sock?.connected)
      this.sock.emit('typing', { ticketId: this.ticketId, typing: false });
    this.typingOut = false;
  }

  private onInputKey(e: KeyboardEvent): void {
    // Enter sends, Shift+Enter is a new line; the Enter that picks an IME candidate never sends.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      this.sendText();
    }
  }

  private drawer(which?: 'emoji' | 'more'): void {
    const emoji = which === 'emoji' && this.emojiDrawer.hidden;
    const more = which === 'more' && this.moreDrawer.hidden;
    this.emojiDrawer.hidden = !emoji;
    this.moreDrawer.hidden = !more;
    this.emojiBtn.setAttribute('aria-expanded', String(emoji));
    this.moreBtn.setAttribute('aria-expanded', String(more));
    // The panel takes the keyboard's place on a phone.
    if ((emoji || more) && !media('(pointer: fine)')) this.input.blur();
    if (this.pinned) this.scrollToEnd();
  }

  private insert(text: string): void {
    const ta = this.input;
    const s = ta.selectionStart ?? ta.value.length;
    const e = ta.selectionEnd ?? s;
    ta.value = ta.value.slice(0, s) + text + ta.value.slice(e);
    ta.setSelectionRange(s + text.length, s + text.length);
    this.onInput();
  }

  private sendText(): void {
    const body = this.input.value.trim();
    if (!body) return;
    this.input.value = '';
    this.onInput();
    this.stopTyping();
    void this.deliver(this.addMine(body, []));
  }

  private pickFiles(input: HTMLInputElement): void {
    const files = Array.from(input.files ?? []);
    input.value = '';
    this.drawer();
    for (const f of files.slice(0, 9)) {
      if (f.type && !f.type.startsWith('image/')) this.showError(this.t('notImage', { name: f.name }));
      else if (f.size > MAX_IMAGE_BYTES)
        this.showError(this.t('tooLarge', { name: f.name, size: (f.size / 1048576).toFixed(1) }));
      else
        void this.deliver(
          this.addMine(
            '',
            [{ local: URL.createObjectURL(f), contentType: f.type || 'image/*', filename: f.name, size: f.size }],
            f,
          ),
        );
    }
  }

  private addMine(body: string, atts: Att[], file?: File): Msg {
    const cid = uuid();
    const m: Msg = { kind: 'msg', cid, mine: true, name: '', body, atts, at: Date.now(), state: 'sending', file };
    this.byCid.set(cid, m);
    this.add(m);
    return m;
  }

  /** Upload (if an image) then `message.send` with the message's one clientMessageId; Retry calls this again. */
  private async deliver(m: Msg): Promise<void> {
    m.state = 'sending';
    this.paintState(m);
    const a = m.atts[0];
    try {
      await this.ensureSession();
      if (m.file && a && !a.id) {
        const file = m.file;
        this.progress(a, 0);
        const info: AttachmentInfo = await this.api.upload(file, (f) => this.progress(a, f));
        Object.assign(a, { id: info.id, filename: info.filename, contentType: info.contentType, size: info.size });
        if (a.local) this.urls.set(info.id, Promise.resolve({ url: a.local, type: info.contentType || file.type }));
        this.progress(a);
      }
      const ids = m.atts.map((x) => x.id).filter((x): x is string => !!x);
      const ack = await this.emit<{ id: string; ticketId: string; createdAt: string }>('message.send', {
        clientMessageId: m.cid,
        body: m.body,
        ...(ids.length ? { attachmentIds: ids } : {}),
      });
      if (!m.id) this.confirm(m, ack.id, ack.createdAt, ack.ticketId);
      this.showError('');
    } catch (e) {
      if (m.id) return; // its message.created arrived meanwhile: it was stored
      m.state = 'failed';
      if (a) this.progress(a);
      this.paintState(m);
      this.showError(this.t(this.errorKey(e, m.file ? 'uploadFailed' : 'sendFailed'), this.errorVars(e, m.file)));
      if (e instanceof ApiError && (e.code === 'UNAUTHENTICATED' || e.code === 'TOKEN_EXPIRED'))
        this.openSession().then(
          (s) => this.saveToken(s.visitorToken),
          () => undefined,
        );
    }
  }

  private errorKey(e: unknown, fallback: Key): Key {
    const code = e instanceof ApiError ? e.code : '';
    if (code === 'RATE_LIMITED') return (e as ApiError).retryAfter ? 'rateLimitedSeconds' : 'rateLimited';
    if (code === 'IDENTITY_INVALID') return 'identityInvalid';
    if (code === 'FORBIDDEN' && fallback === 'unavailable') return 'forbidden';
    if (code === 'VALIDATION_FAILED' && (fallback === 'sendFailed' || fallback === 'emailFailed'))
      return fallback === 'sendFailed' ? 'invalid' : 'emailInvalid';
    if (code === 'PAYLOAD_TOO_LARGE') return 'tooLarge';
    if (code === 'UNSUPPORTED_MEDIA_TYPE') return 'notImage';
    if (code === 'TIMEOUT') return 'timeout';
    if (code === 'NETWORK' && navigator.onLine === false) return 'offline';
    return fallback;
  }

  private errorVars(e: unknown, file?: File): Record<string, string | number> {
    return {
      seconds: e instanceof ApiError ? (e.retryAfter ?? 60) : 60,
      name: file?.name ?? '',
      size: file ? (file.size / 1048576).toFixed(1) : '',
    };
  }

  private showError(text: string, autoClear = true): void {
    clearTimeout(this.errTimer);
    this.errEl.textContent = text;
    if (text && autoClear) this.errTimer = setTimeout(() => (this.errEl.textContent = ''), 10_000);
  }

  private progress(a: Att, fraction?: number): void {
    if (fraction === undefined) {
      a.prog?.remove();
      a.prog = a.pct = undefined;
      return;
    }
    a.pct = Math.round(fraction * 100);
    if (!a.prog && a.btn) {
      a.prog = h('span', {
        class: 'cd-prog',
        role: 'progressbar',
        'aria-valuemin': '0',
        'aria-valuemax': '100',
        'aria-label': this.t('uploading'),
        'data-testid': 'crewdesk-upload-progress',
      });
      a.btn.append(a.prog);
    }
    a.prog?.setAttribute('aria-valuenow', String(a.pct));
    if (a.prog) a.prog.textContent = `${a.pct}%`;
  }

  // ---------------------------------------------------------------- rendering

  private onScroll(): void {
    const l = this.log;
    this.pinned = l.scrollHeight - l.scrollTop - l.clientHeight < 48;
    if (this.pinned) {
      this.newCount = 0;
      this.pill.hidden = true;
      this.maybeMarkRead();
    }
  }

  private scrollToEnd(): void {
    this.log.scrollTop = this.log.scrollHeight;
    this.pinned = true;
    this.newCount = 0;
    this.pill.hidden = true;
  }

  private sys(text: string, retry?: () => void): HTMLElement {
    return h(
      'div',
      { class: 'cd-sys', 'data-testid': 'crewdesk-system' },
      h('span', { text }),
      retry
        ? h(
            'button',
            { class: 'cd-link', type: 'button', 'data-testid': 'crewdesk-reload', onclick: retry },
            this.t('reload'),
          )
        : null,
    );
  }

  /** Rebuild the list (first load, history merges, out-of-order arrivals). Appends use `add`. */
  private renderAll(): void {
    const t = this.t;
    this.items.sort((a, b) => a.at - b.at);
    const frag = document.createDocumentFragment();
    if (this.greeting) {
      const g = this.row(
        { kind: 'msg', mine: false, name: this.wsName, body: this.greeting, atts: [], at: 0, state: 'sent' },
        false,
      );
      g.dataset.testid = 'crewdesk-greeting';
      frag.append(g);
    }
    this.lastShown = undefined;
    let prev: Msg | undefined;
    for (const m of this.items) prev = this.place(frag, m, prev);
    if (!this.items.length) {
      if (this.phase === 'loading') frag.append(this.sys(t('loading')));
      else if (this.phase === 'error')
        frag.append(
          this.sys(t(this.phaseError, this.phaseVars), () =>
            this.sessionP ? void this.loadHistory() : this.start().catch(() => undefined),
          ),
        );
      else if (!this.greeting) frag.append(this.sys(t('empty')));
    } else if (this.phase === 'error')
      frag.append(this.sys(t(this.phaseError, this.phaseVars), () => void this.loadHistory()));
    const stick = this.pinned;
    this.log.setAttribute('aria-busy', 'true');
    this.log.replaceChildren(frag);
    this.log.removeAttribute('aria-busy');
    this.placeRead();
    if (stick) this.scrollToEnd();
  }

  private place(parent: Node, m: Msg, prev?: Msg): Msg {
    let separated = false;
    if (needsSeparator(this.lastShown, m.at)) {
      parent.appendChild(
        h('div', {
          class: 'cd-time',
          'data-testid': 'crewdesk-time',
          text: separatorLabel(m.at, Date.now(), this.cfg.lang, this.t),
        }),
      );
      this.lastShown = m.at;
      separated = true;
    }
    const cont =
      !separated &&
      !!prev &&
      m.kind === 'msg' &&
      prev.kind === 'msg' &&
      prev.mine === m.mine &&
      (m.mine || prev.name === m.name);
    parent.appendChild(m.kind === 'sys' ? this.sys(m.body) : this.row(m, cont));
    return m;
  }

  /** Append at the end when in order (no re-render, so the log announces only the new message). */
  private add(m: Msg): void {
    const last = this.items[this.items.length - 1];
    this.items.push(m);
    if (!last || m.at < last.at || this.phase !== 'ready') {
      this.renderAll();
      return;
    }
    this.place(this.log, m, last);
    if (m.mine || this.pinned) this.scrollToEnd();
    else {
      this.newCount++;
      this.pill.replaceChildren(icon(ICONS.down), plural(this.t, 'newMessages', this.newCount));
      this.pill.hidden = false;
    }
  }

  private row(m: Msg, cont: boolean): HTMLElement {
    const t = this.t;
    const content = h(
      'div',
      { class: 'cd-content' },
      h('span', { class: 'cd-sr', text: m.mine ? t('you') : t('said', { name: m.name }) }),
    );
    if (m.body) content.append(h('div', { class: 'cd-bubble', 'data-testid': 'crewdesk-bubble' }, ...linkify(m.body)));
    for (const a of m.atts) content.append(this.attachment(a));
    const stateEl = h('span', { class: 'cd-state' });
    const main = h(
      'div',
      { class: 'cd-main' },
      !m.mine && !cont ? h('div', { class: 'cd-name', 'aria-hidden': 'true', text: m.name }) : null,
      h('div', { class: 'cd-line' }, content, stateEl),
    );
    const av = h('div', { class: 'cd-av', 'aria-hidden': 'true' });
    if (m.mine) av.append(icon(ICONS.person));
    else {
      const name = m.name || this.wsName || '?';
      let hash = 0;
      for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
      av.style.background = AVATAR_COLOURS[hash % AVATAR_COLOURS.length];
      av.textContent = Array.from(name.trim())[0]?.toUpperCase() ?? '?';
    }
    const el = h(
      'div',
      {
        class: `cd-row ${m.mine ? 'cd-out' : 'cd-in'}${cont ? ' cd-cont' : ''}`,
        'data-testid': 'crewdesk-message',
        'data-author': m.mine ? 'customer' : 'staff',
      },
      av,
      main,
    );
    Object.assign(m, { el, main, stateEl });
    this.paintState(m);
    return el;
  }

  private paintState(m: Msg): void {
    const { el, stateEl } = m;
    if (!el || !stateEl) return;
    el.dataset.state = m.state;
    if (m.id) el.dataset.messageId = m.id;
    if (m.cid) el.dataset.clientMessageId = m.cid;
    stateEl.replaceChildren();
    if (m.state === 'sending')
      stateEl.append(
        h('span', {
          class: 'cd-spin',
          role: 'img',
          'aria-label': this.t('sending'),
          'data-testid': 'crewdesk-sending',
        }),
      );
    else if (m.state === 'failed')
      stateEl.append(
        h(
          'button',
          {
            class: 'cd-retry',
            type: 'button',
            'aria-label': this.t('retry'),
            'data-testid': 'crewdesk-retry',
            onclick: () => void this.deliver(m),
          },
          h('span', { 'aria-hidden': 'true', text: '!' }),
        ),
      );
  }

  private attachment(a: Att): HTMLElement {
    if (a.contentType && !a.contentType.startsWith('image/')) return this.fileLink(a);
    const img = h('img', { alt: this.t('image') });
    const btn = h(
      'button',
      {
        class: 'cd-img',
        type: 'button',
        'aria-label': this.t('viewImage'),
        'data-testid': 'crewdesk-image',
        onclick: () => this.openViewer(img, btn),
      },
      img,
    );
    const broken = () => {
      btn.classList.add('cd-broken');
      btn.replaceChildren(this.t('imageFailed'));
    };
    img.onload = () => this.pinned && this.scrollToEnd();
    img.onerror = broken;
    a.btn = btn;
    if (a.prog) {
      a.prog = undefined;
      this.progress(a, (a.pct ?? 0) / 100);
    }
    if (a.local) img.src = a.local;
    else if (a.id)
      this.blobUrl(a.id).then(
        ({ url, type }) =>
          type && !type.startsWith('image/')
            ? btn.replaceWith(this.fileLink({ ...a, contentType: type }))
            : (img.src = url),
        broken,
      );
    return btn;
  }

  private fileLink(a: Att): HTMLElement {
    return h(
      'button',
      {
        class: 'cd-file',
        type: 'button',
        'data-testid': 'crewdesk-file',
        onclick: async () => {
          if (!a.id) return;
          const { url } = await this.blobUrl(a.id);
          const link = h('a', { href: url, download: a.filename || '' });
          this.shadow.append(link);
          link.click();
          link.remove();
        },
      },
      icon(ICONS.file),
      a.filename ? this.t('attachment', { name: a.filename }) : this.t('attachmentUnnamed'),
    );
  }

  /** Attachments need the Authorization header: fetched once as a blob, shown through an object URL. */
  private blobUrl(id: string): Promise<{ url: string; type: string }> {
    let p = this.urls.get(id);
    if (!p) {
      p = this.api.attachment(id).then((b) => ({ url: URL.createObjectURL(b), type: b.type }));
      p.catch(() => this.urls.delete(id));
      this.urls.set(id, p);
    }
    return p;
  }

  /** "已读" under the last customer bubble at or before the message staff have read. */
  private placeRead(): void {
    const idx = this.readId ? this.items.findIndex((m) => m.id === this.readId) : -1;
    for (let i = idx; i >= 0; i--) {
      const m = this.items[i];
      if (m.kind === 'msg' && m.mine && m.state === 'sent' && m.main) {
        if (this.readEl.parentNode !== m.main) m.main.append(this.readEl);
        return;
      }
    }
    this.readEl.remove();
  }

  private renderOffline(): void {
    const t = this.t;
    const box = this.offlineBox;
    box.replaceChildren();
    box.hidden = this.online;
    if (this.online) return;
    const known = this.cfg.identity?.email;
    if (this.contactDone || known) {
      const done = h('p', {
        tabindex: '-1',
        'data-testid': 'crewdesk-offline-done',
        text: this.contactDone ? t('emailDone') : t('emailKnown', { email: known! }),
      });
      box.append(done);
      if (this.contactDone) done.focus();
      return;
    }
    const note = h('p', {
      id: 'cd-email-note',
      class: 'cd-note',
      role: 'alert',
      'data-testid': 'crewdesk-email-error',
    });
    const input = h('input', {
      id: 'cd-email',
      type: 'email',
      inputmode: 'email',
      autocomplete: 'email',
      required: true,
      'aria-describedby': 'cd-email-note',
      'data-testid': 'crewdesk-email-input',
    });
    const submit = h(
      'button',
      { class: 'cd-primary', type: 'submit', 'data-testid': 'crewdesk-email-submit' },
      t('emailSubmit'),
    );
    const onsubmit = async (e: Event) => {
      e.preventDefault();
      const email = input.value.trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
        note.textContent = t('emailInvalid');
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      input.removeAttribute('aria-invalid');
      note.textContent = '';
      submit.disabled = true;
      try {
        await this.ensureSession();
        await this.api.contact(email);
        this.contactDone = true;
        this.renderOffline();
      } catch (err) {
        note.textContent = t(this.errorKey(err, 'emailFailed'), this.errorVars(err));
        submit.disabled = false;
      }
    };
    box.append(
      h('p', { text: t('offlineIntro') }),
      h('label', { for: 'cd-email', text: t('email') }),
      h('form', { novalidate: true, 'data-testid': 'crewdesk-offline-form', onsubmit }, input, submit),
      note,
    );
  }

  // ---------------------------------------------------------------- image viewer

  private openViewer(img: HTMLImageElement, from: HTMLElement): void {
    if (!img.src) return;
    this.viewerImg.src = img.src;
    this.stage.classList.remove('cd-zoomed');
    this.viewer.hidden = false;
    this.viewerReturn = from;
    this.viewerClose.focus();
  }

  private closeViewer(refocus = true): void {
    if (this.viewer.hidden) return;
    this.viewer.hidden = true;
    this.viewerImg.removeAttribute('src');
    if (refocus) this.viewerReturn?.focus();
  }
}
