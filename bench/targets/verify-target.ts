import { MODELS, chatBody } from './workload.js';

/**
 * One real request of each kind before anything is measured: a target that answers
 * errors or cannot stream is reported as skipped instead of producing fast nonsense.
 * Returns null when fine, else what is wrong.
 */
export const verifyChatEndpoint = async (url: string, headers: Record<string, string>): Promise<string | null> => {
  const post = async (stream: boolean) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: chatBody(MODELS.fast, stream),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, text: await response.text() };
  };
  try {
    const plain = await post(false);
    if (plain.status !== 200 || !plain.text.includes('"choices"')) return `non-stream request failed: ${plain.status} ${plain.text.slice(0, 200)}`;
    const streamed = await post(true);
    const events = streamed.text.split('\n\n').filter((event) => event.trimStart().startsWith('data:')).length;
    if (streamed.status !== 200 || !streamed.text.includes('data: [DONE]') || events < 20) {
      return `streaming is broken: status ${streamed.status}, ${events} SSE events, body starts ${JSON.stringify(streamed.text.slice(0, 120))}`;
    }
    return null;
  } catch (error) {
    return `request failed: ${(error as Error).message}`;
  }
};
