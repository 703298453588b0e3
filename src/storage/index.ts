export * from './api-key-repository.js';
export * from './audit-repository.js';
export {
  ACTIVE_MODELS_SETTING,
  diffSnapshots,
  emptySnapshot,
  normalizeSnapshot,
  type ActiveModelType,
  type ActiveModels,
  type AuditChange,
  type ChangeMeta,
  type ChangeResult,
  type OverlayEntry,
  type OverlayKind,
  type OverlaySnapshot,
} from './config-change.js';
export * from './config-overlay-repository.js';
export * from './database.js';
export type { JsonObject, JsonValue } from './json.js';
export { maskLast4 } from './mask.js';
export { migrations, migrateToLatest } from './migrations/index.js';
export * from './pool-key-repository.js';
export * from './provider-key-repository.js';
export * from './team-repository.js';
export * from './repositories.js';
export type { DatabaseSchema } from './schema.js';
export * from './secret-box.js';
export * from './session-repository.js';
export * from './settings-repository.js';
export { getStateVersion } from './state-version.js';
export * from './usage-aggregates.js';
export * from './usage-query.js';
export * from './usage-repository.js';
export * from './usage-retention.js';
export * from './usage-writer.js';
export * from './admin-user-repository.js';
