import { currentLanguage } from '../i18n';

/**
 * Config texts are often Chinese; the config may add English ones (`display_name_en`,
 * `description_en`), which the English console prefers. Components calling these use
 * `useTranslation`, so they re-render when the language changes.
 */
export const localName = (model: { name: string; displayName?: string | null; displayNameEn?: string | null }): string =>
  (currentLanguage() === 'en' && model.displayNameEn) || model.displayName || model.name;

export const localDescription = (item: { description?: string | null; descriptionEn?: string | null }): string =>
  (currentLanguage() === 'en' && item.descriptionEn) || item.description || '';
