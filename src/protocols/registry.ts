import { anthropicEgress, anthropicIngress } from './anthropic-messages/index.js';
import type { EgressCodec, IngressCodec, ProtocolName } from './codec.js';
import { geminiEgress, geminiIngress } from './gemini/index.js';
import { openAIChatEgress, openAIChatIngress } from './openai-chat/index.js';

/** 2N codecs, not N²: every pair of protocols meets in the neutral form. */
const ingress: Record<ProtocolName, IngressCodec> = { openai: openAIChatIngress, anthropic: anthropicIngress, gemini: geminiIngress };
const egress: Record<ProtocolName, EgressCodec> = { openai: openAIChatEgress, anthropic: anthropicEgress, gemini: geminiEgress };

export const ingressCodec = (protocol: ProtocolName): IngressCodec => ingress[protocol];
export const egressCodec = (protocol: ProtocolName): EgressCodec => egress[protocol];
