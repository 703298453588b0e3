/**
 * Client-chosen strings (model names, request ids, headers) reach logs, metric labels,
 * headers and the database. PostgreSQL refuses NUL in text and long values in indexed
 * columns, and control characters forge log lines, so every such string is bounded and
 * cleaned first.
 */

// C0 controls (NUL, CR, LF, ESC…), DEL and C1 controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]+/g;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Anything the two checks below could act on: one scan for the common clean value (usage rows
// bound six strings per request, so this is on the hot path).
const SUSPECT = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/;

/**
 * `value` without control characters, well-formed (no lone surrogates), at most
 * `maxLength` UTF-16 units; a cut value ends with `…` so it reads as shortened.
 * Clean values within the limit are returned as they are (no allocation).
 */
export const boundText = (value: string, maxLength: number): string => {
  const max = Math.max(1, Math.floor(maxLength));
  if (value.length <= max && !SUSPECT.test(value)) return value;
  let text = value;
  if (text.length > max * 4) text = text.slice(0, max * 4); // bound the work below
  if (CONTROL.test(text)) text = text.replace(CONTROLS, '');
  if (LONE_SURROGATE.test(text)) text = text.replace(LONE_SURROGATES, '\ufffd');
  if (text.length <= max) return text;
  let end = max - 1;
  // Never cut a surrogate pair in half.
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
};

/** Longest model/provider name kept in a usage row or shown back to a client. */
export const MAX_NAME_LENGTH = 200;
