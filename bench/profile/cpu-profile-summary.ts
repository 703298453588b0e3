import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

/** Where a function lives, coarsely: a package, a gateway source folder, Node internals, or V8's own. */
const bucketOf = (node: ProfileNode): string => {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName || 'anonymous'}`;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const dist = url.indexOf('/dist/');
  if (dist !== -1) {
    const rest = url.slice(dist + '/dist/'.length).split('/');
    return `gateway ${rest.length > 1 ? rest[0] : rest[0]!.replace(/\.js$/, '')}`;
  }
  if (url.startsWith('node:')) return url.replace(/^node:internal\//, 'node:').split('/').slice(0, 2).join('/');
  return url;
};

/** Self-time shares (of all samples) per bucket and the top functions: shares, so load does not change them much. */
export const summarizeCpuProfile = (file: string, top = Number(process.env.PROFILE_TOP ?? 25)): { buckets: Array<[string, number]>; functions: Array<[string, number]>; samples: number } => {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  let counted = 0;
  for (const id of profile.samples) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    counted += 1;
    const bucket = bucketOf(node);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}`;
    functions.set(name, (functions.get(name) ?? 0) + 1);
  }
  const share = (entries: Map<string, number>) =>
    [...entries.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, count]) => [name, Math.round((count / counted) * 1000) / 10] as [string, number]);
  return { buckets: share(buckets), functions: share(functions), samples: counted };
};
