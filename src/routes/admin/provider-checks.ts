import type { Logger } from 'pino';
import type { ProviderState } from '../../router/model-catalog.js';
import type { GatewayContext } from '../../server/gateway-context.js';
import type { GatewayState } from '../../state/gateway-state.js';
import { testProviderConnection, type ConnectionTestResult } from './provider-view.js';

/** The last connection check of a provider, as the console shows it (never a key: see testProviderConnection). */
export interface ProviderCheck {
  ok: boolean;
  /** ISO time the check finished. */
  checkedAt: string;
  latencyMs: number;
  /** Who asked: the operator's "Test connection" or the periodic check. */
  trigger: 'console' | 'scheduled';
  modelCount?: number;
  error?: { message: string; code: string };
}

/** Default period of the background check; GATEWAY_PROVIDER_CHECK_INTERVAL_MS overrides it (0 turns it off). */
export const DEFAULT_CHECK_INTERVAL_MS = 5 * 60 * 1000;
const MIN_INTERVAL_MS = 1_000;

export const checkIntervalFromEnv = (env: NodeJS.ProcessEnv): number => {
  const raw = env.GATEWAY_PROVIDER_CHECK_INTERVAL_MS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_CHECK_INTERVAL_MS;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) return DEFAULT_CHECK_INTERVAL_MS;
  return value === 0 ? 0 : Math.max(MIN_INTERVAL_MS, Math.floor(value));
};

/**
 * Remembers each provider's last connection check (in this process; every instance checks on
 * its own) and runs a background check of every enabled provider that has what it needs (a key,
 * or none needed). The background run is off the request path: one provider at a time, each with
 * the short timeouts of testProviderConnection, and never two runs at once.
 */
export class ProviderChecks {
  private readonly results = new Map<string, ProviderCheck>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly ctx: GatewayContext,
    private readonly state: GatewayState,
    private readonly logger: Logger,
  ) {}

  get(name: string): ProviderCheck | null {
    return this.results.get(name.toLowerCase()) ?? null;
  }

  private record(name: string, result: ConnectionTestResult, trigger: ProviderCheck['trigger']): ProviderCheck {
    const check: ProviderCheck = {
      ok: result.ok,
      checkedAt: new Date().toISOString(),
      latencyMs: result.latencyMs,
      trigger,
      ...(result.ok ? { modelCount: result.models?.length ?? 0 } : {}),
      ...(result.error ? { error: result.error } : {}),
    };
    this.results.set(name.toLowerCase(), check);
    return check;
  }

  /** The console's "Test connection": runs now and records the answer. */
  async check(provider: ProviderState, trigger: ProviderCheck['trigger'] = 'console'): Promise<ConnectionTestResult & { check: ProviderCheck }> {
    const result = await testProviderConnection(this.ctx, provider);
    return { ...result, check: this.record(provider.config.name, result, trigger) };
  }

  /** One background pass over the providers of the current snapshot. */
  runOnce(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      const names = new Set<string>();
      for (const provider of this.state.catalog.providers.values()) {
        const lower = provider.config.name.toLowerCase();
        if (names.has(lower)) continue;
        names.add(lower);
        if (this.stopped) return;
        // A disabled provider or one without its key cannot be checked; its status already says why.
        if (provider.status !== 'usable') {
          this.results.delete(lower);
          continue;
        }
        try {
          await this.check(provider, 'scheduled');
        } catch (error) {
          this.logger.warn({ err: error, provider: provider.config.name }, 'provider connection check failed to run');
        }
      }
      // Forget providers that were deleted.
      for (const name of [...this.results.keys()]) if (!names.has(name)) this.results.delete(name);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Starts the periodic check; the first run comes one period after start, not at boot. */
  start(intervalMs: number): void {
    if (intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }
}
