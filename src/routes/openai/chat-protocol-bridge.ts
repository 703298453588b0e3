import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiCaller } from '../../server/api-auth.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import { hasImageParts } from '../../images/has-image-parts.js';
import { openAIChatIngress } from '../../protocols/openai-chat/index.js';
import { runProtocolRequest } from '../../pipeline/run-protocol-request.js';
import { quickPromptEstimate } from '../../upstream/estimate-tokens.js';
import type { ChatHandlerOptions } from './chat-handler.js';

/**
 * OpenAI chat requests whose route reaches a deployment speaking another protocol
 * (Anthropic's, for now): the protocol pipeline translates for those attempts and
 * passes OpenAI deployments through, so a group may mix both.
 */
export const handleChatThroughPipeline = async (
  ctx: GatewayContext,
  request: FastifyRequest,
  reply: FastifyReply,
  body: Record<string, unknown>,
  caller: ApiCaller,
  options: ChatHandlerOptions,
): Promise<unknown> => {
  const maxOutput = body.max_completion_tokens ?? body.max_tokens;
  const answer = await runProtocolRequest(ctx, {
    ingress: openAIChatIngress,
    body,
    caller,
    requestId: request.id,
    clientHeaders: request.headers,
    res: reply.raw,
    hijack: () => reply.hijack(),
    withImages: hasImageParts(body.messages),
    kind: options.kind,
    promptEstimate: quickPromptEstimate(body.messages),
    maxOutputTokens: typeof maxOutput === 'number' && Number.isFinite(maxOutput) && maxOutput >= 0 ? maxOutput : null,
    prepareImages: options.prepareImages,
  });
  if (!answer) return reply;
  return reply
    .code(answer.status)
    .headers({ ...answer.headers, ...(options.extraHeaders?.() ?? {}) })
    .type('application/json')
    .send(answer.body);
};
