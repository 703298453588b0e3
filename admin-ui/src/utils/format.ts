import { currentLanguage } from '../i18n';

const locale = () => currentLanguage();

export const formatNumber = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '–'
    : new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);

export const formatCompact = (value: number | null | undefined) =>
  value === null || value === undefined
    ? '–'
    : new Intl.NumberFormat(locale(), { notation: 'compact', maximumFractionDigits: 1 }).format(value);

/** Costs are small (fractions of a cent per request), so keep up to 6 significant decimals. */
export const formatCost = (value: number | null | undefined, currency?: string | null) => {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  const digits = value !== 0 && Math.abs(value) < 0.01 ? 6 : value < 100 ? 4 : 2;
  const amount = new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
  return currency ? `${amount} ${currency}` : amount;
};

export const formatPercent = (ratio: number | null | undefined) =>
  ratio === null || ratio === undefined || Number.isNaN(ratio)
    ? '–'
    : new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 2 }).format(ratio);

export const formatMs = (value: number | null | undefined) => {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (value < 1000) return `${Math.round(value)} ms`;
  return `${(value / 1000).toFixed(value < 10_000 ? 2 : 1)} s`;
};

export const formatDateTime = (iso: string | null | undefined) => {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
};

export const formatDate = (iso: string | null | undefined) => {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(date);
};

/** Axis label for a chart bucket: time of day for short ranges, the date for long ones. */
export const formatBucket = (iso: string, bucket: 'minute' | 'hour' | 'day') => {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const options: Intl.DateTimeFormatOptions =
    bucket === 'day'
      ? { month: 'short', day: 'numeric' }
      : bucket === 'hour'
        ? { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' }
        : { hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat(locale(), options).format(date);
};

/** Parse an optional number field of a form: empty means "not set". */
export const optionalNumber = (value: string | number | null | undefined): number | null => {
  if (value === '' || value === null || value === undefined) return null;
  const parsed = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(parsed) ? parsed : null;
};
