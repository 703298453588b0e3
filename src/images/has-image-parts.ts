const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Allocation-free scan for `image_url` content parts. Every chat request asks this, and
 * most carry no image, so it must stay cheap and must not load the image pipeline.
 */
export const hasImageParts = (messages: unknown): boolean => {
  if (!Array.isArray(messages)) return false;
  for (const message of messages) {
    if (!isRecord(message) || !Array.isArray(message.content)) continue;
    for (const part of message.content) if (isRecord(part) && part.type === 'image_url') return true;
  }
  return false;
};
