/**
 * Operator hints for keys that cannot be right for their vendor, shown by check-config.
 * The hint names the variable, never the key.
 */
const SHAPES: Record<string, { test: (key: string) => boolean; hint: string }> = {
  // Qianfan v2 takes the console's API Key, "bce-v3/ALTAK-…/…", as a Bearer token; an AK/SK pair
  // or an old access_token fails IAM authentication (cloud.baidu.com/doc/qianfan-api/s/ilc4u4g1d).
  baidu: {
    test: (key) => key.trim().startsWith('bce-v3/'),
    hint: 'does not look like a Qianfan v2 API Key (bce-v3/ALTAK-…/…, from the Qianfan console → API Key); Qianfan will refuse it with 401',
  },
};

/** A hint when the key in `variable` cannot be right for `vendor`, else null. */
export const keyShapeHint = (vendor: string, variable: string, key: string): string | null => {
  const shape = SHAPES[vendor];
  return shape && !shape.test(key) ? `${variable} ${shape.hint}` : null;
};
