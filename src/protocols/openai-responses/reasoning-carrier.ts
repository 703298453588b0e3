/**
 * Reasoning a translated vendor produced, carried in a reasoning item's
 * `encrypted_content` so a stateless client (Codex with `store: false`) hands it back
 * on the next turn and the gateway can replay it (with its signature, for vendors that
 * verify it). It is not encrypted — it is the model's own text — only wrapped.
 */
const PREFIX = 'skgw1:';

export const writeReasoningCarrier = (text: string, signature?: string): string =>
  PREFIX + Buffer.from(JSON.stringify(signature ? { t: text, s: signature } : { t: text }), 'utf8').toString('base64');

export const readReasoningCarrier = (value: unknown): { text: string; signature?: string } | null => {
  if (typeof value !== 'string' || !value.startsWith(PREFIX)) return null;
  try {
    const parsed = JSON.parse(Buffer.from(value.slice(PREFIX.length), 'base64').toString('utf8')) as { t?: unknown; s?: unknown };
    if (typeof parsed.t !== 'string') return null;
    return typeof parsed.s === 'string' ? { text: parsed.t, signature: parsed.s } : { text: parsed.t };
  } catch {
    return null;
  }
};
