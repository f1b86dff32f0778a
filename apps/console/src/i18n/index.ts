import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { zhCN } from './zh-CN';

export const SUPPORTED = ['en', 'zh-CN'] as const;
export type Lang = (typeof SUPPORTED)[number];

/** Any Chinese tag (zh, zh-CN, zh-TW, zh-Hans, zh-Hant-HK…) maps to zh-CN, everything else to en. */
export function toSupported(tag: string | null | undefined): Lang {
  if (!tag) return 'en';
  return /^zh(\b|[-_])/i.test(tag) || tag.toLowerCase() === 'zh' ? 'zh-CN' : 'en';
}

/** The language before sign-in: the stored choice, else the browser's first preference. */
export function detectLanguage(
  stored: string | null,
  languages: readonly string[] = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]),
): Lang {
  if (stored) return toSupported(stored);
  return toSupported(languages[0]);
}

export const LANG_KEY = 'crewdesk.lang';

export function createI18n(lng: Lang): I18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    lng,
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    supportedLngs: [...SUPPORTED],
    load: 'currentOnly',
    fallbackLng: { zh: ['zh-CN'], 'zh-TW': ['zh-CN'], 'zh-Hans': ['zh-CN'], default: ['en'] },
    interpolation: { escapeValue: false },
    initAsync: false,
    returnNull: false,
  });
  instance.on('languageChanged', (l) => {
    if (typeof document !== 'undefined') document.documentElement.lang = l;
  });
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
  return instance;
}
