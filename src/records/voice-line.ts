/** How the owner's records show a voice note: "🎤 0:07 — « bonjour, je cherche une robe »". */

/** What became of a voice note (the voice reader's report). */
export interface VoiceNoteRecord {
  readonly durationSec?: number;
  readonly transcript?: string;
  /** Why it was not heard (`too_long`, `no_key`, `unintelligible`…). */
  readonly failure?: string;
}

const FAILURES: Readonly<Record<string, string>> = {
  no_key: 'non écouté : pas de clé OpenAI',
  too_long: 'trop long, non écouté',
  too_large: 'trop lourd, non écouté',
  download_failed: 'fichier introuvable',
  unintelligible: 'inaudible',
  bad_audio: 'format illisible',
  timeout: 'pas écouté à temps',
};

/**
 * The line for a voice note: its length, then its transcript in French quotes, or why there is
 * none; just the length while it is being heard.
 *
 * @example
 * voiceLine({ durationSec: 7, transcript: 'Vous livrez à Yopougon ?' }); // "🎤 0:07 — « Vous livrez à Yopougon ? »"
 */
export function voiceLine(note: VoiceNoteRecord): string {
  const length = note.durationSec === undefined ? '🎤' : `🎤 ${clock(note.durationSec)}`;
  if (note.transcript !== undefined) return `${length} — « ${note.transcript} »`;
  if (note.failure !== undefined) return `${length} — (${FAILURES[note.failure] ?? 'transcription impossible'})`;
  return length;
}

/** `0:07`, `2:05`. */
function clock(seconds: number): string {
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}
