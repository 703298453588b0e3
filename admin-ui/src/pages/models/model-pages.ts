import type { Model } from '../../api/types';
import type { ModelGroupSlice } from './models-table';

type Entry = { provider: string; model: Model | null };

/**
 * Groups the (filtered) models by provider, in the order providers first appear, and cuts the
 * result into pages of `pageSize` rows. A group header is a row; a collapsed group is only its
 * header; a group that runs over a page boundary starts the next page with a "continued" header.
 */
export const pageModelGroups = (models: Model[], collapsed: ReadonlySet<string>, page: number, pageSize: number) => {
  const byProvider = new Map<string, Model[]>();
  for (const model of models) {
    const list = byProvider.get(model.provider);
    if (list) list.push(model);
    else byProvider.set(model.provider, [model]);
  }
  const entries: Entry[] = [];
  for (const [provider, list] of byProvider) {
    entries.push({ provider, model: null });
    if (!collapsed.has(provider)) for (const model of list) entries.push({ provider, model });
  }
  const pages = Math.max(1, Math.ceil(entries.length / pageSize));
  const current = Math.min(Math.max(1, page), pages);
  const slice = entries.slice((current - 1) * pageSize, current * pageSize);
  const groups: ModelGroupSlice[] = [];
  for (const entry of slice) {
    let group = groups.at(-1);
    if (!group || group.provider !== entry.provider) {
      group = {
        provider: entry.provider,
        total: byProvider.get(entry.provider)?.length ?? 0,
        collapsed: collapsed.has(entry.provider),
        continued: entry.model !== null,
        models: [],
      };
      groups.push(group);
    }
    if (entry.model) group.models.push(entry.model);
  }
  return { groups, pages, page: current, providers: [...byProvider.keys()] };
};
