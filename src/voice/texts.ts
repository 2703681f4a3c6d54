/** What a customer hears back when a voice note cannot be heard: short, polite, and a way forward. */
export interface VoiceTexts {
  /** No OpenAI key: the bot cannot listen at all. */
  readonly noKey: string;
  /** Longer than `VOICE_MAX_SECONDS`, or larger than the platform lets the bot download. */
  readonly tooLong: string;
  /** The platform would not give the file (expired, deleted, unreachable). */
  readonly downloadFailed: string;
  /** Silence, noise, or words nobody could make out. */
  readonly notUnderstood: string;
  /** The transcription service failed, or took too long, after its retries. */
  readonly unavailable: string;
}

/** The exact words the issue asks for when there is no key. */
export const NO_KEY_TEXT = "Je ne peux pas écouter les messages vocaux pour le moment, pouvez-vous m'écrire ? 🙏";

/**
 * The French texts.
 *
 * @param maxSeconds the longest note heard, said in the "too long" line
 */
export function frenchVoiceTexts(maxSeconds: number): VoiceTexts {
  return {
    noKey: NO_KEY_TEXT,
    tooLong: `Votre message vocal est un peu long pour moi 🙏 Pouvez-vous m'envoyer un vocal plus court (moins de ${spokenLength(maxSeconds)}) ou m'écrire votre question ?`,
    downloadFailed: "Je n'ai pas pu récupérer votre message vocal 🙏 Pouvez-vous le renvoyer, ou m'écrire votre question ?",
    notUnderstood:
      "Désolé, je n'ai pas bien entendu votre message vocal 🙏 Pouvez-vous le redire un peu plus près du téléphone, ou m'écrire votre question ?",
    unavailable: "Je n'arrive pas à écouter votre message vocal pour le moment 🙏 Pouvez-vous m'écrire votre question ?",
  };
}

/** `2 minutes`, `90 secondes`, `1 minute`. */
function spokenLength(seconds: number): string {
  if (seconds % 60 !== 0) return `${seconds} secondes`;
  const minutes = seconds / 60;
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
