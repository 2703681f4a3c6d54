import OpenAI from 'openai';

/**
 * The OpenAI SDK client for `OPENAI_API_KEY`/`OPENAI_BASE_URL`, with the SDK's own hidden
 * retries off: retries are decided by the gate under each customer's deadline.
 */
export function createOpenAIClient(settings: { readonly apiKey: string; readonly baseURL: string | undefined }): OpenAI {
  return new OpenAI({ apiKey: settings.apiKey, baseURL: settings.baseURL ?? 'https://api.openai.com/v1', maxRetries: 0 });
}
