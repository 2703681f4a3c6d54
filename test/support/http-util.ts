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

/** One part of a multipart/form-data body, its bytes untouched. */
export interface MultipartPart {
  readonly name: string;
  /** Set for a file. */
  readonly filename?: string;
  readonly contentType?: string;
  readonly data: Buffer;
}

/** Splits a multipart/form-data body (RFC 7578) into its parts, files byte for byte. */
export function parseMultipartParts(contentType: string, body: Buffer): MultipartPart[] {
  const boundary = /boundary=("?)([^";]+)\1/i.exec(contentType)?.[2];
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2); // after the CRLF that ends the delimiter line, before the CRLF ending the part
    const split = part.indexOf('\r\n\r\n');
    if (split >= 0) {
      const head = part.subarray(0, split).toString('utf8');
      const name = /name="([^"]*)"/i.exec(head)?.[1];
      const filename = /filename="([^"]*)"/i.exec(head)?.[1];
      const type = /^content-type:\s*(.+)$/im.exec(head)?.[1]?.trim();
      if (name !== undefined) {
        parts.push({ name, data: part.subarray(split + 4), ...(filename !== undefined && { filename }), ...(type && { contentType: type }) });
      }
    }
    at = next;
  }
  return parts;
}
