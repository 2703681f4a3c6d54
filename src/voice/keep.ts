import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DownloadedMedia } from '../core/media.js';
import type { IncomingMessage } from '../core/message.js';
import { pseudonym } from '../infra/logger.js';

/**
 * Keeps voice notes under `dir` (`VOICE_KEEP_AUDIO=true`), one folder per chat. Paths carry
 * pseudonyms, never a chat id: on WhatsApp it is the customer's phone number.
 *
 * @example
 * createVoiceReader({ ...options, keepAudio: keepAudioIn(join(dataDir, 'voice')) });
 * // DATA_DIR/voice/whatsapp/3f9a1c7e20b4/2026-12-04T18-32-15-123Z-9b1d5e0f4a2c.ogg
 */
export function keepAudioIn(dir: string): (message: IncomingMessage, audio: DownloadedMedia) => Promise<void> {
  return async (message, audio) => {
    const folder = join(dir, message.channel, pseudonym(message.chatId));
    const extension = /\.[a-z0-9]{1,5}$/i.exec(audio.fileName)?.[0] ?? '.bin';
    const stamp = new Date(message.receivedAt).toISOString().replace(/[:.]/g, '-');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, `${stamp}-${pseudonym(message.messageId)}${extension}`), audio.data);
  };
}
