/**
 * Known vendors, recognised from a provider's name or base URL so that configs
 * written for the prototype (which had no `vendor` field) still get the right quirks.
 */
export const knownVendors = [
  'openai',
  'anthropic',
  'google',
  'xai',
  'zhipu',
  'moonshot',
  'alibaba',
  'baidu',
  'tencent',
  'bytedance',
  'deepseek',
  'siliconflow',
  'ollama',
  'openrouter',
  'vllm',
  'lmstudio',
] as const;

const nameAliases: Record<string, string> = {
  zhipuai: 'zhipu',
  bigmodel: 'zhipu',
  kimi: 'moonshot',
  qwen: 'alibaba',
  dashscope: 'alibaba',
  aliyun: 'alibaba',
  qianfan: 'baidu',
  hunyuan: 'tencent',
  doubao: 'bytedance',
  volcengine: 'bytedance',
  ark: 'bytedance',
  gemini: 'google',
  claude: 'anthropic',
  grok: 'xai',
  'lm-studio': 'lmstudio',
};

const hostHints: Array<[RegExp, string]> = [
  [/bigmodel\.cn$/, 'zhipu'],
  [/moonshot\.(cn|ai)$/, 'moonshot'],
  [/dashscope/, 'alibaba'],
  [/baidubce\.com$/, 'baidu'],
  [/hunyuan/, 'tencent'],
  [/volces\.com$/, 'bytedance'],
  [/deepseek\.com$/, 'deepseek'],
  [/siliconflow\.(cn|com)$/, 'siliconflow'],
  [/openai\.com$/, 'openai'],
  [/anthropic\.com$/, 'anthropic'],
  [/googleapis\.com$/, 'google'],
  [/x\.ai$/, 'xai'],
  [/openrouter\.ai$/, 'openrouter'],
];

export const detectVendor = (name: string, baseUrl: string): string => {
  const lower = name.toLowerCase().replace(/\s+/g, '');
  if ((knownVendors as readonly string[]).includes(lower)) return lower;
  if (nameAliases[lower]) return nameAliases[lower]!;
  let host = '';
  try {
    host = new URL(baseUrl).hostname.toLowerCase();
  } catch {
    host = '';
  }
  for (const [pattern, vendor] of hostHints) if (pattern.test(host)) return vendor;
  if (new URL(baseUrl).port === '11434') return 'ollama';
  return 'openai-compatible';
};

export const isLoopbackUrl = (baseUrl: string): boolean => {
  try {
    const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
};

/** Local inference servers run without keys; the operator can still say otherwise. */
export const defaultNeedsKey = (vendor: string, baseUrl: string): boolean =>
  !(['ollama', 'vllm', 'lmstudio'].includes(vendor) || isLoopbackUrl(baseUrl));

/**
 * Values such as `your_zhipu_api_key_here` come straight from the example env file and
 * must count as "not set", otherwise every vendor would look usable and fail at call time.
 */
export const isPlaceholderKey = (value: string | undefined | null): boolean => {
  if (value === undefined || value === null) return true;
  const trimmed = value.trim();
  if (trimmed === '') return true;
  const lower = trimmed.toLowerCase();
  return (
    /^your[_-].*here$/.test(lower) ||
    /^your[_-]?(api[_-]?)?key/.test(lower) ||
    /^<.*>$/.test(lower) ||
    /^(x+|sk-x+|changeme|change-me|todo|none|null|placeholder|replace[_-]?me)$/.test(lower)
  );
};
