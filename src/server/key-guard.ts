import type { Logger } from 'pino';
import { budgetPeriodStart, checkBudget } from '../limits/budget.js';
import { RateLimiter, rateLimitHeaders } from '../limits/rate-limiter.js';
import type { RedisRateLimiter } from '../limits/redis-rate-limiter.js';
import { DEFAULT_BUDGET_CURRENCY, hashApiKey, type ApiKeyRecord, type Repositories } from '../storage/index.js';
import type { ApiCaller } from './api-auth.js';
import { GatewayError } from './errors.js';

export interface VirtualCaller extends ApiCaller {
  kind: 'virtual';
  record: ApiKeyRecord;
  /** Tokens reserved by the rate limiter before the answer, corrected in settle(). */
  reserved: number;
}

const isVirtual = (caller: ApiCaller): caller is VirtualCaller => caller.kind === 'virtual';
const budgetCurrency = (record: ApiKeyRecord): string => record.budget?.currency ?? DEFAULT_BUDGET_CURRENCY;

/**
 * Virtual keys checked from memory only: the key table and each key's spend are
 * loaded off the request path (on every state change and every few seconds), so a
 * request never waits for the database.
 */
export class KeyGuard {
  private keys = new Map<string, ApiKeyRecord>();
  private spend = new Map<string, number>();
  private readonly limiter = new RateLimiter();
  private timer: NodeJS.Timeout | null = null;

  /**
   * With a shared limiter (Redis), limits hold across workers and instances; without
   * one they are per process. A Redis failure falls back to the local limiter rather
   * than failing requests.
   */
  constructor(
    private readonly repositories: Repositories,
    private readonly logger?: Logger,
    private readonly shared: RedisRateLimiter | null = null,
  ) {}

  async reloadKeys(): Promise<void> {
    this.keys = await this.repositories.apiKeys.loadAllActiveForCache();
    await this.refreshSpend();
  }

  /**
   * Spend per key for its budget period and in its budget currency, from the running
   * totals (includes other workers). Spend in other currencies never counts.
   */
  async refreshSpend(now = Date.now()): Promise<void> {
    const next = new Map<string, number>();
    const byPeriod = new Map<string, string[]>();
    for (const record of this.keys.values()) {
      if (!record.budget) continue;
      const group = `${record.budget.period}|${budgetCurrency(record)}`;
      const list = byPeriod.get(group) ?? [];
      list.push(record.id);
      byPeriod.set(group, list);
    }
    for (const [group, ids] of byPeriod) {
      const [period, currency] = group.split('|') as [string, string];
      const since = period === 'total' ? 0 : budgetPeriodStart(period as 'day' | 'month', now).getTime();
      const totals = await this.repositories.usage.spendTotalsForKeys({ since, keyIds: ids, currency });
      for (const id of ids) next.set(id, totals[id] ?? 0);
    }
    this.spend = next;
  }

  startRefreshing(intervalMs = 5_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refreshSpend().catch((error) => this.logger?.error({ err: error }, 'spend refresh failed'));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Returns the caller for a presented `sk-gw-…` secret, or null when it is not one of ours. */
  authenticate(secret: string, now = Date.now(), hash = hashApiKey(secret)): VirtualCaller | null {
    const record = this.keys.get(hash);
    if (!record) return null;
    if (record.revokedAt !== null) {
      throw new GatewayError('This API key has been revoked.', { status: 401, code: 'api_key_revoked', type: 'authentication_error' });
    }
    if (record.expiresAt !== null && record.expiresAt <= now) {
      throw new GatewayError('This API key has expired.', { status: 401, code: 'api_key_expired', type: 'authentication_error' });
    }
    return { kind: 'virtual', keyId: record.id, keyName: record.name, record, reserved: 0 };
  }

  /** Allowed models, RPM/TPM and budget; returns the `x-ratelimit-*` headers to send. */
  async admit(caller: ApiCaller, model: { key: string; name: string; aliases: string[] }, requestedName: string | undefined, estimatedTokensInput: number, now = Date.now()): Promise<Record<string, string>> {
    const estimatedTokens = Number.isFinite(estimatedTokensInput) && estimatedTokensInput > 0 ? estimatedTokensInput : 0;
    if (!isVirtual(caller)) return {};
    const { record } = caller;
    if (record.allowedModels && record.allowedModels.length > 0) {
      const names = [model.key, model.name, ...model.aliases, requestedName].filter(Boolean).map((n) => String(n).toLowerCase());
      const allowed = record.allowedModels.some((m) => names.includes(m.toLowerCase()));
      if (!allowed) {
        throw new GatewayError(`This API key may not use the model \`${requestedName ?? model.name}\`.`, {
          status: 403,
          code: 'model_not_allowed',
          param: 'model',
        });
      }
    }
    if (record.budget) {
      const check = checkBudget(this.spend.get(record.id) ?? 0, record.budget);
      if (!check.allowed) {
        throw new GatewayError(
          `This API key has used its ${record.budget.period === 'total' ? 'total' : record.budget.period === 'day' ? 'daily' : 'monthly'} budget of ${record.budget.amount}; ask the operator to raise it.`,
          { status: 429, code: 'budget_exceeded', type: 'rate_limit_error' },
        );
      }
    }
    if (!record.rpmLimit && !record.tpmLimit) return {};
    const request = { rpm: record.rpmLimit, tpm: record.tpmLimit, estimatedTokens, now };
    let result;
    if (this.shared) {
      try {
        result = await this.shared.checkAndConsume(record.id, request);
      } catch (error) {
        this.logger?.warn({ err: String(error) }, 'shared rate limiter unavailable; using the local one');
        result = this.limiter.checkAndConsume(record.id, request);
      }
    } else result = this.limiter.checkAndConsume(record.id, request);
    const headers = rateLimitHeaders(result);
    if (!result.allowed) {
      throw new GatewayError(
        result.reason === 'requests'
          ? `Rate limit reached: ${record.rpmLimit} requests per minute for this key.`
          : `Rate limit reached: ${record.tpmLimit} tokens per minute for this key.`,
        { status: 429, code: result.reason === 'requests' ? 'rate_limit_requests' : 'rate_limit_tokens', type: 'rate_limit_error', headers },
      );
    }
    caller.reserved = estimatedTokens;
    return headers;
  }

  /** `currency`: the cost's (the model's pricing currency); only the budget's own currency counts. */
  settle(caller: ApiCaller, totalTokens: number, cost: number, currency = DEFAULT_BUDGET_CURRENCY, now = Date.now()): void {
    if (!isVirtual(caller)) return;
    if (caller.record.tpmLimit) {
      if (this.shared) {
        this.shared.recordTokens(caller.record.id, totalTokens, now, caller.reserved).catch(() => this.limiter.recordTokens(caller.record.id, totalTokens, now, caller.reserved));
      } else this.limiter.recordTokens(caller.record.id, totalTokens, now, caller.reserved);
    }
    if (cost > 0 && currency === budgetCurrency(caller.record)) this.spend.set(caller.record.id, (this.spend.get(caller.record.id) ?? 0) + cost);
  }
}
