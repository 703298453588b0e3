import type { SimulatorRule } from '../../src/simulator/index.js';

/**
 * What the bench asks for. Behaviour is chosen by model name through simulator rules
 * rather than the `simulator` body field, because Portkey drops unknown body fields:
 * this way every target sends the upstream byte-for-byte the same request.
 */
export const MODELS = {
  /** Zero-delay replies; 20 SSE chunks written at once when streaming. */
  fast: 'bench-fast',
  /** 20 chunks, 5 ms apart: time to first token and chunk gaps. */
  paced: 'bench-paced',
  /** 8 chunks, 1 s apart: many concurrent open streams. */
  slow: 'bench-slow',
  /** 20 chunks, 1 s apart: the 10,000-stream run, whose ramp takes several seconds. */
  slowLong: 'bench-slow-long',
} as const;

export const PACED_TOKEN_DELAY_MS = 5;
export const SLOW_TOKEN_DELAY_MS = 1000;

export const SIMULATOR_RULES: SimulatorRule[] = [
  { match: { model: MODELS.fast }, behavior: { chunks: 20 } },
  { match: { model: MODELS.paced }, behavior: { chunks: 20, tokenDelayMs: PACED_TOKEN_DELAY_MS } },
  { match: { model: MODELS.slow }, behavior: { chunks: 8, tokenDelayMs: SLOW_TOKEN_DELAY_MS } },
  { match: { model: MODELS.slowLong }, behavior: { chunks: 20, tokenDelayMs: SLOW_TOKEN_DELAY_MS } },
];

/** The key a client would hold for the vendor; the gateway holds it itself. */
export const UPSTREAM_KEY = 'sk-bench-upstream-0000';

export const chatBody = (model: string, stream: boolean): string =>
  JSON.stringify({
    model,
    messages: [
      { role: 'system', content: 'You are a terse assistant.' },
      { role: 'user', content: 'Say hello to the benchmark in one short sentence.' },
    ],
    max_tokens: 64,
    temperature: 0,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
