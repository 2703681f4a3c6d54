/**
 * Cuts a long reply into pieces of at most `limit` characters, at a paragraph, line or word
 * break when there is one, so nothing is lost to the platform's length limit. Shared by the
 * channels whose platform caps a message's length (Telegram, WhatsApp's Cloud API).
 */
export function splitText(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    const breakAt = ['\n\n', '\n', ' '].map((separator) => window.lastIndexOf(separator)).find((at) => at > limit / 2);
    let cut = breakAt ?? limit;
    // Never cut between the two halves of an emoji (a UTF-16 surrogate pair).
    const code = rest.charCodeAt(cut - 1);
    if (breakAt === undefined && code >= 0xd800 && code <= 0xdbff) cut -= 1;
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest !== '') pieces.push(rest);
  return pieces;
}
