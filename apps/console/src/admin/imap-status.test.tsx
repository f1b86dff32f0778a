import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n';
import { imapSummary } from './imap-status';

const NOW = Date.parse('2026-11-24T10:00:00Z');
const imap = { host: 'imap.example.cn', port: 993, secure: true, user: 'support' };
const report = (over: object) => ({
  connected: true,
  lastPollAt: null,
  lastError: null,
  at: '2026-11-24T09:59:00Z',
  ...over,
});

describe('imapSummary', () => {
  for (const lng of ['en', 'zh-CN'] as const) {
    const i18n = createI18n(lng);
    const t = (key: string, options?: Record<string, unknown>) => i18n.t(key, options) as string;
    const summary = (channel: Parameters<typeof imapSummary>[0]) => imapSummary(channel, t, lng, NOW);

    it(`says where and how polling goes (${lng})`, () => {
      expect(summary({ imap: null, enabled: true }).tone).toBe('none');
      expect(summary({ imap, imapStatus: null, enabled: true })).toEqual({
        tone: 'waiting',
        text: expect.stringContaining('imap.example.cn:993 (support)'),
      });
      const ok = summary({ imap, imapStatus: report({ lastPollAt: '2026-11-24T09:58:00Z' }), enabled: true });
      expect(ok.tone).toBe('ok');
      expect(ok.text).toContain(lng === 'en' ? '2 minutes ago' : '2分钟前');
      const failed = summary({
        imap,
        imapStatus: report({ connected: false, lastError: 'Authentication failed.' }),
        enabled: true,
      });
      expect(failed).toEqual({
        tone: 'error',
        text: 'imap.example.cn:993 (support)' + (lng === 'en' ? ': ' : '：') + 'Authentication failed.',
      });
      expect(summary({ imap, imapStatus: report({}), enabled: false }).tone).toBe('none');
    });
  }
});
