import { pickLang, surveyPage } from './survey-page';

describe('survey page', () => {
  it('speaks Chinese when the browser prefers it over English', () => {
    expect(pickLang('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh-CN');
    expect(pickLang('en-US,en;q=0.9,zh-CN;q=0.8')).toBe('en');
    expect(pickLang('fr-FR,zh-TW;q=0.5')).toBe('zh-CN');
    expect(pickLang(undefined)).toBe('en');
  });

  it('escapes what customers and staff wrote', () => {
    const html = surveyPage(
      'en',
      {
        survey: {
          id: 's',
          ticketId: 't',
          channel: 'email',
          status: 'sent',
          sentAt: null,
          expiresAt: '2030-01-01T00:00:00.000Z',
          answer: null,
          createdAt: '2029-12-25T00:00:00.000Z',
        },
        workspaceName: 'Acme <b>',
        ticketNumber: 7,
        subject: '<script>alert(1)</script>',
      },
      'A'.repeat(70),
    );
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Acme &lt;b&gt;');
    expect(html).not.toContain('<script>alert(1)');
  });
});
