import { isLoopbackAddress } from './network-address.js';
import type { GatewayApp } from './app.js';

/**
 * A loopback *address* (127.0.0.0/8, ::1) or the name `localhost`; not any host name that
 * merely starts with "127." (`127.0.0.1.example.com` resolves wherever its owner likes).
 */
export const isLoopbackHost = (host: string) => host.toLowerCase() === 'localhost' || isLoopbackAddress(host);

/**
 * Without a master key the gateway would be an open relay for the operator's vendor
 * keys, so it only serves unauthenticated on loopback.
 */
export const assertSafeBinding = (host: string, masterKey: string | null) => {
  if (!masterKey && !isLoopbackHost(host)) {
    throw new Error(
      `Refusing to listen on ${host} without GATEWAY_MASTER_KEY: anyone who can reach it could spend your vendor keys. ` +
        'Set GATEWAY_MASTER_KEY (and give clients virtual keys), or bind to 127.0.0.1.',
    );
  }
};

export interface ShutdownOptions {
  drainTimeoutMs: number;
  onSignal?: (signal: string) => void;
}

/** Stop accepting, let requests in flight finish up to the drain timeout, flush, exit 0. */
export const installGracefulShutdown = (gateway: GatewayApp, options: ShutdownOptions) => {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    options.onSignal?.(signal);
    const timer = setTimeout(() => {
      gateway.ctx.logger.warn({ drainTimeoutMs: options.drainTimeoutMs }, 'drain timeout reached; closing remaining connections');
      gateway.app.server.closeAllConnections();
    }, options.drainTimeoutMs);
    timer.unref();
    gateway
      .close()
      .then(() => {
        clearTimeout(timer);
        gateway.ctx.logger.info('gateway stopped');
        gateway.ctx.logger.flush?.();
        setImmediate(() => process.exit(0));
      })
      .catch((error) => {
        gateway.ctx.logger.error({ err: error }, 'error during shutdown');
        setImmediate(() => process.exit(1));
      });
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
};
