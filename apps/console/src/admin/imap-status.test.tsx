import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n';
import { imapReason, imapSummary } from './imap-status';

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
        text:
          lng === 'en'
            ? 'imap.example.cn:993 (support): the server refused the user name or password'
            : 'imap.example.cn:993 (support)：服务器拒绝了用户名或密码',
      });
      // A reason it does not know is shown in the server's own words.
      const odd = summary({
        imap,
        imapStatus: report({ connected: false, lastError: 'BAD: Server is shutting down' }),
        enabled: true,
      });
      expect(odd.text).toContain('BAD: Server is shutting down');
      expect(summary({ imap, imapStatus: report({}), enabled: false }).tone).toBe('none');
    });
  }
});

describe('imapReason', () => {
  const t = (key: string) => key;
  it('recognises the common failures of imapflow and Node', () => {
    expect(imapReason('authentication failed', t)).toBe('admin.imap.reasons.auth');
    expect(imapReason('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1', t)).toBe('admin.imap.reasons.refused');
    expect(imapReason('ENOTFOUND: getaddrinfo ENOTFOUND imap.nowhere.test', t)).toBe('admin.imap.reasons.notFound');
    expect(imapReason('ETIMEOUT: Connection timed out', t)).toBe('admin.imap.reasons.timeout');
    expect(imapReason('DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate', t)).toBe('admin.imap.reasons.tls');
    expect(imapReason("NONEXISTENT: Mailbox doesn't exist: Archive", t)).toBe('admin.imap.reasons.folder');
  });
});
