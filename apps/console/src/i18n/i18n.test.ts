import { describe, expect, it } from 'vitest';
import { createI18n, detectLanguage, toSupported } from './index';
import { en } from './en';
import { zhCN } from './zh-CN';

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('language choice', () => {
  it.each([
    ['zh', 'zh-CN'],
    ['zh-CN', 'zh-CN'],
    ['zh-TW', 'zh-CN'],
    ['zh-Hans', 'zh-CN'],
    ['zh-Hant-HK', 'zh-CN'],
    ['zh_CN', 'zh-CN'],
    ['en-US', 'en'],
    ['fr-FR', 'en'],
    ['zu', 'en'],
    ['', 'en'],
  ])('maps %s to %s', (tag, want) => expect(toSupported(tag)).toBe(want));

  it('prefers the stored choice, else the browser’s first language', () => {
    expect(detectLanguage(null, ['zh-TW', 'en'])).toBe('zh-CN');
    expect(detectLanguage(null, ['de', 'zh-CN'])).toBe('en');
    expect(detectLanguage('en', ['zh-CN'])).toBe('en');
  });

  it('has the same keys in both languages and translates whole sentences', () => {
    expect(keys(zhCN).sort()).toEqual(keys(en).sort());
    const zh = createI18n('zh-CN');
    expect(zh.t('composer.addNote')).toBe('添加备注');
    expect(zh.t('composer.send')).toBe('发送给客户');
    expect(zh.t('ticket.internalOnly')).toBe('仅内部可见');
    expect(zh.t('ticket.replying', { names: '张三' })).toBe('张三正在回复…');
    const e = createI18n('en');
    expect(e.t('list.newPill', { count: 1 })).toBe('1 new ticket');
    expect(e.t('list.newPill', { count: 3 })).toBe('3 new tickets');
  });

  it('falls back from a Chinese variant to zh-CN', () => {
    const i = createI18n('en');
    void i.changeLanguage('zh-TW');
    expect(i.t('composer.addNote')).toBe('添加备注');
  });
});
