import type OpenAI from 'openai';
import type {
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import type { ModelGate } from './gate.js';
import { withAttemptSignal } from './attempt-signal.js';
import { callModel } from './retry.js';
import { ResponderError, type Reply, type ReplyRequest, type Responder } from '../core/responder.js';
import type { Photo, Tool, ToolContext } from '../core/tools.js';

/** How to reach the model and how hard to try. */
export interface OpenAIResponderOptions {
  /** An OpenAI SDK client; build it with `maxRetries: 0` (retries are decided here, under the deadline). */
  readonly client: OpenAI;
  readonly model: string;
  /** The shop's instructions, given as the system message of every call. */
  readonly systemPrompt: string | (() => string);
  /** What the model may do (catalogue, delivery, orders). */
  readonly tools?: readonly Tool[];
  /** At most this many model calls per turn when it uses tools. Default 6. */
  readonly maxToolRounds?: number;
  /**
   * One attempt longer than this is abandoned and retried (a hung socket), as long as the
   * late-answer window leaves room. Slow-but-alive answers need less than this.
   */
  readonly attemptTimeoutMs?: number;
  /** Provider failures (5xx, dropped or hung calls; not 429s) retried per model call at most. Default 20. */
  readonly maxRetries?: number;
  /** Where every call waits its turn: the adaptive limit, the provider's pause, the breaker. */
  readonly gate?: ModelGate;
  readonly now?: () => number;
}

/**
 * The model: an OpenAI (or compatible) chat model with the shop's tools. Every call of the tool
 * loop goes through the gate and is retried while the turn's last moment leaves room (see
 * {@link callModel}).
 */
export function createOpenAIResponder(options: OpenAIResponderOptions): Responder {
  const { client, model } = options;
  const now = options.now ?? Date.now;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 25_000;
  const tools = new Map((options.tools ?? []).map((tool) => [tool.name, tool]));
  const toolDefinitions: ChatCompletionTool[] = [...tools.values()].map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.jsonSchema },
  }));
  const systemPrompt = () => (typeof options.systemPrompt === 'function' ? options.systemPrompt() : options.systemPrompt);

  async function complete(request: ReplyRequest, messages: ChatCompletionMessageParam[]) {
    const completion = await withAttemptSignal(request.signal, attemptTimeoutMs, (signal) =>
      client.chat.completions.create(
        { model, messages, ...(toolDefinitions.length > 0 && { tools: toolDefinitions }) },
        { signal, maxRetries: 0, timeout: attemptTimeoutMs },
      ),
    );
    const message = completion.choices[0]?.message;
    if (!message) throw new ResponderError('the model returned no choice', 'provider_error');
    return message;
  }

  async function runTool(call: ChatCompletionMessageToolCall, context: ToolContext): Promise<string> {
    if (call.type !== 'function') return JSON.stringify({ error: `unsupported tool call type ${call.type}` });
    const tool = tools.get(call.function.name);
    if (!tool) return JSON.stringify({ error: `unknown tool ${call.function.name}; use one of ${[...tools.keys()].join(', ')}` });
    try {
      return JSON.stringify(await tool.run(call.function.arguments, context));
    } catch (error) {
      context.signal.throwIfAborted();
      throw new ResponderError(`tool ${tool.name} failed: ${error instanceof Error ? error.message : String(error)}`, 'internal', {
        cause: error,
      });
    }
  }

  return {
    description: `openai ${model} at ${client.baseURL}`,
    async reply(request): Promise<Reply> {
      const photos: Photo[] = [];
      const context: ToolContext = { customer: request.customer, signal: request.signal, attach: (photo) => photos.push(photo) };
      const messages: ChatCompletionMessageParam[] = [
        { role: 'system', content: systemPrompt() },
        ...request.history.map((entry) => ({ role: entry.role, content: entry.content })),
      ];
      const maxRounds = options.maxToolRounds ?? 6;
      for (let round = 1; round <= maxRounds; round++) {
        const message = await callModel(request, () => complete(request, messages), {
          gate: options.gate,
          maxFailures: options.maxRetries,
          now,
        });
        const calls = message.tool_calls ?? [];
        if (calls.length === 0 || round === maxRounds) {
          const text = message.content?.trim();
          if (!text) throw new ResponderError('the model returned an empty answer', 'provider_error');
          return photos.length > 0 ? { text, photos } : { text };
        }
        messages.push({ role: 'assistant', content: message.content ?? null, tool_calls: calls });
        for (const call of calls) {
          messages.push({ role: 'tool', tool_call_id: call.id, content: await runTool(call, context) });
        }
      }
      throw new ResponderError('the tool loop ended without an answer', 'internal');
    },
  };
}
