import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { GatewayError, badRequest, isGatewayError, notFound, unauthorized } from '../server/errors.js';
import { RuleBook, resolveBehavior, resolvePath } from './behavior.js';
import { respondChat, validateChatBody } from './chat-completion-responder.js';
import { checkVendorRules } from './vendor-modes/index.js';
import { buildEmbeddings } from './embeddings-responder.js';
import { Exchange, simulatedError } from './exchange.js';
import { collectImageUrls, inspectImages } from './image-inspector.js';
import { modelsListJson } from './models-responder.js';
import { respondResponses, validateResponsesBody } from './responses-responder.js';
import { collectAnthropicImages, respondCountTokens, respondMessages, validateMessagesBody } from './anthropic-messages-responder.js';
import { collectGeminiImages, geminiEndpoint, geminiModelsList, respondGemini, validateGeminiBody } from './gemini-responder.js';
import type { ImageInfo, ReceivedRequest, Simulator, SimulatorOptions, SimulatorRule } from './types.js';

/** Large enough for several full-size base64 images in one chat request. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const DEFAULT_RECORD_LIMIT = 1000;
const NO_IMAGES: ImageInfo[] = [];

type Endpoint = 'chat' | 'embeddings' | 'models' | 'messages' | 'count-tokens' | 'responses';

const endpointOf = (path: string): Endpoint | null => {
  if (path.endsWith('/chat/completions')) return 'chat';
  if (path.endsWith('/responses')) return 'responses';
  if (path.endsWith('/messages/count_tokens')) return 'count-tokens';
  if (path.endsWith('/messages')) return 'messages';
  if (path.endsWith('/embeddings')) return 'embeddings';
  if (path.endsWith('/models')) return 'models';
  return null;
};

const expectedMethod: Record<Endpoint, string> = { chat: 'POST', embeddings: 'POST', models: 'GET', messages: 'POST', 'count-tokens': 'POST', responses: 'POST' };

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        reject(new GatewayError('Request body too large.', { status: 413, code: 'request_too_large' }));
        return;
      }
      resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });

class SimulatorServer implements Simulator {
  url = '';
  port = 0;
  readonly received: ReceivedRequest[] = [];
  private disconnectCount = 0;
  private unclaimedDisconnects = 0;
  private disconnectWaiters: Array<{ resolve: () => void; reject: (error: Error) => void; timer: NodeJS.Timeout }> =
    [];
  private readonly rules = new RuleBook();
  private readonly sockets = new Set<Socket>();
  private readonly recordLimit: number;
  private readonly requiredAuthorization: string | null;
  private closing = false;
  readonly server: Server;

  constructor(options: SimulatorOptions) {
    this.recordLimit = Math.max(0, Math.floor(options.recordLimit ?? DEFAULT_RECORD_LIMIT));
    this.requiredAuthorization = options.requireApiKey ? `bearer ${options.requireApiKey}` : null;
    this.server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
      const exchange = new Exchange(req, res, this.onClientAbort);
      this.handle(exchange).catch((error: unknown) => {
        exchange.sendError(
          isGatewayError(error)
            ? error
            : new GatewayError('Simulator internal error.', { status: 500, code: 'simulator_error', cause: error }),
        );
      });
    });
    // Longer than typical client pools' idle timeouts so the gateway never races a server-side close.
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get disconnects(): number {
    return this.disconnectCount;
  }

  private readonly onClientAbort = (): void => {
    if (this.closing) return;
    this.disconnectCount += 1;
    const waiter = this.disconnectWaiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve();
    } else {
      this.unclaimedDisconnects += 1;
    }
  };

  private async handle(exchange: Exchange): Promise<void> {
    const { req } = exchange;
    const method = req.method ?? 'GET';
    const { vendor, path } = resolvePath(req.url ?? '/');
    const gemini = geminiEndpoint(path);
    if (gemini) {
      await this.handleGemini(exchange, method, vendor, path, gemini);
      return;
    }
    if (path.endsWith('/v1beta/models') && method === 'GET') {
      exchange.errorStyle = 'gemini';
      if (this.recordLimit > 0) this.received.push({ method, path, url: req.url ?? path, vendor, headers: { ...req.headers }, body: null, rawBody: '', images: NO_IMAGES, time: Date.now() });
      const key = req.headers['x-goog-api-key'];
      if (this.requiredAuthorization !== null && (typeof key !== 'string' || `bearer ${key}`.toLowerCase() !== this.requiredAuthorization.toLowerCase())) {
        throw new GatewayError('API key not valid. Please pass a valid API key.', { status: 400, code: 'invalid_api_key' });
      }
      exchange.sendJson(200, geminiModelsList());
      return;
    }
    const endpoint = endpointOf(path);
    // Anthropic endpoints answer errors in Anthropic's envelope, as the real API does.
    if (endpoint === 'messages' || endpoint === 'count-tokens') exchange.errorStyle = 'anthropic';
    const rawBody = await readBody(req);
    if (endpoint === null) throw notFound(`Unknown simulator route ${method} ${path}.`, 'unknown_route');
    if (method !== expectedMethod[endpoint]) {
      throw new GatewayError(`Method ${method} not allowed on ${path}.`, { status: 405, code: 'method_not_allowed' });
    }

    let body: unknown = null;
    let bodyInvalid = false;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        bodyInvalid = true;
      }
    }
    const record = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : null;
    const imageUrls =
      endpoint === 'chat' && record
        ? collectImageUrls(record.messages)
        : (endpoint === 'messages' || endpoint === 'count-tokens') && record
          ? collectAnthropicImages(record.messages)
          : [];
    const images = imageUrls.length === 0 ? NO_IMAGES : await inspectImages(imageUrls);
    if (this.recordLimit > 0) {
      this.received.push({ method, path, vendor, headers: { ...req.headers }, body, rawBody, images, time: Date.now() });
      if (this.received.length > this.recordLimit) this.received.splice(0, this.received.length - this.recordLimit);
    }

    if (this.requiredAuthorization !== null) {
      const authorization = req.headers.authorization;
      const apiKey = req.headers['x-api-key'];
      const bearerOk = typeof authorization === 'string' && authorization.toLowerCase() === this.requiredAuthorization.toLowerCase();
      // Anthropic's API takes the key in x-api-key.
      const apiKeyOk = exchange.errorStyle === 'anthropic' && typeof apiKey === 'string' && `bearer ${apiKey}`.toLowerCase() === this.requiredAuthorization.toLowerCase();
      if (!bearerOk && !apiKeyOk) {
        throw unauthorized('Incorrect API key provided.', 'invalid_api_key');
      }
    }
    if (bodyInvalid) throw badRequest('Request body is not valid JSON.', 'invalid_json');

    const model = record && typeof record.model === 'string' ? record.model : undefined;
    const authorization = req.headers.authorization;
    const apiKey = typeof authorization === 'string' && /^bearer /i.test(authorization) ? authorization.slice(7).trim() : undefined;
    const behavior = resolveBehavior(this.rules, { model, vendor, path, apiKey }, record?.simulator);
    if (behavior.hang) {
      await exchange.waitForClose();
      return;
    }
    if (!(await exchange.sleep(behavior.firstTokenDelayMs))) return;
    if (behavior.status !== undefined && behavior.errorBody !== undefined) {
      exchange.sendText(behavior.status, behavior.errorBody, { 'content-type': 'application/json' });
      return;
    }
    if (behavior.status !== undefined) throw simulatedError(behavior, behavior.status);

    if (endpoint === 'chat') {
      const valid = validateChatBody(body);
      // The vendor's documented rules (src/simulator/vendor-modes): a broken one is refused as it would be.
      const refusal = checkVendorRules(vendor, valid.model, valid.body, path, req.headers);
      if (refusal) {
        exchange.sendJson(refusal.status, refusal.body);
        return;
      }
      await respondChat(exchange, valid.body, valid.model, vendor, images, behavior);
    } else if (endpoint === 'responses') {
      await respondResponses(exchange, validateResponsesBody(body), behavior);
    } else if (endpoint === 'messages') {
      await respondMessages(exchange, validateMessagesBody(body, false), images, behavior);
    } else if (endpoint === 'count-tokens') {
      respondCountTokens(exchange, validateMessagesBody(body, true), images, behavior);
    } else if (endpoint === 'embeddings') {
      exchange.sendJsonWithBehavior(buildEmbeddings(body), behavior);
    } else {
      exchange.sendBodyWithBehavior(modelsListJson(vendor), behavior);
    }
  }

  /** Gemini API methods: the model is in the path, the key in x-goog-api-key, errors in Google's envelope. */
  private async handleGemini(exchange: Exchange, method: string, vendor: ReturnType<typeof resolvePath>['vendor'], path: string, endpoint: NonNullable<ReturnType<typeof geminiEndpoint>>): Promise<void> {
    const { req } = exchange;
    exchange.errorStyle = 'gemini';
    const rawBody = await readBody(req);
    if (method !== 'POST') throw new GatewayError(`Method ${method} not allowed on ${path}.`, { status: 405, code: 'method_not_allowed' });
    let body: unknown = null;
    let bodyInvalid = false;
    try {
      body = rawBody.length > 0 ? JSON.parse(rawBody) : null;
    } catch {
      bodyInvalid = true;
    }
    const record = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
    const imageUrls = collectGeminiImages(record && typeof record.generateContentRequest === 'object' ? (record.generateContentRequest as Record<string, unknown>) : record);
    const images = imageUrls.length === 0 ? NO_IMAGES : await inspectImages(imageUrls);
    if (this.recordLimit > 0) {
      this.received.push({ method, path, url: req.url ?? path, vendor, headers: { ...req.headers }, body, rawBody, images, time: Date.now() });
      if (this.received.length > this.recordLimit) this.received.splice(0, this.received.length - this.recordLimit);
    }
    if (this.requiredAuthorization !== null) {
      const key = req.headers['x-goog-api-key'];
      if (typeof key !== 'string' || `bearer ${key}`.toLowerCase() !== this.requiredAuthorization.toLowerCase()) {
        throw new GatewayError('API key not valid. Please pass a valid API key.', { status: 400, code: 'invalid_api_key' });
      }
    }
    if (bodyInvalid) throw badRequest('Invalid JSON payload received.', 'invalid_json');
    const behavior = resolveBehavior(this.rules, { model: endpoint.model, vendor, path }, record?.simulator);
    if (behavior.hang) {
      await exchange.waitForClose();
      return;
    }
    if (!(await exchange.sleep(behavior.firstTokenDelayMs))) return;
    if (behavior.status !== undefined) throw simulatedError(behavior, behavior.status);
    const valid = validateGeminiBody(body, endpoint.method, endpoint.model);
    const sse = new URL(req.url ?? '/', 'http://simulator').searchParams.get('alt') === 'sse';
    await respondGemini(exchange, valid, endpoint.model, endpoint.method, sse, images, behavior);
  }

  clear(): void {
    this.received.length = 0;
    this.disconnectCount = 0;
    this.unclaimedDisconnects = 0;
  }

  addRule(rule: SimulatorRule): void {
    this.rules.add(rule);
  }

  clearRules(): void {
    this.rules.clear();
  }

  openConnections(): number {
    return this.sockets.size;
  }

  waitForDisconnect(timeoutMs = 5000): Promise<void> {
    if (this.unclaimedDisconnects > 0) {
      this.unclaimedDisconnects -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.disconnectWaiters = this.disconnectWaiters.filter((entry) => entry !== waiter);
          reject(new Error(`No client disconnect within ${timeoutMs} ms.`));
        }, timeoutMs),
      };
      this.disconnectWaiters.push(waiter);
    });
  }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const address = this.server.address();
        this.port = typeof address === 'object' && address !== null ? address.port : port;
        const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
        this.url = `http://${urlHost}:${this.port}`;
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.closing = true;
    for (const waiter of this.disconnectWaiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('Simulator closed.'));
    }
    this.disconnectWaiters = [];
    return new Promise((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      // Hanging and keep-alive connections would otherwise hold close() open forever.
      this.server.closeAllConnections();
    });
  }
}

export const startSimulator = async (options: SimulatorOptions = {}): Promise<Simulator> => {
  const simulator = new SimulatorServer(options);
  await simulator.listen(options.host ?? '127.0.0.1', options.port ?? 0);
  return simulator;
};
