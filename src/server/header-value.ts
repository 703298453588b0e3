/**
 * Response headers that carry names (x-gateway-model, x-gateway-provider, …) must be
 * valid header values whatever the name is: `千问-max`, a CR/LF, a NUL. Printable ASCII
 * other than `%` (0x21–0x7E) passes unchanged, so `OpenAI/gpt-4o` stays readable; every
 * other byte of the UTF-8 form (space, controls, non-ASCII, `%` itself) is written as
 * `%XX`, so `decodeURIComponent(value)` always gives the name back
 * (docs/configuration.md, "Response headers").
 */
const PLAIN = /^[!-$&-~]*$/;
const MAX_HEADER_NAME_BYTES = 512;
const HEX = '0123456789ABCDEF';

export const encodeHeaderValue = (value: string): string => {
  // The common case costs one regex test and no allocation (the chat hot path calls this).
  if (value.length <= MAX_HEADER_NAME_BYTES && PLAIN.test(value)) return value;
  const bytes = Buffer.from(value, 'utf8').subarray(0, MAX_HEADER_NAME_BYTES);
  let out = '';
  for (const byte of bytes) {
    out += byte > 0x20 && byte < 0x7f && byte !== 0x25 ? String.fromCharCode(byte) : `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
};

/** What Node accepts in a header value (it throws ERR_INVALID_CHAR otherwise). */
const VALID_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
export const isValidHeaderValue = (value: unknown): boolean =>
  typeof value === 'number' || (typeof value === 'string' && VALID_VALUE.test(value)) ||
  (Array.isArray(value) && value.every((item) => typeof item === 'string' && VALID_VALUE.test(item)));
