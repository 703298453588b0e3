import { UPSTREAM_KEY } from './workload.js';
import type { RunningTarget, TargetContext, TargetStart } from './target.js';

/** The baseline: the client talks to the simulator itself. */
export const startDirect = async (context: TargetContext): Promise<TargetStart> => {
  const target: RunningTarget = {
    name: 'direct',
    origin: context.upstreamUrl,
    chatPath: '/openai/v1/chat/completions',
    headers: { authorization: `Bearer ${UPSTREAM_KEY}` },
    pid: null,
    version: null,
    notes: ['baseline: no hop between client and simulator'],
    stop: async () => undefined,
  };
  return { status: 'ok', target };
};
