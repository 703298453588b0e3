import { createServer } from 'node:net';

/** A currently free TCP port on 127.0.0.1 (the kernel picks it; tiny race accepted). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

/** Polls until something answers HTTP at url (any status), bounded by timeoutMs. */
export const waitForHttp = async (url: string, timeoutMs: number, isAlive: () => boolean = () => true, attemptTimeoutMs = 1000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`process exited before answering on ${url}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(attemptTimeoutMs) });
      await response.arrayBuffer();
      return;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing answered on ${url} within ${timeoutMs} ms (${lastError})`);
};
