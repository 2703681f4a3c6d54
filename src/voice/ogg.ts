/**
 * The length of an OGG/Opus recording, read from its last page: for a note whose platform did
 * not say how long it is (a file sent as audio, a browser recording).
 */

const CAPTURE = [0x4f, 0x67, 0x67, 0x53]; // "OggS"
const OPUS_RATE = 48_000;

/**
 * Seconds of audio in an OGG/Opus file (RFC 7845: the last page's granule position, less the
 * pre-skip, at 48 kHz), or `undefined` when the bytes are not OGG/Opus.
 */
export function oggOpusDurationSec(data: Uint8Array): number | undefined {
  if (data.length < 47 || !isPageAt(data, 0)) return undefined;
  const bytes = new DataView(data.buffer, data.byteOffset, data.byteLength);
  // The first page holds the OpusHead packet: magic at 28, pre-skip at 38 (little-endian).
  if (new TextDecoder().decode(data.subarray(28, 36)) !== 'OpusHead') return undefined;
  const preSkip = bytes.getUint16(38, true);
  for (let at = data.length - 27; at >= 0; at -= 1) {
    if (!isPageAt(data, at)) continue;
    const granule = bytes.getBigInt64(at + 6, true);
    if (granule < 0n) continue; // -1: no packet ends on this page
    return Math.max(0, Number(granule) - preSkip) / OPUS_RATE;
  }
  return undefined;
}

function isPageAt(data: Uint8Array, at: number): boolean {
  return CAPTURE.every((byte, i) => data[at + i] === byte);
}
