import { DEFAULT_SHIP_MESSAGES, renderTemplate, replyLocale, unknownPlaceholders } from './template';

describe('ship reply templates', () => {
  const values = { 'customer.name': '小李', 'issue.key': 'ENG-142', 'issue.title': 'CSV export', 'ticket.number': 7 };

  it('fills every placeholder, with or without spaces inside the braces', () => {
    expect(renderTemplate('{{ customer.name }}: {{issue.key}} {{issue.title}} #{{ticket.number}}', values)).toBe(
      '小李: ENG-142 CSV export #7',
    );
  });

  it('renders the English and Chinese defaults', () => {
    const en = renderTemplate(DEFAULT_SHIP_MESSAGES.en, { ...values, 'customer.name': 'Sam' }, 'en');
    expect(en).toMatch(
      /^Hi Sam,\n\nGood news: the change you asked about in ticket #7 has shipped: CSV export \(ENG-142\)\./,
    );
    const zh = renderTemplate(DEFAULT_SHIP_MESSAGES.zh, values, 'zh');
    expect(zh).toMatch(/^小李您好：\n\n您在工单 #7 中反馈的问题已经上线：CSV export（ENG-142）。/);
    expect(en).not.toContain('{{');
    expect(zh).not.toContain('{{');
  });

  it('greets a customer without a name politely in both languages', () => {
    expect(renderTemplate(DEFAULT_SHIP_MESSAGES.en, { ...values, 'customer.name': null }, 'en')).toMatch(/^Hi there,/);
    expect(renderTemplate(DEFAULT_SHIP_MESSAGES.zh, { ...values, 'customer.name': '  ' }, 'zh')).toMatch(/^您好：/);
  });

  it('leaves unknown placeholders as written and reports them', () => {
    expect(renderTemplate('Hi {{customer.nmae}} {{issue.key}}', values)).toBe('Hi {{customer.nmae}} ENG-142');
    expect(unknownPlaceholders('Hi {{customer.nmae}} {{issue.key}} {{ foo }}')).toEqual(['customer.nmae', 'foo']);
    expect(unknownPlaceholders(DEFAULT_SHIP_MESSAGES.en)).toEqual([]);
    expect(unknownPlaceholders(DEFAULT_SHIP_MESSAGES.zh)).toEqual([]);
  });

  it('does not treat values as templates or markup', () => {
    const out = renderTemplate('{{customer.name}} / {{issue.title}}', {
      'customer.name': '{{issue.key}}',
      'issue.title': '<b>x</b>',
    });
    expect(out).toBe('{{issue.key}} / <b>x</b>'); // the message path escapes it to HTML
  });

  it('picks the customer locale first, then Chinese text, then the workspace, then English', () => {
    expect(replyLocale({ customerLocale: 'zh-CN', ticketText: 'hello' })).toBe('zh');
    expect(replyLocale({ customerLocale: 'en', ticketText: '打印机连不上' })).toBe('en');
    expect(replyLocale({ ticketText: '打印机连不上 WiFi' })).toBe('zh');
    expect(replyLocale({ ticketText: 'Printer offline', workspaceLocale: 'zh-CN' })).toBe('zh');
    expect(replyLocale({ ticketText: 'Printer offline' })).toBe('en');
    expect(replyLocale({})).toBe('en');
  });
});
