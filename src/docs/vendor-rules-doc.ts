import { COMMON_KEY_FAILURES } from '../providers/key-failure-rules.js';
import type { KeyFailureRule, ModelRules, ParameterRule, VendorRules } from '../providers/rules/rule-types.js';
import { FAILURE_PATTERNS } from '../router/classify-failure.js';

/**
 * Renders the vendor rules table (src/providers/rules/vendor-rules-table.ts) as Markdown
 * for docs/providers.md and docs/providers.zh-CN.md, between markers, so the docs cannot
 * drift from the code: `npm run docs:rules` rewrites them and a test fails when they are
 * not current. Every rule is said in plain words, with its `why` where the table has one.
 */

export type DocLanguage = 'en' | 'zh-CN';

export const RULES_TABLE_START = '<!-- vendor-rules-table:start (generated from src/providers/rules/vendor-rules-table.ts by `npm run docs:rules`; do not edit by hand) -->';
export const RULES_TABLE_END = '<!-- vendor-rules-table:end -->';

/** The pages that carry the table, relative to the repository root. */
export const RULES_TABLE_DOCS: ReadonlyArray<{ file: string; language: DocLanguage }> = [
  { file: 'docs/providers.md', language: 'en' },
  { file: 'docs/providers.zh-CN.md', language: 'zh-CN' },
];

const VENDOR_NAMES: Record<string, { en: string; zh: string }> = {
  openai: { en: 'OpenAI', zh: 'OpenAI' },
  xai: { en: 'xAI Grok', zh: 'xAI Grok' },
  google: { en: 'Google Gemini', zh: 'Google Gemini' },
  anthropic: { en: 'Anthropic', zh: 'Anthropic' },
  deepseek: { en: 'DeepSeek', zh: 'DeepSeek 深度求索' },
  moonshot: { en: 'Moonshot Kimi', zh: '月之暗面 Kimi' },
  zhipu: { en: 'Zhipu GLM', zh: '智谱 GLM' },
  alibaba: { en: 'Alibaba Qwen (DashScope)', zh: '阿里云通义千问（百炼 DashScope）' },
  bytedance: { en: 'ByteDance Doubao (Ark)', zh: '字节跳动豆包（火山方舟）' },
  tencent: { en: 'Tencent Hunyuan', zh: '腾讯混元' },
  baidu: { en: 'Baidu Qianfan (ERNIE)', zh: '百度千帆（文心 ERNIE）' },
  siliconflow: { en: 'SiliconFlow', zh: '硅基流动 SiliconFlow' },
  ollama: { en: 'Ollama', zh: 'Ollama' },
};

const WORDS = {
  en: {
    heading: ['models', 'id pattern', 'rule', 'why'],
    allModels: 'all models',
    allVendors: 'All vendors',
    errors: 'errors',
    keyFailure: (status: string, pattern: string, reason: string) =>
      `an error${status ? ` with HTTP ${status}` : ''}${pattern ? ` whose body matches ${pattern}` : ''} takes the key out of its pool (${reason}); the request is retried on another key`,
    reasons: { auth: 'key refused', quota: 'quota or balance', 'rate-limit': 'rate limit' },
    contextErrors: (n: number) => `${n} wordings of a context-window overflow are classified \`context-window-exceeded\`: not retried, a group's fallback rule naming it moves the request to another deployment`,
    contentErrors: (n: number) => `${n} wordings of a content-filter refusal (Chinese vendors' codes and words included) are classified \`content-filter\`: not retried, not a vendor fault for the breaker, a fallback rule may name it`,
    authErrors: (n: number) => `${n} wordings of a refused API key in a 400 are classified \`auth\`: not retried on the same key`,
    patternsWhere: 'src/router/classify-failure.ts',
    noRules: 'no rules: requests go as the client sent them',
    when: { thinking: ' (when the request thinks)', 'not-thinking': ' (when the request does not think)' },
    drop: (p: string) => `\`${p}\` is removed`,
    clamp: (p: string, min: number, max: number) => `\`${p}\` is kept within ${min}–${max}`,
    rename: (p: string, to: string) => `\`${p}\` is sent as \`${to}\``,
    fixed: (p: string, value: string) => `\`${p}\` is always \`${value}\``,
    thinking: {
      'reasoning-effort': 'thinking: the client’s setting is sent as `reasoning_effort`',
      'thinking-type': 'thinking: switched with `thinking: {type: "enabled" | "disabled"}`',
      'enable-thinking': 'thinking: switched with `enable_thinking`, depth with `thinking_budget`',
      'thinking-budget': 'thinking: `thinking: {type: "enabled", budget_tokens}`; effort `none` sends none',
      fixed: 'thinking: fixed by the model; reasoning settings are removed',
      none: 'thinking: no switch; reasoning settings are removed',
    },
    thinksByDefault: (on: boolean, fixed: boolean) =>
      fixed ? (on ? 'always thinks' : 'never thinks') : on ? 'thinks unless the request says not to' : 'does not think unless asked to',
    thinkingAuto: (on: boolean) => (on ? '`thinking.type: "auto"` is accepted' : '`thinking.type: "auto"` is removed (the vendor’s default applies)'),
    streamOnly: (on: boolean) =>
      on ? 'answers streams only: a non-stream request is streamed and assembled into one JSON answer' : 'answers without a stream too',
    streamOptions: {
      always: '`stream_options` is accepted',
      'with-stream': '`stream_options` only together with `stream: true` (removed otherwise)',
      never: '`stream_options` is removed',
    },
    toolChoice: {
      all: 'every `tool_choice` value is accepted',
      'auto-none': '`tool_choice` only `auto` or `none` (others become `auto`)',
      'no-required': '`tool_choice: "required"` becomes `auto` (a named function stays)',
      'auto-only': '`tool_choice` only `auto`; `none` is kept by sending no tools',
      'none-supported': '`tool_choice` is removed',
    },
    whenThinking: ' while the request thinks',
    efforts: (map: string) => `\`reasoning_effort\` is mapped: ${map}`,
    vendorDefault: 'none sent',
    multipleChoices: (on: boolean) => (on ? '`n` > 1 is accepted' : '`n` > 1 is not accepted'),
    imageDelivery: { url: 'images are sent as URLs', 'data-url': 'images are sent as data URLs', 'raw-base64': 'images are sent as raw base64' },
    reasoningReplay: {
      required: 'a tool loop must send the previous turn’s reasoning back (the gateway keeps it)',
      reject: 'reasoning in the input is removed',
      ignore: 'reasoning in the input passes as sent',
    },
    reasoningField: {
      reasoning_content: 'reasoning arrives in `reasoning_content`',
      reasoning: 'reasoning arrives in `reasoning`',
      'think-tags': 'reasoning arrives as `<think>…</think>` in the content',
    },
  },
  'zh-CN': {
    heading: ['模型', 'ID 匹配', '规则', '原因'],
    allModels: '所有模型',
    allVendors: '所有厂商',
    errors: '错误',
    keyFailure: (status: string, pattern: string, reason: string) =>
      `${status ? `HTTP ${status} ` : ''}错误${pattern ? `且正文匹配 ${pattern}` : ''}时，该密钥移出密钥池（${reason}），请求换一个密钥重试`,
    reasons: { auth: '密钥被拒', quota: '额度或余额不足', 'rate-limit': '限流' },
    contextErrors: (n: number) => `${n} 种上下文超长的错误措辞归为 \`context-window-exceeded\`：不重试；模型组中写明它的回退规则会把请求转到另一个部署`,
    contentErrors: (n: number) => `${n} 种内容审核拒绝的措辞（含国内厂商的错误码与中文用语）归为 \`content-filter\`：不重试，不算厂商故障、不计入熔断，回退规则可以写明它`,
    authErrors: (n: number) => `${n} 种 400 中 API 密钥被拒的措辞归为 \`auth\`：不在同一密钥上重试`,
    patternsWhere: 'src/router/classify-failure.ts',
    noRules: '无规则：请求按客户端发送的原样转发',
    when: { thinking: '（请求思考时）', 'not-thinking': '（请求不思考时）' },
    drop: (p: string) => `删除 \`${p}\``,
    clamp: (p: string, min: number, max: number) => `\`${p}\` 限制在 ${min}–${max}`,
    rename: (p: string, to: string) => `\`${p}\` 改为 \`${to}\` 发送`,
    fixed: (p: string, value: string) => `\`${p}\` 固定为 \`${value}\``,
    thinking: {
      'reasoning-effort': '思考：客户端的设置以 `reasoning_effort` 发送',
      'thinking-type': '思考：以 `thinking: {type: "enabled" | "disabled"}` 开关',
      'enable-thinking': '思考：以 `enable_thinking` 开关，`thinking_budget` 控制深度',
      'thinking-budget': '思考：以 `thinking: {type: "enabled", budget_tokens}` 开启；effort 为 `none` 时不发送',
      fixed: '思考：由模型固定；删除推理设置',
      none: '思考：没有开关；删除推理设置',
    },
    thinksByDefault: (on: boolean, fixed: boolean) => (fixed ? (on ? '始终思考' : '从不思考') : on ? '默认思考，除非请求关闭' : '默认不思考，除非请求开启'),
    thinkingAuto: (on: boolean) => (on ? '支持 `thinking.type: "auto"`' : '删除 `thinking.type: "auto"`（按厂商默认）'),
    streamOnly: (on: boolean) => (on ? '仅支持流式：非流式请求由网关以流式调用，并组装成一个 JSON 回答' : '也支持非流式'),
    streamOptions: {
      always: '接受 `stream_options`',
      'with-stream': '`stream_options` 只能与 `stream: true` 同用（否则删除）',
      never: '删除 `stream_options`',
    },
    toolChoice: {
      all: '接受所有 `tool_choice` 取值',
      'auto-none': '`tool_choice` 只接受 `auto` 或 `none`（其他改为 `auto`）',
      'no-required': '`tool_choice: "required"` 改为 `auto`（指定函数保留）',
      'auto-only': '`tool_choice` 只接受 `auto`；`none` 以不发送工具来实现',
      'none-supported': '删除 `tool_choice`',
    },
    whenThinking: '（请求思考时）',
    efforts: (map: string) => `\`reasoning_effort\` 映射为：${map}`,
    vendorDefault: '不发送',
    multipleChoices: (on: boolean) => (on ? '接受 `n` > 1' : '不接受 `n` > 1'),
    imageDelivery: { url: '图片以 URL 发送', 'data-url': '图片以 data URL 发送', 'raw-base64': '图片以纯 base64 发送' },
    reasoningReplay: {
      required: '工具调用循环中必须回传上一轮的推理内容（由网关保留）',
      reject: '删除输入中的推理内容',
      ignore: '输入中的推理内容按原样转发',
    },
    reasoningField: {
      reasoning_content: '推理内容在 `reasoning_content` 中返回',
      reasoning: '推理内容在 `reasoning` 中返回',
      'think-tags': '推理内容以 `<think>…</think>` 包在正文中返回',
    },
  },
} as const;

/** A table cell: one line, pipes escaped (patterns and reasons may contain them). */
const cell = (text: string): string => text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');

const parameterWords = (rule: ParameterRule, language: DocLanguage): string => {
  const words = WORDS[language];
  const base =
    rule.kind === 'drop'
      ? words.drop(rule.param)
      : rule.kind === 'clamp'
        ? words.clamp(rule.param, rule.min, rule.max)
        : rule.kind === 'rename'
          ? words.rename(rule.param, rule.to)
          : words.fixed(rule.param, JSON.stringify(rule.value));
  return rule.when ? `${base}${words.when[rule.when]}` : base;
};

/**
 * Each rule of a layer as [plain words, why]; in the vocabulary's order. `inherited` is the
 * thinking style of the layer below (a family's default under a vendor's fixed style reads "always").
 */
export const describeRules = (rules: ModelRules, language: DocLanguage, inherited?: ModelRules['thinking']): Array<[string, string]> => {
  const words = WORDS[language];
  const out: Array<[string, string]> = [];
  if (rules.thinking !== undefined) out.push([words.thinking[rules.thinking], '']);
  if (rules.thinksByDefault !== undefined) out.push([words.thinksByDefault(rules.thinksByDefault, (rules.thinking ?? inherited) === 'fixed'), '']);
  if (rules.thinkingAuto !== undefined) out.push([words.thinkingAuto(rules.thinkingAuto), '']);
  if (rules.reasoningField !== undefined) out.push([words.reasoningField[rules.reasoningField], '']);
  if (rules.reasoningReplay !== undefined) out.push([words.reasoningReplay[rules.reasoningReplay], '']);
  if (rules.streamOnly !== undefined) out.push([words.streamOnly(rules.streamOnly), '']);
  if (rules.streamOptions !== undefined) out.push([words.streamOptions[rules.streamOptions], '']);
  if (rules.efforts !== undefined) {
    const map = Object.entries(rules.efforts)
      .map(([effort, value]) => `${effort} → ${value === null ? words.vendorDefault : `\`${value}\``}`)
      .join(', ');
    out.push([words.efforts(map), '']);
  }
  if (rules.toolChoice !== undefined) out.push([words.toolChoice[rules.toolChoice], '']);
  if (rules.toolChoiceWhenThinking !== undefined) {
    const text = words.toolChoice[rules.toolChoiceWhenThinking];
    out.push([`${text}${words.whenThinking}`, '']);
  }
  if (rules.multipleChoices !== undefined) out.push([words.multipleChoices(rules.multipleChoices), '']);
  if (rules.imageDelivery !== undefined) out.push([words.imageDelivery[rules.imageDelivery], '']);
  for (const rule of rules.parameters ?? []) out.push([parameterWords(rule, language), rule.why]);
  return out;
};

const patternOf = (match: RegExp): string => `\`/${match.source}/${match.flags}\``;

const keyFailureWords = (rule: KeyFailureRule, language: DocLanguage): [string, string] => {
  const words = WORDS[language];
  return [words.keyFailure(rule.status?.join('/') ?? '', rule.pattern ? patternOf(rule.pattern) : '', words.reasons[rule.reason]), rule.why ?? ''];
};

/** What every vendor is subject to: the common key failures and the recognised error wordings. */
const renderCommon = (language: DocLanguage): string => {
  const words = WORDS[language];
  const rows = [
    ...COMMON_KEY_FAILURES.map((rule) => keyFailureWords(rule, language)),
    [words.contextErrors(FAILURE_PATTERNS.context.length), words.patternsWhere],
    [words.contentErrors(FAILURE_PATTERNS.contentFilter.length), words.patternsWhere],
    [words.authErrors(FAILURE_PATTERNS.auth.length), words.patternsWhere],
  ].map(([rule, why]) => `| ${words.errors} | – | ${cell(rule!)} | ${why ? cell(why) : '–'} |`);
  return [`#### ${words.allVendors}`, '', `| ${words.heading.join(' | ')} |`, `| ${words.heading.map(() => '---').join(' | ')} |`, ...rows].join('\n');
};

/** The whole generated block (markers excluded): one table per vendor. */
export const renderRulesTable = (table: Readonly<Record<string, VendorRules>>, language: DocLanguage): string => {
  const words = WORDS[language];
  const sections: string[] = [];
  for (const [vendor, entry] of Object.entries(table)) {
    const name = VENDOR_NAMES[vendor]?.[language === 'en' ? 'en' : 'zh'] ?? vendor;
    const rows: string[] = [];
    const add = (models: string, pattern: string, [rule, why]: [string, string]) =>
      rows.push(`| ${cell(models)} | ${cell(pattern)} | ${cell(rule)} | ${why ? cell(why) : '–'} |`);
    for (const line of describeRules(entry.defaults, language)) add(words.allModels, '–', line);
    for (const family of entry.families) {
      const lines = describeRules(family.rules, language, entry.defaults.thinking);
      if (lines.length === 0) lines.push([words.noRules, '']);
      for (const line of lines) add(family.name, patternOf(family.match), line);
    }
    for (const rule of entry.keyFailures ?? []) add(words.errors, '–', keyFailureWords(rule, language));
    if (rows.length === 0) add(words.allModels, '–', [words.noRules, '']);
    sections.push(
      [`#### ${name} (\`vendor: ${vendor}\`)`, '', `| ${words.heading.join(' | ')} |`, `| ${words.heading.map(() => '---').join(' | ')} |`, ...rows].join('\n'),
    );
  }
  sections.push(renderCommon(language));
  return sections.join('\n\n');
};

/** The page with its generated block replaced; throws when the markers are missing. */
export const withRulesTable = (page: string, table: Readonly<Record<string, VendorRules>>, language: DocLanguage): string => {
  const start = page.indexOf(RULES_TABLE_START);
  const end = page.indexOf(RULES_TABLE_END);
  if (start === -1 || end === -1 || end < start) throw new Error(`the page has no "${RULES_TABLE_START}" … "${RULES_TABLE_END}" block`);
  return `${page.slice(0, start + RULES_TABLE_START.length)}\n\n${renderRulesTable(table, language)}\n\n${page.slice(end)}`;
};
