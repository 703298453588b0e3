import i18n from '../i18n';

/** The gateway records "(none)" when a request failed before a model or provider was known. */
export const NONE_VALUE = '(none)';

export const noneLabel = (value: string | null | undefined): string =>
  value === NONE_VALUE || value === null || value === undefined || value === '' ? i18n.t('common.none') : value;
