/**
 * Wave's webhook signature (https://docs.wave.com/webhook, "Webhook security", shared secret):
 * the `Wave-Signature` header is `t=<unix seconds>,v1=<hex>` (several `v1` while a secret is
 * being replaced), each `v1` an HMAC-SHA256, keyed with the webhook secret, of the timestamp
 * followed directly by the raw request body. Deliveries signed more than 5 minutes ago are
 * refused: a captured request cannot be played again later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { NotificationError } from '../types.js';

/** How old a signed delivery may be (and how far in the future, for clock drift). */
export const WAVE_SIGNATURE_TOLERANCE_MS = 5 * 60_000;

/** The hex HMAC of one delivery. */
export function waveSignature(secret: string, timestampSeconds: number, body: Uint8Array | string): string {
  return createHmac('sha256', secret).update(String(timestampSeconds)).update(body).digest('hex');
}

/** The `Wave-Signature` header Wave sends for `body` at `timestampSeconds` (the fakes use it too). */
export function waveSignatureHeader(secret: string, timestampSeconds: number, body: Uint8Array | string): string {
  return `t=${timestampSeconds},v1=${waveSignature(secret, timestampSeconds, body)}`;
}

/**
 * Checks a delivery's `Wave-Signature`. Throws a `forged` {@link NotificationError} when the
 * header is missing or no signature matches, `replayed` when it was signed too long ago.
 */
export function verifyWaveSignature(
  header: string | null,
  body: Uint8Array,
  secret: string,
  now: number,
  toleranceMs = WAVE_SIGNATURE_TOLERANCE_MS,
): void {
  if (!header) throw new NotificationError('forged', 'no Wave-Signature header');
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value = ''] = part.trim().split('=', 2);
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0) throw new NotificationError('forged', 'Wave-Signature is not t=…,v1=…');
  const expected = Buffer.from(waveSignature(secret, timestamp, body), 'hex');
  const matches = signatures.some((signature) => timingSafeEqual(Buffer.from(signature, 'hex'), expected));
  if (!matches) throw new NotificationError('forged', 'Wave-Signature does not match the body');
  // Checked after the signature, so a forger learns nothing from the answer.
  if (Math.abs(now - timestamp * 1000) > toleranceMs) throw new NotificationError('replayed', 'Wave-Signature is too old');
}
