import type { FinishReason } from '../../core/finish-reason.js';
import type { GatewayError } from '../../core/gateway-error.js';
import type { StreamPart } from '../../core/stream-part.js';
import type { Usage } from '../../core/usage.js';
import type { StreamEncoder } from '../codec.js';
import type { Json } from '../request-checks.js';
import { responsesErrorCode } from './error-envelope.js';
import { functionCallItem, messageItem, newItemId, outputTextPart, reasoningItem, responseObject, statusOf, type ResponseShell } from './response-object.js';

export interface ResponsesStreamContext {
  shell: ResponseShell;
  model: string;
  /** Told the final response object (completed or incomplete) once the stream ends well. */
  onFinal?: (response: Json) => void;
}

interface OpenItem {
  index: number;
  id: string;
  text: string;
  signature?: string;
}

interface OpenCall {
  index: number;
  itemId: string;
  callId: string;
  name: string;
  args: string;
  done: boolean;
}

/**
 * Neutral parts → the Responses API's typed events
 * (https://platform.openai.com/docs/api-reference/responses-streaming), each with its
 * `sequence_number`: created, in_progress, then per output item added → deltas → done,
 * then completed / incomplete, or error + failed. Tool calls are keyed by the neutral
 * id, so argument deltas stay with their item whatever ids the vendor repeated.
 */
export const createResponsesStreamEncoder = (context: ResponsesStreamContext): StreamEncoder => {
  const { shell, model } = context;
  let sequence = 0;
  let began = false;
  let ended = false;
  let usage: Usage | null = null;
  let finish: FinishReason | null = null;
  const output: Json[] = [];
  let message: OpenItem | null = null;
  let reasoning: OpenItem | null = null;
  const calls = new Map<string, OpenCall>();

  const event = (type: string, fields: Json): string => {
    const data = JSON.stringify({ type, sequence_number: sequence++, ...fields });
    return `event: ${type}\ndata: ${data}\n\n`;
  };

  const begin = (): string => {
    if (began) return '';
    began = true;
    const snapshot = responseObject(shell, model, 'in_progress', [], null);
    return event('response.created', { response: snapshot }) + event('response.in_progress', { response: snapshot });
  };

  const closeReasoning = (): string => {
    if (!reasoning) return '';
    const r = reasoning;
    reasoning = null;
    const item = reasoningItem(shell, r.id, r.text, r.signature, true);
    output[r.index] = item;
    const at = { item_id: r.id, output_index: r.index, summary_index: 0 };
    return (
      event('response.reasoning_summary_text.done', { ...at, text: r.text }) +
      event('response.reasoning_summary_part.done', { ...at, part: { type: 'summary_text', text: r.text } }) +
      event('response.output_item.done', { output_index: r.index, item })
    );
  };

  const closeMessage = (status: 'completed' | 'incomplete'): string => {
    if (!message) return '';
    const m = message;
    message = null;
    const item = messageItem(m.id, m.text, status);
    output[m.index] = item;
    const at = { item_id: m.id, output_index: m.index, content_index: 0 };
    return (
      event('response.output_text.done', { ...at, text: m.text, logprobs: [] }) +
      event('response.content_part.done', { ...at, part: outputTextPart(m.text) }) +
      event('response.output_item.done', { output_index: m.index, item })
    );
  };

  const closeCall = (call: OpenCall): string => {
    if (call.done) return '';
    call.done = true;
    const item = functionCallItem(call.itemId, call.callId, call.name, call.args, 'completed');
    output[call.index] = item;
    return (
      event('response.function_call_arguments.done', { item_id: call.itemId, output_index: call.index, name: call.name, arguments: call.args }) +
      event('response.output_item.done', { output_index: call.index, item })
    );
  };

  const closeAll = (status: 'completed' | 'incomplete'): string => {
    let out = closeReasoning() + closeMessage(status);
    for (const call of calls.values()) out += closeCall(call);
    return out;
  };

  const fail = (error: GatewayError): string => {
    ended = true;
    const failure = { code: responsesErrorCode(error), message: error.message };
    let out = begin() + closeAll('incomplete');
    out += event('error', { ...failure, param: error.param ?? null });
    out += event('response.failed', { response: responseObject(shell, model, 'failed', output.filter(Boolean), usage, { error: failure }) });
    return out;
  };

  return {
    encode(part: StreamPart): string {
      if (ended) return '';
      switch (part.type) {
        case 'start':
          return begin();
        case 'reasoning-delta': {
          if (part.text === '') return '';
          let out = begin() + closeMessage('completed');
          if (!reasoning) {
            reasoning = { index: output.length, id: newItemId('rs'), text: '' };
            output.push({});
            const at = { item_id: reasoning.id, output_index: reasoning.index, summary_index: 0 };
            out += event('response.output_item.added', { output_index: reasoning.index, item: reasoningItem(shell, reasoning.id, '', undefined, false) });
            out += event('response.reasoning_summary_part.added', { ...at, part: { type: 'summary_text', text: '' } });
          }
          reasoning.text += part.text;
          return out + event('response.reasoning_summary_text.delta', { item_id: reasoning.id, output_index: reasoning.index, summary_index: 0, delta: part.text });
        }
        case 'reasoning-signature':
          if (reasoning) reasoning.signature = part.signature;
          return '';
        case 'redacted-reasoning':
          return '';
        case 'text-delta': {
          if (part.text === '') return '';
          let out = begin() + closeReasoning();
          if (!message) {
            message = { index: output.length, id: newItemId('msg'), text: '' };
            output.push({});
            out += event('response.output_item.added', { output_index: message.index, item: messageItem(message.id, '', 'in_progress') });
            out += event('response.content_part.added', { item_id: message.id, output_index: message.index, content_index: 0, part: outputTextPart('') });
          }
          message.text += part.text;
          return out + event('response.output_text.delta', { item_id: message.id, output_index: message.index, content_index: 0, delta: part.text, logprobs: [] });
        }
        case 'tool-call-start': {
          if (calls.has(part.id)) return '';
          const out = begin() + closeReasoning() + closeMessage('completed');
          const call: OpenCall = { index: output.length, itemId: newItemId('fc'), callId: part.id, name: part.name, args: '', done: false };
          calls.set(part.id, call);
          output.push({});
          return out + event('response.output_item.added', { output_index: call.index, item: functionCallItem(call.itemId, call.callId, call.name, '', 'in_progress') });
        }
        case 'tool-call-delta': {
          const call = calls.get(part.id);
          if (!call || call.done || part.argumentsDelta === '') return '';
          call.args += part.argumentsDelta;
          return event('response.function_call_arguments.delta', { item_id: call.itemId, output_index: call.index, delta: part.argumentsDelta });
        }
        case 'tool-call-end': {
          const call = calls.get(part.id);
          return call ? closeCall(call) : '';
        }
        case 'usage':
          usage = part.usage;
          return '';
        case 'finish':
          finish = part.reason;
          return '';
        case 'error':
          return fail(part.error);
      }
    },
    end(): string {
      if (ended) return '';
      ended = true;
      const { status, incomplete } = statusOf(finish);
      let out = begin() + closeAll(status === 'incomplete' ? 'incomplete' : 'completed');
      const final = responseObject(shell, model, status, output.filter((item) => item.type !== undefined), usage, { incomplete });
      context.onFinal?.(final);
      out += event(status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: final });
      return out;
    },
  };
};
