import { anthropicEgress, anthropicIngress } from './anthropic-messages/index.js';
import type { EgressCodec, IngressCodec, ProtocolName } from './codec.js';
import { geminiEgress, geminiIngress } from './gemini/index.js';
import { openAIChatEgress, openAIChatIngress } from './openai-chat/index.js';
import { openAIResponsesEgress, defaultResponsesIngress } from './openai-responses/index.js';

/** 2N codecs, not N²: every pair of protocols meets in the neutral form. */
const ingress: Record<ProtocolName, IngressCodec> = { openai: openAIChatIngress, anthropic: anthropicIngress, 'openai-responses': defaultResponsesIngress, gemini: geminiIngress };
const egress: Record<ProtocolName, EgressCodec> = { openai: openAIChatEgress, anthropic: anthropicEgress, 'openai-responses': openAIResponsesEgress, gemini: geminiEgress };

export const ingressCodec = (protocol: ProtocolName): IngressCodec => ingress[protocol];
export const egressCodec = (protocol: ProtocolName): EgressCodec => egress[protocol];
