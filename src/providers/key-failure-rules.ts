/**
 * Which upstream answers mean "this API key is unusable" (as opposed to "this request
 * is bad" or "the vendor is down"). A key pool takes such a key out of rotation and
 * retries the request on another key. `COMMON_KEY_FAILURES` applies to every vendor; a
 * vendor's own come from its entry in the vendor rules table (`keyFailures`).
 *
 * Sources: OpenAI error codes (`invalid_api_key`, `insufficient_quota` sent with 429),
 * DeepSeek error codes (402 "Insufficient Balance"), Alibaba DashScope (`Arrearage`,
 * "Access denied, please make sure your account is in good standing"), Moonshot
 * (`exceeded_current_quota_error`, "余额不足"), Zhipu (code 1113 "您的账户已欠费"),
 * SiliconFlow / Volcano / Baidu balance messages (余额不足, 欠费, "account balance").
 */
import type { KeyFailureReason, KeyFailureRule } from './rules/rule-types.js';
import { VENDOR_RULES } from './rules/vendor-rules-table.js';

export type { KeyFailureReason, KeyFailureRule };

const BALANCE = /insufficient[_\s-]?(quota|balance)|exceeded_current_quota|arrearage|余额不足|欠费|账户.{0,6}(余额|额度).{0,4}(不足|用尽|耗尽)|account (balance|is in arrears|is not in good standing)|quota (exceeded|exhausted)|billing/i;

export const COMMON_KEY_FAILURES: readonly KeyFailureRule[] = [
  // A quota or balance message first (OpenAI sends it with 429, others with 400 or 403).
  { status: [400, 401, 403, 429], pattern: BALANCE, reason: 'quota', why: 'balance and quota wordings of OpenAI, DeepSeek, DashScope, Moonshot, Zhipu, SiliconFlow, Ark, Qianfan' },
  { status: [401, 403], reason: 'auth', why: 'the key is refused' },
  { status: [402], reason: 'quota', why: 'DeepSeek "Insufficient Balance"' },
];


/** Only the first few KB of an error body matter; a huge body is not scanned in full. */
const MAX_SCAN = 4096;

/**
 * Whether this failed answer is the key's fault. A plain 429 rate limit is also a key
 * matter when the vendor limits per key: the pool rests that key briefly and tries
 * another one (without marking it broken).
 */
export const classifyKeyFailure = (vendor: string, status: number, body: string): KeyFailureReason | null => {
  const text = body.length > MAX_SCAN ? body.slice(0, MAX_SCAN) : body;
  for (const rules of [VENDOR_RULES[vendor]?.keyFailures, COMMON_KEY_FAILURES]) {
    if (!rules) continue;
    for (const rule of rules) {
      if (rule.status && !rule.status.includes(status)) continue;
      if (rule.pattern && !rule.pattern.test(text)) continue;
      return rule.reason;
    }
  }
  return status === 429 ? 'rate-limit' : null;
};
