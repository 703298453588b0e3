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

const moneyFormats = new Map<string, Intl.NumberFormat | null>();

/**
 * An amount with its currency's symbol ($0.0123, ¥5, €1.20) in the console's language;
 * a code Intl does not know is written after the amount.
 */
export const formatMoney = (value: number | null | undefined, currency: string) => {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  const digits = value !== 0 && Math.abs(value) < 0.01 ? 6 : Math.abs(value) < 100 ? 4 : 2;
  const key = `${locale()}|${currency}|${digits}`;
  let format = moneyFormats.get(key);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(locale(), { style: 'currency', currency, currencyDisplay: 'narrowSymbol', minimumFractionDigits: 0, maximumFractionDigits: digits });
    } catch {
      format = null;
    }
    moneyFormats.set(key, format);
  }
  return format ? format.format(value) : formatCost(value, currency);
};

/**
 * One line per currency, never a sum across currencies (the gateway has no exchange
 * rates); USD first, then the others by code. No cost at all reads "0".
 */
export const formatCostLines = (costs: Record<string, number> | null | undefined): string[] => {
  const entries = Object.entries(costs ?? {}).sort(([a], [b]) => (a === 'USD' ? -1 : b === 'USD' ? 1 : a.localeCompare(b)));
  return entries.length === 0 ? [formatNumber(0)] : entries.map(([currency, amount]) => formatMoney(amount, currency));
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
