import i18n from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import zhCN from './zh-CN.json';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_STORAGE_KEY = 'skgw-admin-language';

// Any Chinese browser locale (zh, zh-TW, zh-Hans-CN…) gets the zh-CN console; everything else English.
const normalise = (lng: string): Language => (lng.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en');

void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    supportedLngs: [...LANGUAGES],
    fallbackLng: 'en',
    load: 'currentOnly',
    interpolation: { escapeValue: false },
    detection: {
      order: ['localStorage', 'navigator'],
      lookupLocalStorage: LANGUAGE_STORAGE_KEY,
      caches: ['localStorage'],
      convertDetectedLanguage: normalise,
    },
    returnNull: false,
  });

const syncHtmlLang = (lng: string) => {
  document.documentElement.lang = normalise(lng);
};
syncHtmlLang(i18n.language ?? 'en');
i18n.on('languageChanged', syncHtmlLang);

export const currentLanguage = (): Language => normalise(i18n.resolvedLanguage ?? i18n.language ?? 'en');

export default i18n;
