// Node's own floor for one proxy hop: a bare node:http server forwarding every request through an
// undici Agent with the gateway's keep-alive pool settings (src/upstream/upstream-client.ts), no
// framework, no auth, no accounting. What the gateway costs above this is the gateway's own work;
// what this costs above nginx is Node's. Usage: node node-floor-server.mjs <upstream origin> <port>
import { createServer } from 'node:http';
import { Agent } from 'undici';

const [upstream, portText] = process.argv.slice(2);
const origin = new URL(upstream).origin;
const agent = new Agent({
  connections: null,
  pipelining: 1,
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 600_000,
  connect: { timeout: 2000, noDelay: true, keepAlive: true },
});

const forward = (req, res, body) => {
  const headers = { 'content-type': req.headers['content-type'] ?? 'application/json' };
  if (req.headers.authorization) headers.authorization = req.headers.authorization;
  agent.dispatch(
    { origin, path: req.url, method: req.method, headers, body, headersTimeout: 10_000, bodyTimeout: 10_000 },
    {
      onRequestStart() {},
      onResponseStart(_controller, status, upstreamHeaders) {
        const type = upstreamHeaders['content-type'];
        res.writeHead(status, type ? { 'content-type': type } : {});
      },
      onResponseData(_controller, chunk) {
        res.write(chunk);
      },
      onResponseEnd() {
        res.end();
      },
      onResponseError(_controller, error) {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String(error?.code ?? 'upstream error'));
      },
    },
  );
};

const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
  if (req.method === 'GET' || req.method === 'HEAD') {
    forward(req, res, null);
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => forward(req, res, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
});
// The gateway's own server settings (src/server/app.ts).
server.keepAliveTimeout = 65_000;
server.listen(Number(portText), '127.0.0.1');
const stop = () => server.close(() => agent.close().finally(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
