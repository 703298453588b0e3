import type { VendorName } from './behavior.js';

const MODELS: Record<VendorName, { ids: string[]; ownedBy: string }> = {
  openai: { ids: ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'], ownedBy: 'openai' },
  zhipu: { ids: ['glm-4-plus', 'glm-4-flash', 'glm-4v-plus', 'embedding-3'], ownedBy: 'zhipu' },
  moonshot: { ids: ['moonshot-v1-8k', 'moonshot-v1-32k', 'moonshot-v1-8k-vision-preview'], ownedBy: 'moonshot' },
  alibaba: { ids: ['qwen-plus', 'qwen-max', 'qwen-vl-max', 'text-embedding-v3'], ownedBy: 'system' },
  baidu: { ids: ['ernie-4.0-8k', 'ernie-3.5-8k', 'ernie-4.5-turbo-vl-32k'], ownedBy: 'baidu' },
  tencent: { ids: ['hunyuan-turbos-latest', 'hunyuan-vision', 'hunyuan-embedding'], ownedBy: 'tencent' },
  bytedance: {
    ids: ['doubao-1-5-pro-32k-250115', 'doubao-1-5-vision-pro-32k-250115', 'doubao-embedding-text-240715'],
    ownedBy: 'volcengine',
  },
  deepseek: { ids: ['deepseek-chat', 'deepseek-reasoner'], ownedBy: 'deepseek' },
  siliconflow: { ids: ['deepseek-ai/DeepSeek-V3', 'Qwen/Qwen2.5-7B-Instruct', 'BAAI/bge-m3'], ownedBy: 'siliconflow' },
  ollama: { ids: ['llama3.2:latest', 'qwen2.5:7b', 'llava:latest'], ownedBy: 'library' },
  anthropic: { ids: ['claude-sonnet-4-20250514', 'claude-3-5-haiku-20241022'], ownedBy: 'anthropic' },
  // Google's OpenAI-compatible endpoint lists ids with the `models/` prefix.
  google: { ids: ['models/gemini-2.0-flash', 'models/gemini-2.5-pro', 'models/text-embedding-004'], ownedBy: 'google' },
  xai: { ids: ['grok-3', 'grok-3-mini', 'grok-2-vision-1212'], ownedBy: 'xai' },
  openrouter: { ids: ['openai/gpt-4o', 'anthropic/claude-3.5-sonnet', 'qwen/qwen-2.5-72b-instruct'], ownedBy: 'openrouter' },
  vllm: { ids: ['meta-llama/Llama-3.1-8B-Instruct'], ownedBy: 'vllm' },
  nousage: { ids: ['sim-model', 'sim-vision'], ownedBy: 'simulator' },
};

/** Fixed timestamp: the list is deterministic so tests can compare it verbatim. */
const CREATED = 1_700_000_000;

const cache = new Map<VendorName, string>();

/** Serialised once per vendor; the list never changes. */
export const modelsListJson = (vendor: VendorName): string => {
  let json = cache.get(vendor);
  if (json === undefined) {
    const { ids, ownedBy } = MODELS[vendor];
    json = JSON.stringify({
      object: 'list',
      data: ids.map((id) => ({ id, object: 'model', created: CREATED, owned_by: ownedBy })),
    });
    cache.set(vendor, json);
  }
  return json;
};
