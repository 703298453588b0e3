import type { Kysely } from 'kysely';
import { AdminUserRepository } from './admin-user-repository.js';
import { ApiKeyRepository } from './api-key-repository.js';
import { AuditRepository } from './audit-repository.js';
import { ConfigOverlayRepository } from './config-overlay-repository.js';
import { PoolKeyRepository } from './pool-key-repository.js';
import { ProviderKeyRepository } from './provider-key-repository.js';
import type { DatabaseSchema } from './schema.js';
import type { SecretBox } from './secret-box.js';
import { SessionRepository } from './session-repository.js';
import { SettingsRepository } from './settings-repository.js';
import { TeamRepository } from './team-repository.js';
import { UsageRepository } from './usage-repository.js';

export interface Repositories {
  settings: SettingsRepository;
  overlay: ConfigOverlayRepository;
  audit: AuditRepository;
  providerKeys: ProviderKeyRepository;
  apiKeys: ApiKeyRepository;
  usage: UsageRepository;
  sessions: SessionRepository;
  users: AdminUserRepository;
  poolKeys: PoolKeyRepository;
  teams: TeamRepository;
}

/** Every repository over one Kysely instance. */
export const createRepositories = (
  db: Kysely<DatabaseSchema>,
  options: { box: SecretBox; now?: () => number; sqlite?: ConstructorParameters<typeof UsageRepository>[1] },
): Repositories => {
  const common = { now: options.now };
  return {
    settings: new SettingsRepository(db, common),
    overlay: new ConfigOverlayRepository(db, common),
    audit: new AuditRepository(db, common),
    providerKeys: new ProviderKeyRepository(db, { ...common, box: options.box }),
    apiKeys: new ApiKeyRepository(db, common),
    usage: new UsageRepository(db, options.sqlite ?? null),
    sessions: new SessionRepository(db, common),
    users: new AdminUserRepository(db, common),
    poolKeys: new PoolKeyRepository(db, { ...common, box: options.box }),
    teams: new TeamRepository(db, common),
  };
};
