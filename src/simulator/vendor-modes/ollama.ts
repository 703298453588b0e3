import { openAIStyleRefusal, type VendorMode } from './index.js';

/**
 * Ollama's OpenAI-compatible endpoint (github.com/ollama/ollama/blob/main/docs/openai.md):
 * image content only as base64 data URLs (it does not fetch URLs), and `tool_choice` is not
 * supported. Errors in the OpenAI envelope, status 400.
 */
const hasUrlImage = (messages: unknown): boolean =>
  Array.isArray(messages) &&
  messages.some(
    (message) =>
      typeof message === 'object' &&
      message !== null &&
      Array.isArray((message as { content?: unknown }).content) &&
      ((message as { content: unknown[] }).content).some((part) => {
        if (typeof part !== 'object' || part === null || (part as { type?: unknown }).type !== 'image_url') return false;
        const image = (part as { image_url?: unknown }).image_url;
        const url = typeof image === 'string' ? image : typeof image === 'object' && image !== null ? (image as { url?: unknown }).url : undefined;
        return typeof url !== 'string' || !url.startsWith('data:');
      }),
  );

export const ollamaMode: VendorMode = {
  check(_model, body) {
    if (hasUrlImage(body.messages)) return openAIStyleRefusal(400, 'invalid image input');
    if (body.tool_choice !== undefined) return openAIStyleRefusal(400, 'tool_choice is not supported', null, 'tool_choice');
    return null;
  },
};
