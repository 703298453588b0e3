import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** What instances tell each other. Every message names its sender so it can skip its own. */
export type ClusterEvent =
  | { type: 'config'; version: number }
  | { type: 'breaker-open'; id: string; openedAt: number; reopensAt: number; consecutiveOpens: number }
  | { type: 'breaker-close'; id: string };

type Handler = (event: ClusterEvent) => void;

export interface ClusterBusStatus {
  /** Both the command and the subscriber connection are up. */
  connected: boolean;
  /** When the current outage began (ms epoch), null while connected. */
  downSince: number | null;
  /** Outages seen since start. */
  outages: number;
}

/**
 * The instances' shared channel over Redis: one pub/sub channel for change notices
 * (config versions, breaker openings) and the status every shared feature consults. While
 * Redis is away each instance runs on its own state; `onReconnect` handlers converge it
 * again (reload the config, re-publish openings, read the others').
 */
export class ClusterBus {
  readonly instanceId = randomUUID();
  readonly channel: string;
  private readonly subscriber: Redis;
  private readonly handlers: Handler[] = [];
  private readonly reconnectHandlers: Array<() => void | Promise<void>> = [];
  private downSince: number | null = Date.now();
  private outages = 0;
  private everConnected = false;
  private closed = false;

  constructor(
    readonly redis: Redis,
    readonly prefix: string,
    private readonly logger?: Logger,
  ) {
    this.channel = `${prefix}events`;
    // Its own connection (a subscribed connection cannot send commands); queued subscribe,
    // and ioredis re-subscribes by itself after a reconnect.
    this.subscriber = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, message: string) => this.receive(message));
    this.subscriber.subscribe(this.channel).catch(() => undefined);
    const update = () => this.updateStatus();
    for (const connection of [redis, this.subscriber]) {
      connection.on('ready', update);
      connection.on('close', update);
      connection.on('end', update);
    }
    update();
  }

  connected(): boolean {
    return !this.closed && this.redis.status === 'ready' && this.subscriber.status === 'ready';
  }

  status(): ClusterBusStatus {
    return { connected: this.connected(), downSince: this.downSince, outages: this.outages };
  }

  on(handler: Handler): void {
    this.handlers.push(handler);
  }

  /** Runs on the first connect and each time Redis comes back after an outage. */
  onConnect(handler: () => void | Promise<void>): void {
    this.reconnectHandlers.push(handler);
  }

  /** Fire and forget: a notice that cannot be sent is covered by polling and by reconnect. */
  publish(event: ClusterEvent): void {
    if (!this.connected()) return;
    this.redis.publish(this.channel, JSON.stringify({ from: this.instanceId, ...event })).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscriber.disconnect();
  }

  private receive(message: string): void {
    let parsed: (ClusterEvent & { from?: string }) | null = null;
    try {
      parsed = JSON.parse(message) as ClusterEvent & { from?: string };
    } catch {
      return;
    }
    if (!parsed || parsed.from === this.instanceId) return;
    for (const handler of this.handlers) {
      try {
        handler(parsed);
      } catch (error) {
        this.logger?.warn({ err: String(error) }, 'cluster event handler failed');
      }
    }
  }

  private updateStatus(): void {
    const up = this.connected();
    if (up && this.downSince !== null) {
      const wasOutage = this.everConnected;
      this.downSince = null;
      this.everConnected = true;
      if (wasOutage) this.logger?.info('redis is back: converging shared state');
      {
        for (const handler of this.reconnectHandlers) {
          Promise.resolve()
            .then(handler)
            .catch((error) => this.logger?.warn({ err: String(error) }, 'reconnect handler failed'));
        }
      }
    } else if (!up && this.downSince === null && !this.closed) {
      this.downSince = Date.now();
      this.outages += 1;
      this.logger?.warn('redis is unreachable: serving on per-instance state until it returns');
    }
  }
}
