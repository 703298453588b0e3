import type { FastifyReply, FastifyRequest } from 'fastify';
import { createChatImagePreparer, type ChatImagePreparer, type PreparedChatImages } from '../../images/prepare-chat-images.js';
import { describeProcessing } from '../../images/describe-processing.js';
import type { ApiCaller } from '../../server/api-auth.js';
import { GatewayError } from '../../server/errors.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import { runOpenAIChat, type OpenAIChatOptions } from '../../pipeline/run-openai-chat.js';
import { buildVisionChatBody, readJsonVisionRequest, readMultipartVisionRequest, type VisionRequest } from './vision-request.js';

export interface VisionHandlerOptions {
  /** The image pipeline; default one built from `ctx.config`. */
  preparer?: ChatImagePreparer;
  /** Passed on to the chat handler (e.g. by the admin playground); image options are the vision handler's own. */
  chat?: Omit<OpenAIChatOptions, 'prepareImages' | 'kind'>;
}

export const IMAGE_PROCESSING_HEADER = 'x-gateway-image-processing';
export const IMAGE_COUNT_HEADER = 'x-gateway-images';

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

/** The image part i of the one user message is content[i + 1] (the prompt comes first). */
const PART_PARAM = /^messages\[0\]\.content\[(\d+)\]/;

/** Pipeline errors name the chat body's fields; point them at what this client sent instead. */
const renameParam = (error: unknown, input: VisionRequest): unknown => {
  if (!(error instanceof GatewayError) || !error.param) return error;
  const match = PART_PARAM.exec(error.param);
  let param: string | null = null;
  if (match) param = input.imageParam(Number(match[1]) - 1);
  else if (error.param === 'messages') param = input.imagesParam;
  if (param === null) return error;
  return new GatewayError(error.message, {
    status: error.status,
    code: error.code,
    type: error.type,
    param,
    headers: error.headers,
    details: error.details,
    cause: error.cause,
  });
};

/** Header values must be visible ASCII; the pipeline's are, this guarantees it. */
const asciiHeader = (value: string): string => value.replace(/[^\x20-\x7e]/g, '?').slice(0, 4000);

export const describePrepared = (prepared: PreparedChatImages): string => {
  const entries = prepared.processed.map(describeProcessing);
  if (prepared.passedThrough > 0) {
    entries.push(`${prepared.passedThrough} url${prepared.passedThrough === 1 ? '' : 's'} passed through`);
  }
  return asciiHeader(entries.join(' | ') || 'none');
};

const DRAIN_TIMEOUT_MS = 10_000;

/**
 * A multipart body refused half-way still has bytes in flight, and Node does not discard
 * the rest of a body that was already being read: the connection would stall for the next
 * request. Close it after the error response, discarding (never keeping) what still
 * arrives meanwhile, within a byte and time budget so the client can read the response.
 */
const abandonRequestBody = (request: FastifyRequest, reply: FastifyReply, maxDrainBytes: number) => {
  const raw = request.raw;
  if (raw.readableEnded || raw.destroyed) return;
  reply.header('connection', 'close');
  let drained = 0;
  const stop = () => {
    clearTimeout(timer);
    raw.off('data', onData);
    if (!raw.readableEnded) raw.destroy();
  };
  const onData = (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > maxDrainBytes) stop();
  };
  const timer = setTimeout(stop, DRAIN_TIMEOUT_MS);
  timer.unref();
  raw.on('data', onData);
  raw.once('end', () => clearTimeout(timer));
  raw.once('close', () => clearTimeout(timer));
  raw.resume();
};

const readVisionRequest = async (ctx: GatewayContext, request: FastifyRequest, reply: FastifyReply): Promise<VisionRequest> => {
  if (typeof request.isMultipart === 'function' && request.isMultipart()) {
    const maxFileBytes = ctx.config.vision.maxUploadBytes;
    const maxTotalBytes = Math.max(maxFileBytes, ctx.settings.bodyLimitBytes);
    try {
      return await readMultipartVisionRequest(request, { maxFileBytes, maxTotalBytes });
    } catch (error) {
      abandonRequestBody(request, reply, maxTotalBytes);
      throw error;
    }
  }
  const contentType = request.headers['content-type'] ?? '';
  if (JSON_TYPE.test(contentType)) return readJsonVisionRequest(request.body);
  throw new GatewayError(
    'Send images as multipart/form-data (files in the field `image`) or as application/json (`images`: URLs or data URLs).',
    { status: 415, code: 'unsupported_media_type', param: null },
  );
};

/**
 * `POST /v1/vision/completions`: an image upload (or image URLs) plus a prompt, answered
 * as a chat completion by the named or active vision model. The request is turned into
 * an OpenAI chat body and the chat handler does the rest; the image pipeline runs once,
 * in `prepareImages`, for the model actually attempted.
 */
export async function handleVisionCompletion(
  ctx: GatewayContext,
  request: FastifyRequest,
  reply: FastifyReply,
  caller: ApiCaller,
  options: VisionHandlerOptions = {},
): Promise<unknown> {
  const input = await readVisionRequest(ctx, request, reply);
  const body = buildVisionChatBody(input, ctx.config.vision.defaultPrompt);
  const preparer = options.preparer ?? createChatImagePreparer({ config: ctx.config });
  let prepared: PreparedChatImages | null = null;
  const chat = options.chat ?? {};
  return runOpenAIChat(ctx, request, reply, body, caller, {
    ...chat,
    kind: 'vision',
    prepareImages: async (model, chatBody) => {
      try {
        prepared = await preparer(model, chatBody);
      } catch (error) {
        throw renameParam(error, input);
      }
      return prepared.body;
    },
    extraHeaders: () => ({
      ...(chat.extraHeaders?.() ?? {}),
      [IMAGE_COUNT_HEADER]: String(input.images.length),
      ...(prepared ? { [IMAGE_PROCESSING_HEADER]: describePrepared(prepared) } : {}),
    }),
  });
}
