import { isLocalVendor, vendorEntry, VENDORS } from '../providers/vendor-table.js';

/**
 * Known vendors (the vendor table's ids), recognised from a provider's name or base URL
 * so that configs written for the prototype (which had no `vendor` field) still get the
 * right quirks.
 */
export const knownVendors: readonly string[] = VENDORS.map((vendor) => vendor.id);

export const detectVendor = (name: string, baseUrl: string): string => {
  const lower = name.toLowerCase().replace(/\s+/g, '');
  const named = vendorEntry(lower);
  if (named) return named.id;
  let host = '';
  try {
    host = new URL(baseUrl).hostname.toLowerCase();
  } catch {
    host = '';
  }
  for (const vendor of VENDORS) if (vendor.hosts.some((pattern) => pattern.test(host))) return vendor.id;
  if (new URL(baseUrl).port === '11434') return 'ollama';
  return 'openai-compatible';
};

export const isLoopbackUrl = (baseUrl: string): boolean => {
  try {
    const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
};

/** Local inference servers run without keys; the operator can still say otherwise. */
export const defaultNeedsKey = (vendor: string, baseUrl: string): boolean => !(isLocalVendor(vendor) || isLoopbackUrl(baseUrl));

/**
 * Values such as `your_zhipu_api_key_here` come straight from the example env file and
 * must count as "not set", otherwise every vendor would look usable and fail at call time.
 */
export const isPlaceholderKey = (value: string | undefined | null): boolean => {
  if (value === undefined || value === null) return true;
  const trimmed = value.trim();
  if (trimmed === '') return true;
  const lower = trimmed.toLowerCase();
  return (
    /^your[_-].*here$/.test(lower) ||
    /^your[_-]?(api[_-]?)?key/.test(lower) ||
    /^<.*>$/.test(lower) ||
    /^(x+|sk-x+|changeme|change-me|todo|none|null|placeholder|replace[_-]?me)$/.test(lower)
  );
};
