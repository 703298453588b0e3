import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VendorRules } from '../providers/rules/rule-types.js';
import { VENDOR_RULES } from '../providers/rules/vendor-rules-table.js';
import { RULES_TABLE_DOCS, RULES_TABLE_END, RULES_TABLE_START, renderRulesTable, withRulesTable } from './vendor-rules-doc.js';

const root = resolve(__dirname, '..', '..');

describe('the vendor rules table in the docs', () => {
  it.each(RULES_TABLE_DOCS)('$file is current with src/providers/rules/vendor-rules-table.ts (else: npm run docs:rules)', ({ file, language }) => {
    const page = readFileSync(join(root, file), 'utf8');
    expect(page, `${file} is not current: run npm run docs:rules`).toBe(withRulesTable(page, VENDOR_RULES, language));
  });

  it('names every vendor of the table on both pages', () => {
    for (const { file } of RULES_TABLE_DOCS) {
      const page = readFileSync(join(root, file), 'utf8');
      for (const vendor of Object.keys(VENDOR_RULES)) expect(page, `${file}: ${vendor}`).toContain(`\`vendor: ${vendor}\``);
    }
  });
});

/** One of every rule, so the renderer is checked whatever the real table holds today. */
const SAMPLE: Record<string, VendorRules> = {
  sample: {
    defaults: { thinking: 'enable-thinking', streamOptions: 'with-stream', toolChoice: 'no-required', toolChoiceWhenThinking: 'auto-none', imageDelivery: 'raw-base64' },
    families: [
      {
        name: 'thinkers',
        match: /^(qwq|qvq)-/i,
        rules: {
          thinksByDefault: true,
          streamOnly: true,
          reasoningReplay: 'required',
          reasoningField: 'think-tags',
          multipleChoices: false,
          parameters: [
            { kind: 'drop', param: 'n', why: 'no n | ever' },
            { kind: 'clamp', param: 'temperature', min: 0, max: 1, why: 'range' },
            { kind: 'rename', param: 'max_tokens', to: 'max_completion_tokens', why: 'spelling', when: 'thinking' },
            { kind: 'fixed', param: 'top_p', value: 0.95, why: 'fixed', when: 'not-thinking' },
          ],
        },
      },
      { name: 'plain', match: /^plain$/, rules: {} },
      { name: 'levels', match: /^levels/, rules: { thinking: 'reasoning-effort', efforts: { none: null, low: 'low', high: 'max' }, toolChoice: 'auto-only' } },
    ],
  },
};

describe('renderRulesTable', () => {
  it('says each rule in plain words with its why, pattern and pipes escaped (English)', () => {
    const text = renderRulesTable(SAMPLE, 'en');
    expect(text).toContain('#### sample (`vendor: sample`)');
    expect(text).toContain('| all models | – | thinking: switched with `enable_thinking`, depth with `thinking_budget` | – |');
    expect(text).toContain('| thinkers | `/^(qwq\\|qvq)-/i` | `n` is removed | no n \\| ever |');
    expect(text).toContain('`temperature` is kept within 0–1 | range |');
    expect(text).toContain('`max_tokens` is sent as `max_completion_tokens` (when the request thinks) | spelling |');
    expect(text).toContain('`top_p` is always `0.95` (when the request does not think) | fixed |');
    expect(text).toContain('answers streams only: a non-stream request is streamed and assembled into one JSON answer');
    expect(text).toContain('| plain | `/^plain$/` | no rules: requests go as the client sent them | – |');
    expect(text).toContain('| levels | `/^levels/` | `reasoning_effort` is mapped: none → none sent, low → `low`, high → `max` | – |');
    expect(text).toContain('`tool_choice` only `auto` or `none` (others become `auto`) while the request thinks');
    for (const phrase of ['`stream_options` only together with `stream: true`', '`tool_choice: "required"` becomes `auto`', '`tool_choice` only `auto`; `none` is kept by sending no tools', 'raw base64', 'thinks unless', '`<think>…</think>`', '`n` > 1 is not accepted', 'send the previous turn’s reasoning back']) {
      expect(text).toContain(phrase);
    }
  });

  it('says the same in Chinese, the why as written', () => {
    const text = renderRulesTable(SAMPLE, 'zh-CN');
    expect(text).toContain('| 模型 | ID 匹配 | 规则 | 原因 |');
    expect(text).toContain('| thinkers | `/^(qwq\\|qvq)-/i` | 删除 `n` | no n \\| ever |');
    expect(text).toContain('`max_tokens` 改为 `max_completion_tokens` 发送（请求思考时）');
    expect(text).toContain('仅支持流式');
  });

  it('replaces only the block between the markers, and refuses a page without them', () => {
    const page = `# Title\n\nBefore.\n\n${RULES_TABLE_START}\nold table\n${RULES_TABLE_END}\n\nAfter.\n`;
    const next = withRulesTable(page, SAMPLE, 'en');
    expect(next.startsWith(`# Title\n\nBefore.\n\n${RULES_TABLE_START}\n\n#### sample`)).toBe(true);
    expect(next.endsWith(`\n\n${RULES_TABLE_END}\n\nAfter.\n`)).toBe(true);
    expect(next).not.toContain('old table');
    expect(withRulesTable(next, SAMPLE, 'en')).toBe(next);
    expect(() => withRulesTable('# no markers\n', SAMPLE, 'en')).toThrow(/has no/);
  });
});
