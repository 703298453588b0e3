import type { ActiveModelRef, GatewayConfig, ModelType } from '../config/types.js';
import { buildCatalog, firstUsableModel, type Catalog } from '../router/model-catalog.js';
import type { ActiveModels, ActiveModelsStore } from './active-models-file.js';

/**
 * Holds the current catalog snapshot. Every change builds a new snapshot and swaps
 * one reference, so readers never see a half-applied change.
 */
export class GatewayState {
  private snapshot: Catalog;
  private active: ActiveModels;

  constructor(
    private readonly config: GatewayConfig,
    private readonly store: ActiveModelsStore,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    const saved = store.load();
    this.active = saved ?? { language: config.initialActive.language, vision: config.initialActive.vision };
    this.snapshot = this.build(0);
    if (!saved) {
      const pick = (type: ModelType, ref: ActiveModelRef | null) => {
        if (ref && this.snapshot.active[type === 'vision' ? 'vision' : 'language']) return ref;
        const first = firstUsableModel(this.snapshot, type);
        return first ? { provider: first.provider, name: first.name } : ref;
      };
      this.active = { language: pick('language', this.active.language), vision: pick('vision', this.active.vision) };
      this.snapshot = this.build(0);
      store.save(this.active);
    }
  }

  private build(version: number): Catalog {
    return buildCatalog({
      version,
      providers: this.config.providers,
      models: this.config.models,
      env: this.env,
      active: this.active,
    });
  }

  get catalog(): Catalog {
    return this.snapshot;
  }

  getActive(): ActiveModels {
    return this.active;
  }

  setActive(type: 'language' | 'vision', ref: ActiveModelRef): void {
    this.active = { ...this.active, [type]: ref };
    this.store.save(this.active);
    this.snapshot = this.build(this.snapshot.version + 1);
  }
}
