/**
 * The survey card: after a conversation is solved, "How did we do?" with CSAT 1–5, then optionally NPS 0–10, effort
 * 1–7 and a comment. Durable: the card is fetched from the server (GET /portal/surveys) on connect and when a
 * conversation ends, so a visitor who was away still gets it; the answer goes to the survey's signed link and can
 * be changed until the link expires. Bilingual, keyboard- and screen-reader-friendly, a few hundred bytes gzipped.
 */
import { h } from './dom';
import type { Lang } from './i18n';

interface Survey {
  id: string;
  token: string;
  ticketId: string;
  ticketNumber: number;
  answer: { csat: number; nps: number | null; ces: number | null; comment: string | null } | null;
  /** The optional questions this workspace asks after CSAT. */
  questions?: { nps: boolean; ces: boolean };
}

const TEXT = {
  en: {
    title: 'How did we do?',
    csat: 'How satisfied are you?',
    csatEnds: ['Very unsatisfied', 'Very satisfied'],
    nps: 'How likely are you to recommend us? (optional)',
    ces: 'How easy was it to get help? 1 = very easy (optional)',
    comment: 'Anything else? (optional)',
    send: 'Send',
    change: 'Change',
    thanks: 'Thank you for your feedback!',
    failed: 'Not sent. Please try again.',
    dismiss: 'Dismiss',
    of: 'of',
  },
  'zh-CN': {
    title: '您对本次服务满意吗？',
    csat: '您的满意程度',
    csatEnds: ['非常不满意', '非常满意'],
    nps: '您有多大可能向朋友推荐我们？（选填）',
    ces: '获得帮助有多容易？1 = 非常容易（选填）',
    comment: '还有什么想说的？（选填）',
    send: '提交',
    change: '修改',
    thanks: '感谢您的反馈！',
    failed: '提交失败，请重试。',
    dismiss: '关闭',
    of: '/',
  },
};

export const SURVEY_CSS = `.cd-survey{flex:none;margin:0;padding:12px 16px;background:var(--bar);border-top:1px solid var(--line);font-size:14px}
.cd-survey h3{margin:0 0 6px;font-size:15px}.cd-survey p{margin:8px 0 4px;color:var(--meta)}
.cd-sv-row{display:flex;flex-wrap:wrap;gap:4px}.cd-sv-row button{min-width:34px;min-height:34px;border:1px solid var(--line);border-radius:6px;background:var(--field);font:inherit;cursor:pointer}
.cd-sv-row button[aria-pressed=true]{background:#07c160;border-color:#07c160;color:#fff}
.cd-survey textarea{width:100%;box-sizing:border-box;min-height:48px;margin-top:4px;font:inherit;border:1px solid var(--line);border-radius:6px;padding:6px}
.cd-sv-act{display:flex;gap:8px;align-items:center;margin-top:8px}.cd-sv-act button{min-height:36px;padding:0 14px;border-radius:6px;border:0;background:#07c160;color:#fff;font:inherit;cursor:pointer}
.cd-sv-act .cd-sv-x{background:none;color:var(--meta);margin-left:auto}`;

export class SurveyCard {
  readonly el: HTMLElement;
  private survey?: Survey;
  private dismissed = new Set<string>();
  private running?: Promise<void>;
  private again?: { ticketId?: string };
  private readonly t: (typeof TEXT)['en'];

  constructor(
    private readonly api: string,
    private readonly token: () => string | undefined,
    lang: Lang,
  ) {
    this.t = TEXT[lang];
    this.el = h('section', {
      class: 'cd-survey',
      hidden: true,
      'aria-label': this.t.title,
      'data-testid': 'crewdesk-survey',
    });
  }

  /**
   * Asks the server for the survey of the visitor's ended conversation and shows it (or hides the card). A check asked
   * for while one is under way runs right after it, so a conversation that ends meanwhile is never missed.
   */
  check(ticketId?: string, attempt = 0): Promise<void> {
    if (this.running) {
      this.again = { ticketId };
      return this.running;
    }
    this.running = this.fetchOnce(ticketId, attempt).finally(() => {
      this.running = undefined;
      const again = this.again;
      this.again = undefined;
      if (again) void this.check(again.ticketId);
    });
    return this.running;
  }

  private async fetchOnce(ticketId?: string, attempt = 0): Promise<void> {
    const token = this.token();
    if (!token) return;
    try {
      const q = ticketId ? `?ticketId=${encodeURIComponent(ticketId)}` : '';
      const res = await fetch(`${this.api}/api/v1/portal/surveys${q}`, {
        headers: { Authorization: `Bearer ${token}` },
        credentials: 'omit',
      });
      const body = res.ok ? ((await res.json()) as { survey: Survey | null }) : null;
      const s = body?.survey;
      if (s && !this.dismissed.has(s.id) && !(this.survey?.id === s.id && !this.el.hidden)) this.show(s);
      else if (!s) {
        this.el.hidden = true;
        // A conversation that just ended: its survey is written right after the solve, so ask again shortly.
        if (ticketId && attempt < 4) setTimeout(() => void this.check(ticketId, attempt + 1), 1000 * 2 ** attempt);
      }
    } catch {
      // The card is a nicety: a failed fetch leaves the chat as it was; the next connect asks again.
    }
  }

  private show(s: Survey): void {
    const t = this.t;
    this.survey = s;
    const picked = { csat: s.answer?.csat ?? null, nps: s.answer?.nps ?? null, ces: s.answer?.ces ?? null };
    const status = h('span', { role: 'status' });
    const extra = h('div', { hidden: !s.answer });
    const row = (name: 'csat' | 'nps' | 'ces', from: number, to: number, label: string) => {
      const id = `cd-sv-${name}`;
      const buttons: HTMLButtonElement[] = [];
      for (let v = from; v <= to; v++) {
        const b = h('button', {
          type: 'button',
          'aria-pressed': String(picked[name] === v),
          'aria-label': `${v} ${t.of} ${to}${name === 'csat' ? ` (${v === 1 ? t.csatEnds[0] : v === 5 ? t.csatEnds[1] : ''})` : ''}`,
          onclick: () => {
            picked[name] = v;
            buttons.forEach((x, i) => x.setAttribute('aria-pressed', String(i + from === v)));
            if (name === 'csat') extra.hidden = false;
          },
          text: name === 'csat' ? '★'.repeat(v) : String(v),
        });
        buttons.push(b);
      }
      return [
        h('p', { id }, label),
        h('div', { class: 'cd-sv-row', role: 'group', 'aria-labelledby': id }, ...buttons),
      ];
    };
    const comment = h('textarea', { maxlength: '2000', 'aria-label': t.comment, placeholder: t.comment });
    comment.value = s.answer?.comment ?? '';
    if (s.questions?.nps !== false) extra.append(...row('nps', 0, 10, t.nps));
    if (s.questions?.ces !== false) extra.append(...row('ces', 1, 7, t.ces));
    extra.append(comment);
    const send = h('button', {
      type: 'button',
      text: s.answer ? t.change : t.send,
      onclick: async () => {
        if (picked.csat == null) return;
        try {
          const res = await fetch(`${this.api}/api/v1/public/surveys/${s.token}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            credentials: 'omit',
            body: JSON.stringify({ ...picked, comment: comment.value.trim() || null }),
          });
          status.textContent = res.ok ? t.thanks : t.failed;
          if (res.ok) send.textContent = t.change;
        } catch {
          status.textContent = t.failed;
        }
      },
    });
    const dismiss = h('button', {
      type: 'button',
      class: 'cd-sv-x',
      text: t.dismiss,
      onclick: () => {
        this.dismissed.add(s.id);
        this.el.hidden = true;
      },
    });
    this.el.replaceChildren(
      h('h3', null, t.title),
      ...row('csat', 1, 5, t.csat),
      extra,
      h('div', { class: 'cd-sv-act' }, send, status, dismiss),
    );
    this.el.hidden = false;
  }
}

/** Counts the panel being opened (the funnel's first step); at most once per page load, never blocking. */
export function recordOpen(api: string, workspace: string): void {
  fetch(`${api}/api/v1/public/${encodeURIComponent(workspace)}/touchpoints`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    credentials: 'omit',
    body: JSON.stringify({ event: 'widget.opened' }),
    keepalive: true,
  }).catch(() => undefined);
}
