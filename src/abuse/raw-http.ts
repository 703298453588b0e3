import { connect, type Socket } from 'node:net';

export interface RawConnection {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves with the time (ms since open) at which the server closed the connection. */
  closed: Promise<number>;
  /** Resolves once the server has started answering. */
  answered: Promise<number>;
}

/** A raw TCP client for the attacks an HTTP library would not perform (dripped bodies, held sockets). */
export const openRaw = (url: string, head: string): Promise<RawConnection> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const started = performance.now();
    const socket = connect({ host: hostname, port: Number(port) });
    let text = '';
    let markAnswered: (ms: number) => void = () => undefined;
    const answered = new Promise<number>((r) => (markAnswered = r));
    const closed = new Promise<number>((r) => socket.once('close', () => r(performance.now() - started)));
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
      markAnswered(performance.now() - started);
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.write(head);
      resolve({ socket, received: () => text, closed, answered });
    });
    socket.once('error', reject);
  });

export const requestHead = (path: string, headers: Record<string, string>, method = 'POST') =>
  `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;

export const statusOf = (text: string): number | null => {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
  return match ? Number(match[1]) : null;
};
