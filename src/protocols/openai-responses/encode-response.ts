import type { NeutralResponse } from '../../core/neutral-response.js';
import type { Json } from '../request-checks.js';
import { outputItemsOf, responseObject, statusOf, type ResponseShell } from './response-object.js';

/** Neutral → a complete `response` object (status, output items, usage, incomplete_details). */
export const encodeResponsesResponse = (shell: ResponseShell, response: NeutralResponse, model: string): Json => {
  const { status, incomplete } = statusOf(response.finishReason);
  const output = outputItemsOf(shell, response.content, status === 'incomplete' ? 'incomplete' : 'completed');
  return responseObject(shell, model, status, output, response.usage, { incomplete });
};
