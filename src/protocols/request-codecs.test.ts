import { describe, expect, it } from 'vitest';
import { GatewayError } from '../core/gateway-error.js';
import { anthropicEgress, anthropicIngress } from './anthropic-messages/index.js';
import { openAIChatEgress, openAIChatIngress } from './openai-chat/index.js';
import { readFixture } from './sse-test-helpers.js';

const target = { upstreamModel: 'up-model', maxOutputTokens: 8192 };

describe('Anthropic request → OpenAI chat request (Claude Code against an OpenAI-protocol vendor)', () => {
  // Request shape from Anthropic's Messages API reference and tool-use guide
  // (https://docs.anthropic.com/en/api/messages, …/tool-use/implement-tool-use).
  const request = anthropicIngress.parseRequest({
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    system: [
      { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Be brief.' },
    ],
    tools: [{ name: 'Bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } }],
    tool_choice: { type: 'any', disable_parallel_tool_use: true },
    metadata: { user_id: 'user_abc' },
    stop_sequences: ['END'],
    temperature: 0.2,
    thinking: { type: 'enabled', budget_tokens: 2000 },
    stream: true,
    messages: [
      { role: 'user', content: 'list files' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'use ls', signature: 'sig' },
          { type: 'text', text: 'Running ls.' },
          { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'a.txt' }] },
          { type: 'text', text: 'thanks' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0' } },
        ],
      },
    ],
  });

  it('parses into the neutral form', () => {
    expect(request.system.map((part) => part.text)).toEqual(['You are Claude Code.', 'Be brief.']);
    expect(request.system[0]!.cacheControl).toEqual({ type: 'ephemeral' });
    expect(request.reasoning).toEqual({ budgetTokens: 2000 });
    expect(request.toolChoice).toEqual({ type: 'required' });
    expect(request.parallelToolCalls).toBe(false);
    expect(request.user).toBe('user_abc');
  });

  it('builds an OpenAI body: system message, tool_calls, tool message, user parts', () => {
    const { path, body } = openAIChatEgress.buildRequest(request, { ...target, acceptsReasoningEffort: true });
    expect(path).toBe('/chat/completions');
    expect(body).toMatchObject({
      model: 'up-model',
      max_tokens: 1024,
      temperature: 0.2,
      stop: ['END'],
      user: 'user_abc',
      stream: true,
      stream_options: { include_usage: true },
      tool_choice: 'required',
      parallel_tool_calls: false,
      reasoning_effort: 'low',
    });
    expect(body.tools).toEqual([
      { type: 'function', function: { name: 'Bash', description: 'Run a command', parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } } },
    ]);
    expect(body.messages).toEqual([
      { role: 'system', content: 'You are Claude Code.\n\nBe brief.' },
      { role: 'user', content: 'list files' },
      { role: 'assistant', content: 'Running ls.', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'Bash', arguments: '{"command":"ls"}' } }] },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'a.txt' },
      { role: 'user', content: [{ type: 'text', text: 'thanks' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0' } }] },
    ]);
  });

  it('drops reasoning_effort for vendors that do not take it', () => {
    expect(openAIChatEgress.buildRequest(request, target).body.reasoning_effort).toBeUndefined();
  });

  it('refuses what it cannot carry with a 400 naming the field', () => {
    const bad = () => anthropicIngress.parseRequest({ model: 'm', messages: [{ role: 'user', content: [{ type: 'server_tool_use', id: 'x' }] }] });
    expect(bad).toThrow(GatewayError);
    expect(bad).toThrow(/messages\.0\.content\.0\.type/);
    expect(() => anthropicIngress.parseRequest({ model: 'm', messages: [], max_tokens: 1 })).toThrow(/non-empty/);
    expect(() => anthropicIngress.parseRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'web_search_20250305', name: 'web_search' }] })).toThrow(/server tool/);
  });
});

describe('OpenAI chat request → Anthropic request (OpenAI clients against Anthropic)', () => {
  const request = openAIChatIngress.parseRequest({
    model: 'claude',
    messages: [
      { role: 'system', content: 'Be helpful.' },
      { role: 'user', content: 'hi' },
      { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'functions.get:0', type: 'function', function: { name: 'get', arguments: '{"q":1}' } }] },
      { role: 'tool', tool_call_id: 'functions.get:0', content: 'result' },
      { role: 'user', content: 'and?' },
    ],
    tools: [{ type: 'function', function: { name: 'get', parameters: { type: 'object', properties: { q: { type: 'number' } } } } }],
    tool_choice: 'required',
    reasoning_effort: 'medium',
    temperature: 0.5,
    stream: true,
    stream_options: { include_usage: true },
  });

  it('hoists system, merges consecutive same-role turns, maps images, tools and reasoning', () => {
    const { path, body } = anthropicEgress.buildRequest(request, target);
    expect(path).toBe('/v1/messages');
    expect(body.system).toEqual([{ type: 'text', text: 'Be helpful.' }]);
    expect(body.max_tokens).toBe(8192);
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 4096 });
    // temperature is not allowed with thinking
    expect(body.temperature).toBeUndefined();
    // a forced tool is refused with thinking on (docs.anthropic.com extended-thinking, tool use): auto instead
    expect(body.tool_choice).toEqual({ type: 'auto' });
    expect(body.tools).toEqual([{ name: 'get', input_schema: { type: 'object', properties: { q: { type: 'number' } } } }]);
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'hi' },
          { type: 'text', text: 'look' },
          { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
        ],
      },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_functions_get_0', name: 'get', input: { q: 1 } }] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_functions_get_0', content: [{ type: 'text', text: 'result' }] },
          { type: 'text', text: 'and?' },
        ],
      },
    ]);
    expect(body.stream).toBe(true);
  });

  it('uses the default max_tokens when neither client nor model gives one, and keeps a budget under it', () => {
    const plain = openAIChatIngress.parseRequest({ model: 'c', messages: [{ role: 'user', content: 'x' }], max_tokens: 2000, reasoning_effort: 'high' });
    const { body } = anthropicEgress.buildRequest(plain, { upstreamModel: 'c', maxOutputTokens: null });
    expect(body.max_tokens).toBe(2000);
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 1999 });
    const none = anthropicEgress.buildRequest(openAIChatIngress.parseRequest({ model: 'c', messages: [{ role: 'user', content: 'x' }] }), { upstreamModel: 'c', maxOutputTokens: null });
    expect(none.body.max_tokens).toBe(4096);
  });

  it('refuses n > 1 and unknown roles', () => {
    expect(() => openAIChatIngress.parseRequest({ model: 'c', n: 2, messages: [{ role: 'user', content: 'x' }] })).toThrow(/`n`/);
    expect(() => openAIChatIngress.parseRequest({ model: 'c', messages: [{ role: 'wizard', content: 'x' }] })).toThrow(/role/);
  });
});

describe('Response codecs', () => {
  it('an Anthropic message (fixture from the tool-use and prompt-caching docs) becomes a chat.completion with cached tokens', () => {
    const message = JSON.parse(readFixture(new URL('./anthropic-messages/__fixtures__/anthropic-tool-use.json', import.meta.url))) as Record<string, unknown>;
    const neutral = anthropicEgress.decodeResponse(message);
    const chat = openAIChatIngress.encodeResponse(neutral, { model: 'claude' }) as any;
    expect(chat.model).toBe('claude');
    expect(chat.choices[0].finish_reason).toBe('tool_calls');
    expect(chat.choices[0].message.content).toBe("I'll check the current weather in San Francisco for you.");
    expect(chat.choices[0].message.reasoning_content).toContain('call the tool');
    expect(chat.choices[0].message.tool_calls).toEqual([
      { id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' } },
    ]);
    expect(chat.usage).toMatchObject({ prompt_tokens: 2098, completion_tokens: 96, total_tokens: 2194, prompt_tokens_details: { cached_tokens: 1800 } });
  });

  it('an OpenAI chat.completion (fixture from the function-calling docs) becomes an Anthropic message', () => {
    const completion = JSON.parse(readFixture(new URL('./openai-chat/__fixtures__/openai-chat-tool-call.json', import.meta.url))) as Record<string, unknown>;
    const message = anthropicIngress.encodeResponse(openAIChatEgress.decodeResponse(completion), { model: 'claude-sonnet-4-5' }) as any;
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      stop_reason: 'tool_use',
      content: [{ type: 'tool_use', id: 'call_abc', name: 'get_weather', input: { location: 'Boston, MA' } }],
      usage: { input_tokens: 82, output_tokens: 17, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    });
    expect(message.id).toMatch(/^msg_/);
  });

  it('thinking with a signature survives Anthropic → neutral → Anthropic', () => {
    const message = JSON.parse(readFixture(new URL('./anthropic-messages/__fixtures__/anthropic-tool-use.json', import.meta.url))) as Record<string, unknown>;
    const again = anthropicIngress.encodeResponse(anthropicEgress.decodeResponse(message), { model: 'claude-sonnet-4-5-20250929' }) as any;
    expect(again.content).toEqual(message.content);
    expect(again.usage).toEqual(message.usage);
  });
});

describe('Error envelopes', () => {
  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [502, 'api_error'],
    [529, 'overloaded_error'],
  ])('a gateway %i is Anthropic type %s', (status, type) => {
    const { status: out, body } = anthropicIngress.errorBody(new GatewayError('nope', { status, code: 'x' }));
    expect(out).toBe(status);
    expect(body).toMatchObject({ type: 'error', error: { type, message: 'nope' } });
  });

  it('parses an Anthropic vendor error body (fixture from the errors page)', () => {
    const info = anthropicEgress.parseError(429, readFixture(new URL('./anthropic-messages/__fixtures__/anthropic-error.json', import.meta.url)));
    expect(info).toEqual({ message: 'Number of request tokens has exceeded your per-minute rate limit', code: 'rate_limit_error', type: 'rate_limit_error' });
    expect(anthropicEgress.parseError(502, '<html>bad gateway</html>').message).toBe('<html>bad gateway</html>');
  });

  it('keeps OpenAI\'s envelope for OpenAI clients', () => {
    expect(openAIChatIngress.errorBody(new GatewayError('nope', { status: 404, code: 'model_not_found' })).body).toEqual({
      error: { message: 'nope', type: 'not_found_error', param: null, code: 'model_not_found' },
    });
  });
});
