import type { IncomingHttpHeaders } from 'node:http';
import type { VendorName } from '../behavior.js';
import type { ChatUsage } from '../chat-plan.js';
import { alibabaMode } from './alibaba.js';
import { deepseekMode } from './deepseek.js';
import { moonshotMode } from './moonshot.js';
import { streamOnlyMode } from './stream-only.js';
import { zhipuMode } from './zhipu.js';
import { baiduMode } from './baidu.js';
import { bytedanceMode } from './bytedance.js';
import { ollamaMode } from './ollama.js';
import { openaiMode } from './openai.js';
import { siliconflowMode } from './siliconflow.js';
import { tencentMode } from './tencent.js';
import { xaiMode } from './xai.js';

/**
 * Vendor modes (issue 13, item 5): each checks a chat request the way that vendor's API
 * does and answers a request breaking one of its rules as the vendor documents — status
 * and body in the vendor's own envelope — so a gateway rule that is missing makes a test
 * fail. One file per vendor in this folder; each exports a `VendorMode`.
 */
export interface VendorRefusal {
  status: number;
  /** The vendor's error body, sent as JSON text. */
  body: Record<string, unknown>;
}

export interface VendorMode {
  /** A refusal when the body breaks a documented rule of this vendor and model, else null. */
  check(model: string, body: Record<string, unknown>, path: string, headers?: IncomingHttpHeaders): VendorRefusal | null;
  /** Whether the answer thinks (reasoning in `reasoning_content`, tool-calling turns too); absent: the simulator's default. */
  thinks?(model: string, body: Record<string, unknown>): boolean;
  /** Adds the vendor's own usage fields (cache hits …) to the planned usage. */
  usage?(model: string, body: Record<string, unknown>, usage: ChatUsage): void;
}

/** Modes by simulator vendor path segment (`/deepseek/v1/...` → deepseek); add a vendor's file here. */
const MODES: Partial<Record<VendorName, VendorMode[]>> = {
  deepseek: [deepseekMode],
  moonshot: [moonshotMode],
  zhipu: [zhipuMode],
  alibaba: [streamOnlyMode, alibabaMode],
  openai: [openaiMode],
  bytedance: [bytedanceMode],
  tencent: [tencentMode],
  baidu: [baiduMode],
  siliconflow: [siliconflowMode],
  ollama: [ollamaMode],
  xai: [xaiMode],
};

/** The modes checked for a vendor path. */
export const vendorModesFor = (vendor: VendorName): readonly VendorMode[] => MODES[vendor] ?? [];

/** The first refusal any of the vendor's modes gives this request, or null. */
export const checkVendorRules = (vendor: VendorName, model: string, body: Record<string, unknown>, path: string, headers?: IncomingHttpHeaders): VendorRefusal | null => {
  for (const mode of vendorModesFor(vendor)) {
    const refusal = mode.check(model, body, path, headers);
    if (refusal) return refusal;
  }
  return null;
};

/** The OpenAI-style error envelope most OpenAI-compatible vendors answer with. */
export const openAIStyleRefusal = (status: number, message: string, code: string | null = null, param: string | null = null, type = 'invalid_request_error'): VendorRefusal => ({
  status,
  body: { error: { message, type, param, code } },
});
