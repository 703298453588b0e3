import type { Logger } from 'pino';
import type { GatewayConfig, ModelType } from '../config/types.js';
import { modelKey } from '../config/types.js';
import { buildCatalog, firstUsableModel, type Catalog } from '../router/model-catalog.js';
import type { ChangeMeta, ChangeResult, OverlayDraft, Repositories } from '../storage/index.js';
import { mergeOverlay, type MergedConfig } from './merge-overlay.js';
import { parseModelGroups } from '../router/model-groups.js';
import { KeyPoolRegistry, type PoolKeyConfig } from '../router/key-pool.js';
import type { ClusterBus } from './cluster-bus.js';

export interface GatewayStateOptions {
  config: GatewayConfig;
  repositories: Repositories;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** How often to look for changes made by other workers or instances. */
  pollIntervalMs?: number;
  /** Key pools (their health survives reloads); one is created when not given. */
  pools?: KeyPoolRegistry;
  /**
   * With Redis: changes are pushed to every instance at once; polling stays as the
   * fallback, slowed to `pushedPollIntervalMs` while the bus is connected.
   */
  bus?: ClusterBus | null;
  pushedPollIntervalMs?: number;
}

/**
 * The live configuration: YAML base + database overlay + provider keys, as one
 * immutable catalog snapshot. Every change builds a new snapshot and swaps one
 * reference, so requests already running finish on the snapshot they started with.
 * Other workers and instances hear of a change on the cluster bus (Redis pub/sub) within
 * milliseconds; without Redis, or while it is away, they notice it through the state
 * version within one poll interval.
 */
export class GatewayState {
  private snapshot!: Catalog;
  private merged!: MergedConfig;
  private version = -1;
  private timer: NodeJS.Timeout | null = null;
  private reloading: Promise<void> | null = null;
  private readonly listeners: Array<() => Promise<void> | void> = [];
  private lastPoll = 0;

  readonly pools: KeyPoolRegistry;

  private constructor(private readonly options: GatewayStateOptions) {
    this.pools = options.pools ?? new KeyPoolRegistry();
    const bus = options.bus;
    if (!bus) return;
    bus.on((event) => {
      if (event.type !== 'config' || event.version <= this.version) return;
      // The notice names a newer version: skip the version read and load it at once.
      this.reloadSoon(event.version);
    });
    // After an outage, catch up on whatever changed meanwhile.
    bus.onConnect(() => this.reloadSoon());
  }

  /** A reload after the one running now (which may have read the version too early). */
  private reloadSoon(version?: number): void {
    void (this.reloading ?? Promise.resolve())
      .then(() => this.reload(version !== undefined && version > this.version, false))
      .catch((error) => this.options.logger?.error({ err: error }, 'state reload failed'));
  }

  static async create(options: GatewayStateOptions): Promise<GatewayState> {
    const state = new GatewayState(options);
    await state.reload(true);
    await state.chooseInitialActiveModels();
    return state;
  }

  get catalog(): Catalog {
    return this.snapshot;
  }

  get mergedConfig(): MergedConfig {
    return this.merged;
  }

  get config(): GatewayConfig {
    return this.options.config;
  }

  /**
   * Re-read overlay and keys when the stored version moved (or always, with force), and
   * tell the other instances (unless the news came from them).
   */
  async reload(force = false, announce = true): Promise<void> {
    if (this.reloading) return this.reloading;
    this.reloading = (async () => {
      const { repositories } = this.options;
      // Polls read one row; the overlay is loaded only when the version moved.
      if (!force && (await repositories.overlay.getStateVersion()) === this.version) return;
      const { version, overlay } = await repositories.overlay.getOverlayWithVersion();
      if (!force && version === this.version) return;
      const adminKeys = await repositories.providerKeys.getProviderKeys({
        onUndecryptable: (provider) =>
          this.options.logger?.error({ provider }, 'a stored provider key cannot be decrypted (GATEWAY_SECRET_KEY changed?)'),
      });
      const opened = await repositories.poolKeys.openAll((provider, id) =>
        this.options.logger?.error({ provider, id }, 'a stored pool key cannot be decrypted (GATEWAY_SECRET_KEY changed?)'),
      );
      const poolKeys = new Map<string, PoolKeyConfig[]>();
      for (const [provider, keys] of opened) {
        poolKeys.set(provider, keys.map((k) => ({ id: k.id, label: k.label, secret: k.secret, weight: k.weight, enabled: k.enabled, rpmLimit: k.rpmLimit, tpmLimit: k.tpmLimit, source: 'admin' as const })));
      }
      const merged = mergeOverlay(this.options.config, overlay, (kind, key, error) =>
        this.options.logger?.warn({ kind, key, err: String(error) }, 'ignoring an invalid admin overlay entry'),
      );
      const groups = new Map(this.options.config.modelGroups.map((g) => [g.name, g]));
      const stored = await repositories.settings.get('modelGroups');
      if (Array.isArray(stored)) {
        for (const entry of stored) {
          try {
            const [group] = parseModelGroups([entry]);
            groups.set(group!.name, group!);
          } catch (error) {
            this.options.logger?.warn({ err: String(error) }, 'ignoring an invalid stored model group');
          }
        }
      }
      const catalog = buildCatalog({
        version,
        groups: [...groups.values()],
        providers: merged.providers,
        models: merged.models,
        adminKeys: adminKeys instanceof Map ? adminKeys : new Map(Object.entries(adminKeys)),
        env: this.options.env ?? process.env,
        poolKeys,
        pools: this.pools,
        active: merged.active,
      });
      this.merged = merged;
      this.snapshot = catalog;
      const moved = version !== this.version;
      this.version = version;
      if (moved && announce) this.options.bus?.publish({ type: 'config', version });
      for (const listener of this.listeners) await listener();
    })().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
  }

  /**
   * First start: the config folder's active_models.json when present, else the first
   * model whose provider is usable. Stored, so it survives restarts.
   */
  private async chooseInitialActiveModels(): Promise<void> {
    const overlay = await this.options.repositories.overlay.getOverlay();
    // Once a choice is stored it is the operator's; only an empty store gets defaults.
    if ((await this.options.repositories.settings.get('activeModels')) !== undefined) return;
    const pick = (type: ModelType): string | null => {
      if (overlay.activeModels[type as 'language' | 'vision']) return overlay.activeModels[type as 'language' | 'vision'];
      const ref = this.options.config.initialActive[type as 'language' | 'vision'];
      if (ref) {
        const found = ref.provider
          ? this.snapshot.byKey.get(modelKey(ref.provider, ref.name).toLowerCase())
          : this.snapshot.byName.get(ref.name)?.[0];
        if (found) return found.key;
      }
      return firstUsableModel(this.snapshot, type)?.key ?? null;
    };
    const language = pick('language');
    const vision = pick('vision');
    await this.change({ actor: 'system', action: 'active_models.initialize', target: 'active_models' }, (draft) => {
      draft.setActiveModel('language', language);
      draft.setActiveModel('vision', vision);
    });
  }

  /** Apply an overlay change in one transaction, then rebuild the snapshot at once. */
  async change(meta: ChangeMeta, mutate: (draft: OverlayDraft) => void | Promise<void>): Promise<ChangeResult> {
    const result = await this.options.repositories.overlay.change(meta, mutate);
    // Tell the other instances first: they rebuild in parallel with this one.
    if (result.changed) this.options.bus?.publish({ type: 'config', version: result.version });
    await this.reload(true);
    return result;
  }

  /** Run after every reload that picked up a new version (e.g. refresh the key cache). */
  onReload(listener: () => Promise<void> | void): void {
    this.listeners.push(listener);
  }

  startPolling(): void {
    if (this.timer) return;
    const pushed = this.options.pushedPollIntervalMs ?? 5_000;
    this.timer = setInterval(() => {
      const now = Date.now();
      if (this.options.bus?.connected() && now - this.lastPoll < pushed) return;
      this.lastPoll = now;
      this.reload().catch((error) => this.options.logger?.error({ err: error }, 'state reload failed'));
    }, this.options.pollIntervalMs ?? 250);
    this.timer.unref();
  }

  stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
