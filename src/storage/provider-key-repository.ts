import type { Kysely } from 'kysely';
import { badRequest } from '../server/errors.js';
import { runConfigChange, type ChangeResult } from './config-change.js';
import type { RepositoryOptions } from './config-overlay-repository.js';
import { lastFour, maskLast4 } from './mask.js';
import type { DatabaseSchema } from './schema.js';
import type { SecretBox } from './secret-box.js';

export interface ProviderKeyRepositoryOptions extends RepositoryOptions {
  box: SecretBox;
}

/** The provider name is bound as associated data, so a sealed key cannot be moved to another provider's row. */
const aad = (provider: string) => `provider-key:${provider}`;

/**
 * Vendor API keys set through the admin API, sealed at rest. Changes bump the state
 * version (workers reload keys) and are audited with masked values only.
 */
export class ProviderKeyRepository {
  private readonly now: () => number;
  private readonly box: SecretBox;

  constructor(
    private readonly db: Kysely<DatabaseSchema>,
    options: ProviderKeyRepositoryOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.box = options.box;
  }

  async setKey(provider: string, apiKey: string, actor = 'system'): Promise<ChangeResult> {
    const key = typeof apiKey === 'string' ? apiKey.trim() : '';
    if (!key) throw badRequest('apiKey must be a non-empty string.', 'invalid_api_key_value', 'apiKey');
    if (/[\r\n]/.test(key)) throw badRequest('apiKey must be a single line.', 'invalid_api_key_value', 'apiKey');
    const sealed = this.box.seal(key, aad(provider));
    const last4 = lastFour(key);
    return runConfigChange(this.db, { actor, action: 'provider_key.set', target: provider }, this.now, async (tx) => {
      const before = await tx
        .selectFrom('provider_keys')
        .select('last4')
        .where('provider', '=', provider)
        .executeTakeFirst();
      const values = { sealed, last4, updated_at: this.now() };
      await tx
        .insertInto('provider_keys')
        .values({ provider, ...values })
        .onConflict((oc) => oc.column('provider').doUpdateSet(values))
        .execute();
      // Always a change: the same last 4 characters do not mean the same key.
      return [
        { kind: 'provider_key', key: provider, before: before ? maskLast4(before.last4) : null, after: maskLast4(last4) },
      ];
    });
  }

  async deleteKey(provider: string, actor = 'system'): Promise<ChangeResult> {
    return runConfigChange(this.db, { actor, action: 'provider_key.delete', target: provider }, this.now, async (tx) => {
      const row = await tx
        .deleteFrom('provider_keys')
        .where('provider', '=', provider)
        .returning('last4')
        .executeTakeFirst();
      return row ? [{ kind: 'provider_key', key: provider, before: maskLast4(row.last4), after: null }] : [];
    });
  }

  /**
   * Decrypted keys by provider, for the provider registry only. A key that cannot be
   * opened (secret key changed, tampering) throws `secret_box_invalid` unless
   * `onUndecryptable` is given, in which case that provider is skipped.
   */
  async getProviderKeys(options: { onUndecryptable?: (provider: string, error: unknown) => void } = {}) {
    const rows = await this.db.selectFrom('provider_keys').select(['provider', 'sealed']).execute();
    const keys: Record<string, string> = {};
    for (const row of rows) {
      try {
        keys[row.provider] = this.box.open(row.sealed, aad(row.provider));
      } catch (error) {
        if (!options.onUndecryptable) throw error;
        options.onUndecryptable(row.provider, error);
      }
    }
    return keys;
  }

  /** `{provider: "…abcd"}` */
  async listMasked(): Promise<Record<string, string>> {
    const rows = await this.db.selectFrom('provider_keys').select(['provider', 'last4']).execute();
    return Object.fromEntries(rows.map((row) => [row.provider, maskLast4(row.last4)]));
  }

  async getMasked(provider: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('provider_keys')
      .select('last4')
      .where('provider', '=', provider)
      .executeTakeFirst();
    return row ? maskLast4(row.last4) : null;
  }
}
