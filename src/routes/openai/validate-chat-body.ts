import { badRequest } from '../../server/errors.js';

/**
 * Just enough validation to give a clear 400 naming the field; everything else is the
 * vendor's to judge, and unknown fields pass through untouched.
 */
export const validateChatBody = (body: unknown): Record<string, unknown> => {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON object.', 'invalid_request');
  }
  const b = body as Record<string, unknown>;
  if (b.model !== undefined && b.model !== null && typeof b.model !== 'string') {
    throw badRequest('`model` must be a string.', 'invalid_type', 'model');
  }
  if (!Array.isArray(b.messages)) {
    throw badRequest(
      b.messages === undefined ? '`messages` is required.' : '`messages` must be an array.',
      b.messages === undefined ? 'missing_required_parameter' : 'invalid_type',
      'messages',
    );
  }
  if (b.messages.length === 0) throw badRequest('`messages` must not be empty.', 'invalid_value', 'messages');
  b.messages.forEach((message, index) => {
    if (!message || typeof message !== 'object' || Array.isArray(message)) {
      throw badRequest(`\`messages[${index}]\` must be an object.`, 'invalid_type', `messages[${index}]`);
    }
    const role = (message as Record<string, unknown>).role;
    if (typeof role !== 'string' || role === '') {
      throw badRequest(`\`messages[${index}].role\` is required.`, 'missing_required_parameter', `messages[${index}].role`);
    }
  });
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') {
    throw badRequest('`stream` must be a boolean.', 'invalid_type', 'stream');
  }
  if (b.stream_options !== undefined && b.stream_options !== null && typeof b.stream_options !== 'object') {
    throw badRequest('`stream_options` must be an object.', 'invalid_type', 'stream_options');
  }
  if (b.model === null) delete b.model;
  return b;
};
