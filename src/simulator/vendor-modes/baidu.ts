import type { VendorMode, VendorRefusal } from './index.js';

/**
 * Baidu Qianfan v2 (cloud.baidu.com/doc/qianfan-api/s/3m7of64lb; 认证鉴权 ilc4u4g1d):
 * the key is the console's API Key, `Authorization: Bearer bce-v3/ALTAK-…/…`; anything else
 * fails IAM authentication (401). temperature in (0, 1.0], top_p in [0, 1.0], penalty_score
 * in [1.0, 2.0]. Errors: {error: {code, message, type}, id}.
 */
const QIANFAN_KEY = /^Bearer bce-v3\/ALTAK-[A-Za-z0-9]+\/[0-9a-f]+$/;

const refuse = (status: number, code: string, message: string, param?: string): VendorRefusal => ({
  status,
  body: { error: { code, message, type: 'invalid_request_error', ...(param ? { param } : {}) }, id: 'as-simulated' },
});

const outside = (value: unknown, min: number, max: number, minOpen = false): boolean =>
  typeof value === 'number' && (value > max || value < min || (minOpen && value === min));

export const baiduMode: VendorMode = {
  check(_model, body, _path, headers) {
    const authorization = headers?.authorization;
    if (typeof authorization !== 'string' || !QIANFAN_KEY.test(authorization)) return refuse(401, 'invalid_iam_token', 'IAM Certification failed');
    if (outside(body.temperature, 0, 1, true)) return refuse(400, 'invalid_argument', 'temperature must be in (0, 1.0]', 'temperature');
    if (outside(body.top_p, 0, 1)) return refuse(400, 'invalid_argument', 'top_p must be in [0, 1.0]', 'top_p');
    if (outside(body.penalty_score, 1, 2)) return refuse(400, 'invalid_argument', 'penalty_score must be in [1.0, 2.0]', 'penalty_score');
    return null;
  },
};
