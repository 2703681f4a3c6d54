import { z } from 'zod';

/** A picture to show the customer with the answer. */
export interface Photo {
  readonly url: string;
  readonly caption: string;
}

/** Who the turn is for, as far as tools need to know. */
export interface Customer {
  readonly channel: string;
  readonly chatId: string;
  readonly name?: string;
}

/** What a tool may use while it runs. */
export interface ToolContext {
  readonly customer: Customer;
  readonly signal: AbortSignal;
  /** Adds a photo to the reply (sent before its text). */
  attach(photo: Photo): void;
}

/** Something the model may do: look up the catalogue, quote a delivery, place an order. */
export interface Tool {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments, as the model sees it. */
  readonly jsonSchema: Record<string, unknown>;
  /**
   * Runs with the model's raw arguments. Bad arguments come back as `{ error }` the model can
   * correct; they never throw.
   */
  run(rawArguments: string, context: ToolContext): Promise<unknown>;
}

/**
 * Declares a tool whose arguments are checked with a zod schema before `run` sees them.
 *
 * @example
 * defineTool({ name: 'delivery_quote', description: '…', parameters: z.object({ zone: z.string() }),
 *   run: async ({ zone }) => quote(zone) });
 */
export function defineTool<S extends z.ZodObject>(spec: {
  name: string;
  description: string;
  parameters: S;
  run(args: z.output<S>, context: ToolContext): Promise<unknown>;
}): Tool {
  const { $schema: _ignored, ...jsonSchema } = z.toJSONSchema(spec.parameters, { io: 'input' }) as Record<string, unknown>;
  return {
    name: spec.name,
    description: spec.description,
    jsonSchema,
    async run(rawArguments, context) {
      let parsed: unknown;
      try {
        parsed = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments);
      } catch {
        return { error: `arguments are not valid JSON: ${rawArguments.slice(0, 200)}` };
      }
      const result = spec.parameters.safeParse(parsed);
      if (!result.success) return { error: `invalid arguments: ${z.prettifyError(result.error)}` };
      return spec.run(result.data, context);
    },
  };
}
