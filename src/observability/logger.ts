import pino, { type Logger } from 'pino';

/**
 * Asynchronous JSON logs (never a synchronous write on the request path) with every
 * header and field that could carry a secret redacted.
 */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-goog-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-goog-api-key"]',
  'apiKey',
  'api_key',
  'password',
  '*.apiKey',
  '*.password',
];

export const createLogger = (level: string, destination?: pino.DestinationStream): Logger =>
  pino(
    { level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { service: 'sk-llm-gateway' } },
    destination ?? pino.destination({ sync: false }),
  );
