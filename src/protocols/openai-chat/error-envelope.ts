import type { GatewayError } from '../../core/gateway-error.js';
export { parseOpenAIError } from '../../providers/openai-compatible/parse-openai-error.js';

/** OpenAI's envelope `{"error":{"message","type","param","code"}}`, as the gateway has always answered. */
export const openAIChatErrorBody = (error: GatewayError): { status: number; body: Record<string, unknown> } => ({
  status: error.status,
  body: error.toEnvelope() as unknown as Record<string, unknown>,
});

/** The SSE event that ends an OpenAI stream which failed after it began. */
export const openAIChatErrorEvent = (error: GatewayError): string => `data: ${JSON.stringify(error.toEnvelope())}\n\n`;
