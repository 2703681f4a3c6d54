import type { IncomingMessage, ServerResponse } from 'node:http';

/** Reads a whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Decodes a JSON, urlencoded or multipart/form-data body into fields.
 * Throws when a JSON body is not an object.
 */
export function parseBody(contentType: string, body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  if (contentType.startsWith('multipart/form-data')) return parseMultipart(contentType, body);
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  }
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
  return parsed as Record<string, unknown>;
}

/** Enough multipart/form-data for grammY uploads: text fields as strings, files as `{ filename, size }`. */
export function parseMultipart(contentType: string, body: Buffer): Record<string, unknown> {
  const boundary = /boundary=("?)([^";]+)\1/i.exec(contentType)?.[2];
  if (!boundary) return {};
  const fields: Record<string, unknown> = {};
  // latin1 keeps one char per byte, so file sizes stay exact; text fields are decoded back to UTF-8.
  for (const part of body.toString('latin1').split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const value = part.slice(split + 4).replace(/\r\n$/, '');
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined) continue;
    const filename = /filename="?([^";\r\n]*)"?/i.exec(head)?.[1];
    fields[name] = filename !== undefined
      ? { filename, size: value.length }
      : Buffer.from(value, 'latin1').toString('utf8');
  }
  return fields;
}

/** Waits `ms`; resolves `false` early (clearing the timer) if the client goes away meanwhile. */
export function sleepUnlessClosed(ms: number, res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(true), ms);
    res.on('close', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}
