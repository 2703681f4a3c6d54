import type { Responder } from './responder.js';

/**
 * A responder for a bot with no model configured: it acknowledges and promises a person will
 * follow up, so a customer is never met with silence even before the owner sets a key.
 */
export function createCannedResponder(text: string): Responder {
  return { description: 'no model (canned answer)', reply: async () => ({ text }) };
}
