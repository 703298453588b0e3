import type { VendorName } from '../behavior.js';
import { alibabaMode } from './alibaba.js';
import { moonshotMode } from './moonshot.js';
import { zhipuMode } from './zhipu.js';

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
  check(model: string, body: Record<string, unknown>, path: string): VendorRefusal | null;
}

/** Modes by simulator vendor path segment (`/deepseek/v1/...` → deepseek); add a vendor's file here. */
const MODES: Partial<Record<VendorName, VendorMode[]>> = {
  moonshot: [moonshotMode],
  zhipu: [zhipuMode],
  alibaba: [alibabaMode],
};

/** The modes checked for a vendor path. */
export const vendorModesFor = (vendor: VendorName): readonly VendorMode[] => MODES[vendor] ?? [];

/** The first refusal any of the vendor's modes gives this request, or null. */
export const checkVendorRules = (vendor: VendorName, model: string, body: Record<string, unknown>, path: string): VendorRefusal | null => {
  for (const mode of vendorModesFor(vendor)) {
    const refusal = mode.check(model, body, path);
    if (refusal) return refusal;
  }
  return null;
};

/** The OpenAI-style error envelope most OpenAI-compatible vendors answer with. */
export const openAIStyleRefusal = (status: number, message: string, code: string | null = null, param: string | null = null, type = 'invalid_request_error'): VendorRefusal => ({
  status,
  body: { error: { message, type, param, code } },
});
