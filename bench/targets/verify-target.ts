import { request as httpRequest } from 'node:http';
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

/** One non-stream request on a connection of its own (agent: false), so a cluster primary picks a worker for it. */
const postOnFreshConnection = (url: string, headers: Record<string, string>): Promise<{ status: number; text: string }> =>
  new Promise((resolve, reject) => {
    const body = chatBody(MODELS.fast, false);
    const request = httpRequest(url, {
      method: 'POST',
      agent: false,
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' },
      timeout: 10_000,
    });
    request.on('timeout', () => request.destroy(new Error('no reply in 10 s')));
    request.on('error', reject);
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      response.on('error', reject);
    });
    request.end(body);
  });

/**
 * With `--workers N` each worker loads a new key on its own state poll: until `count`
 * requests in a row, each on a fresh connection (the primary deals connections to the
 * workers in turn), all succeed, a measurement would count one worker's 401s as errors.
 * Returns null once they do, else the last failure after `timeoutMs`.
 */
export const waitForEveryWorker = async (url: string, headers: Record<string, string>, count: number, timeoutMs: number): Promise<string | null> => {
  const deadline = Date.now() + timeoutMs;
  let problem = 'not tried';
  while (Date.now() < deadline) {
    problem = '';
    for (let index = 0; index < count && !problem; index += 1) {
      try {
        const reply = await postOnFreshConnection(url, headers);
        if (reply.status !== 200 || !reply.text.includes('"choices"')) problem = `request ${index + 1} of ${count}: ${reply.status} ${reply.text.slice(0, 200)}`;
      } catch (error) {
        problem = `request ${index + 1} of ${count}: ${(error as Error).message}`;
      }
    }
    if (!problem) return null;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return problem;
};
