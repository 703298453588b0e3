import { badRequest } from '../server/errors.js';
import type { VendorName } from './behavior.js';
import { completionObject, planChat } from './chat-plan.js';
import type { Exchange } from './exchange.js';
import { buildStreamEvents, writeStream } from './stream-writer.js';
import type { ImageInfo, SimulatorBehavior } from './types.js';

/** Validates like a real upstream would before any generation starts. */
export const validateChatBody = (body: unknown): { body: Record<string, unknown>; model: string } => {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('Request body must be a JSON object.', 'invalid_request');
  }
  const record = body as Record<string, unknown>;
  if (typeof record.model !== 'string' || record.model === '') {
    throw badRequest('you must provide a model parameter', 'missing_model', 'model');
  }
  if (!Array.isArray(record.messages) || record.messages.length === 0) {
    throw badRequest('messages must be a non-empty array', 'invalid_messages', 'messages');
  }
  return { body: record, model: record.model };
};

/**
 * Answers a chat completion after the shared behaviours (auth, hang, first-token
 * delay, error status) were handled by the server.
 */
export const respondChat = async (
  exchange: Exchange,
  body: Record<string, unknown>,
  model: string,
  vendor: VendorName,
  images: ImageInfo[],
  behavior: SimulatorBehavior,
): Promise<void> => {
  const plan = planChat(body, model, vendor, images, behavior);
  if (body.stream === true) {
    await writeStream(exchange, buildStreamEvents(plan, behavior), behavior);
    return;
  }
  // A non-stream answer arrives only when generation is complete, so it pays for every token.
  const tokenDelay = behavior.tokenDelayMs ?? 0;
  if (tokenDelay > 0 && !(await exchange.sleep(tokenDelay * plan.usage.completion_tokens))) return;
  exchange.sendJsonWithBehavior(completionObject(plan), behavior);
};
