import { readFileSync } from 'node:fs';
import { createParser } from 'eventsource-parser';
import type { StreamPart } from '../core/stream-part.js';
import type { EgressCodec, SseEvent, StreamEncoder } from './codec.js';

/** Test helpers: SSE text ⇄ events, and running a decoder or encoder over a whole stream. */
export const parseSse = (text: string): SseEvent[] => {
  const events: SseEvent[] = [];
  const parser = createParser({ onEvent: (event) => events.push({ event: event.event, data: event.data }) });
  parser.feed(text);
  return events;
};

export const readFixture = (url: URL): string => readFileSync(url, 'utf8');

export const decodeAll = (codec: EgressCodec, text: string): { parts: StreamPart[]; finished: boolean } => {
  const parts: StreamPart[] = [];
  const decoder = codec.createStreamDecoder((part) => parts.push(part), 'TestVendor');
  for (const event of parseSse(text)) decoder.push(event);
  decoder.end();
  return { parts, finished: decoder.finished };
};

export const encodeAll = (encoder: StreamEncoder, parts: StreamPart[]): string => {
  let out = '';
  for (const part of parts) out += encoder.encode(part);
  return out + encoder.end();
};

/** Joins each tool call's argument deltas, keyed by id. */
export const toolArguments = (parts: StreamPart[]): Record<string, { name: string; arguments: string }> => {
  const calls: Record<string, { name: string; arguments: string }> = {};
  for (const part of parts) {
    if (part.type === 'tool-call-start') calls[part.id] = { name: part.name, arguments: '' };
    if (part.type === 'tool-call-delta') calls[part.id]!.arguments += part.argumentsDelta;
  }
  return calls;
};

export const joinedText = (parts: StreamPart[], type: 'text-delta' | 'reasoning-delta'): string =>
  parts.map((part) => (part.type === type ? part.text : '')).join('');
