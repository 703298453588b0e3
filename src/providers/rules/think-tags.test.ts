import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../../core/stream-part.js';
import { buildOpenAIChatRequest } from '../../protocols/openai-chat/build-request.js';
import { decodeOpenAIChatResponse } from '../../protocols/openai-chat/decode-response.js';
import { createOpenAIChatStreamDecoder } from '../../protocols/openai-chat/stream-decoder.js';
import { normalizeChatAnswer, StreamReasoningNormalizer } from './reasoning-fields.js';
import { splitThinkTags, ThinkTagSplitter } from './think-tags.js';

const ANSWER = '<think>Weigh 9.11 against 9.8.</think>\n\n9.8 is greater.';

/** Feeds `text` cut at the given offsets and joins what comes out. */
const splitAt = (text: string, cuts: number[]) => {
  const splitter = new ThinkTagSplitter();
  let reasoning = '';
  let content = '';
  let from = 0;
  for (const to of [...cuts, text.length]) {
    const out = splitter.push(text.slice(from, to));
    reasoning += out.reasoning;
    content += out.content;
    from = to;
  }
  const rest = splitter.end();
  return { reasoning: reasoning + rest.reasoning, content: content + rest.content };
};

describe('think-tag splitting', () => {
  it('splits a whole answer and drops the blank line after </think>', () => {
    expect(splitThinkTags(ANSWER)).toEqual({ reasoning: 'Weigh 9.11 against 9.8.', content: '9.8 is greater.' });
  });

  it('gives the same result wherever a stream cuts the text, tags included', () => {
    for (let first = 1; first < ANSWER.length; first += 1) {
      expect(splitAt(ANSWER, [first])).toEqual({ reasoning: 'Weigh 9.11 against 9.8.', content: '9.8 is greater.' });
      for (let second = first + 1; second < ANSWER.length; second += 3) {
        expect(splitAt(ANSWER, [first, second])).toEqual({ reasoning: 'Weigh 9.11 against 9.8.', content: '9.8 is greater.' });
      }
    }
    // One character at a time.
    expect(splitAt(ANSWER, Array.from({ length: ANSWER.length - 1 }, (_, index) => index + 1))).toEqual({ reasoning: 'Weigh 9.11 against 9.8.', content: '9.8 is greater.' });
  });

  it('holds back a possible tag start only until it is known not to be one', () => {
    const splitter = new ThinkTagSplitter();
    expect(splitter.push('a <thi')).toEqual({ reasoning: '', content: 'a ' });
    expect(splitter.push('ng> b')).toEqual({ reasoning: '', content: '<thing> b' });
    expect(splitter.push(' x <')).toEqual({ reasoning: '', content: ' x ' });
    expect(splitter.end()).toEqual({ reasoning: '', content: '<' });
  });

  it('text without tags is content; an unclosed block is reasoning', () => {
    expect(splitThinkTags('plain answer')).toEqual({ reasoning: '', content: 'plain answer' });
    expect(splitThinkTags('<think>cut off by max_tokens')).toEqual({ reasoning: 'cut off by max_tokens', content: '' });
  });
});

describe('reasoning fields to reasoning_content (the OpenAI passthrough)', () => {
  it('reasoning (vLLM, Ollama, OpenRouter), reasoning_details (OpenRouter) and think tags', () => {
    const viaReasoning = { choices: [{ message: { role: 'assistant', content: 'Hi', reasoning: 'thinking' } }] };
    expect(normalizeChatAnswer(viaReasoning, 'reasoning')).toBe(true);
    expect(viaReasoning.choices[0]!.message).toMatchObject({ reasoning_content: 'thinking', content: 'Hi' });
    // OpenRouter's structured form (openrouter.ai docs, "Reasoning Tokens": reasoning.text / reasoning.summary / reasoning.encrypted).
    const viaDetails = {
      choices: [{ message: { role: 'assistant', content: 'Hi', reasoning_details: [{ type: 'reasoning.summary', summary: 'short. ' }, { type: 'reasoning.text', text: 'long' }, { type: 'reasoning.encrypted', data: 'opaque' }] } }],
    };
    expect(normalizeChatAnswer(viaDetails, 'reasoning')).toBe(true);
    expect(viaDetails.choices[0]!.message).toMatchObject({ reasoning_content: 'short. long' });
    const viaTags = { choices: [{ message: { role: 'assistant', content: ANSWER } }] };
    expect(normalizeChatAnswer(viaTags, 'think-tags')).toBe(true);
    expect(viaTags.choices[0]!.message).toEqual({ role: 'assistant', content: '9.8 is greater.', reasoning_content: 'Weigh 9.11 against 9.8.' });
    // Tags are opt-in: without the rule the text stays as the model wrote it.
    const untouched = { choices: [{ message: { role: 'assistant', content: ANSWER } }] };
    expect(normalizeChatAnswer(untouched, 'reasoning_content')).toBe(false);
    expect(untouched.choices[0]!.message.content).toBe(ANSWER);
  });

  it('streams: think tags split across chunks, flushed on the finishing chunk', () => {
    const normalizer = new StreamReasoningNormalizer('think-tags');
    const pieces = ['<thi', 'nk>Weigh', ' it</th', 'ink>\n\nDone', '.<'];
    const deltas = pieces.map((content) => {
      const chunk = { choices: [{ index: 0, delta: { content }, finish_reason: null }] };
      normalizer.chunk(chunk);
      return chunk.choices[0]!.delta as Record<string, unknown>;
    });
    const last = { choices: [{ index: 0, delta: {} as Record<string, unknown>, finish_reason: 'stop' }] };
    normalizer.chunk(last);
    deltas.push(last.choices[0]!.delta);
    expect(deltas.map((d) => d.reasoning_content ?? '').join('')).toBe('Weigh it');
    expect(deltas.map((d) => d.content ?? '').join('')).toBe('Done.<');
    expect(normalizer.needs('{"choices":[{"delta":{"content":"x"}}]}')).toBe(true);
    expect(new StreamReasoningNormalizer('reasoning').needs('{"choices":[{"delta":{"content":"x"}}]}')).toBe(false);
  });
});

describe('the OpenAI-chat decoders read every reasoning field (translated clients)', () => {
  const collect = (chunks: unknown[], thinkTags = false): StreamPart[] => {
    const parts: StreamPart[] = [];
    const decoder = createOpenAIChatStreamDecoder((part) => parts.push(part), 'Local', { thinkTags });
    for (const chunk of chunks) decoder.push({ data: JSON.stringify(chunk) });
    decoder.push({ data: '[DONE]' });
    return parts;
  };
  const reasoningText = (parts: StreamPart[]) => parts.flatMap((p) => (p.type === 'reasoning-delta' ? [p.text] : [])).join('');
  const text = (parts: StreamPart[]) => parts.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('');

  it('stream: reasoning, reasoning_details and think tags (split across chunks)', () => {
    const viaReasoning = collect([{ choices: [{ index: 0, delta: { reasoning: 'r1 ' } }] }, { choices: [{ index: 0, delta: { reasoning_details: [{ type: 'reasoning.text', text: 'r2' }] } }] }, { choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: 'stop' }] }]);
    expect(reasoningText(viaReasoning)).toBe('r1 r2');
    expect(text(viaReasoning)).toBe('ok');
    const chunks = ['<think>', 'pon', 'der</thi', 'nk>\n', 'Answer'].map((content) => ({ choices: [{ index: 0, delta: { content } }] }));
    const tagged = collect([...chunks, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }], true);
    expect(reasoningText(tagged)).toBe('ponder');
    expect(text(tagged)).toBe('Answer');
    expect(tagged.findIndex((p) => p.type === 'reasoning-delta')).toBeLessThan(tagged.findIndex((p) => p.type === 'text-delta'));
    // Without the rule the tags are text.
    expect(text(collect(chunks))).toBe('<think>ponder</think>\nAnswer');
  });

  it('JSON: think tags and reasoning_details become a reasoning part before the text', () => {
    const decoded = decodeOpenAIChatResponse({ choices: [{ message: { role: 'assistant', content: ANSWER }, finish_reason: 'stop' }] }, { thinkTags: true });
    expect(decoded.content).toEqual([{ type: 'reasoning', text: 'Weigh 9.11 against 9.8.' }, { type: 'text', text: '9.8 is greater.' }]);
    const details = decodeOpenAIChatResponse({ choices: [{ message: { role: 'assistant', content: 'x', reasoning_details: [{ type: 'reasoning.summary', summary: 'sum' }] }, finish_reason: 'stop' }] });
    expect(details.content[0]).toEqual({ type: 'reasoning', text: 'sum' });
  });

  it('builds reasoning_content only on tool-calling turns, only for vendors that require it', () => {
    const request = {
      model: 'm',
      system: [],
      stream: false,
      messages: [
        { role: 'user' as const, content: [{ type: 'text' as const, text: 'q' }] },
        { role: 'assistant' as const, content: [{ type: 'reasoning' as const, text: 'plan' }, { type: 'tool-call' as const, id: 'call_1', name: 'f', arguments: '{}' }] },
        { role: 'user' as const, content: [{ type: 'tool-result' as const, toolCallId: 'call_1', content: [{ type: 'text' as const, text: 'r' }] }] },
        { role: 'assistant' as const, content: [{ type: 'reasoning' as const, text: 'why' }, { type: 'text' as const, text: 'answer' }] },
      ],
    };
    const required = buildOpenAIChatRequest(request, { upstreamModel: 'm', maxOutputTokens: null, sendReasoning: true }).body.messages as Array<Record<string, unknown>>;
    expect(required.map((m) => m.reasoning_content)).toEqual([undefined, 'plan', undefined, undefined]);
    const others = buildOpenAIChatRequest(request, { upstreamModel: 'm', maxOutputTokens: null }).body.messages as Array<Record<string, unknown>>;
    expect(others.some((m) => 'reasoning_content' in m)).toBe(false);
  });
});
