import type { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { ChannelAdapter, SendOptions } from '../../src/core/channel.js';
import type { DownloadMediaOptions, DownloadedMedia as MessageMedia } from '../../src/core/media.js';
import type { IncomingMessage } from '../../src/core/message.js';
import type { Logger } from '../../src/infra/logger.js';
import type { DownloadedMedia } from './media.js';
import type { Choice } from './outgoing.js';
import type { RetryPolicy } from './retry.js';

/** How to reach Meta, and what Meta needs to reach the bot. */
export interface WhatsAppCloudChannelOptions {
  /** A permanent system-user token with `whatsapp_business_messaging`. */
  readonly accessToken: string;
  /** The business number's id in Meta's API (not the phone number). */
  readonly phoneNumberId: string;
  /** The app secret: every webhook POST must be signed with it. */
  readonly appSecret: string;
  /** The string typed in Meta's webhook settings; Meta's verification GET must carry it. */
  readonly verifyToken: string;
  /** e.g. `https://graph.facebook.com`, or a fake in tests. */
  readonly apiRoot: string;
  /** e.g. `v26.0`. */
  readonly apiVersion: string;
  readonly logger: Logger;
  /** Tells the shop's owner something (a refused token, a reply WhatsApp would not carry). */
  readonly notifyOwner?: (key: string, text: string) => void | Promise<void>;
  /** Where the channel's counters go (`akwaba_whatsapp_*`). */
  readonly registry?: Registry;
  /** Used for every Graph API call. Default: the global `fetch`. */
  readonly fetch?: typeof globalThis.fetch;
  /** Where Meta POSTs. Default `/whatsapp/webhook`. */
  readonly webhookPath?: string;
  /** The longest a webhook POST is held while its messages are journalled. Default 5000. */
  readonly webhookTimeoutMs?: number;
  /** One Graph API call gives up (and may be retried) after this long. Default 15000. */
  readonly attemptTimeoutMs?: number;
  /** Backoff after Meta's limits and passing faults. Default: `DEFAULT_RETRY_POLICY`. */
  readonly retry?: Partial<RetryPolicy>;
  /** Wait before checking the number again when the Graph API cannot be reached at start. Default 5000. */
  readonly restartDelayMs?: number;
  /** How often the core shows "typing…" again. Default 20000: WhatsApp's lasts 25 s. */
  readonly typingRefreshMs?: number;
  /** Largest media file {@link WhatsAppCloudChannel.downloadMediaById} accepts. Default 16 MB (WhatsApp's audio and video limit). */
  readonly maxMediaBytes?: number;
}

/** The Cloud API channel: a {@link ChannelAdapter} with its webhook routes and WhatsApp's extras. */
export interface WhatsAppCloudChannel extends ChannelAdapter {
  /** Adds `GET` and `POST` `/whatsapp/webhook` (or `webhookPath`) to the bot's HTTP app. */
  routes(app: Hono): void;
  /** Up to 3 reply buttons under `body`; the tapped one comes back as a message whose text is its title. */
  sendButtons(chatId: string, body: string, choices: readonly Choice[], options?: SendOptions): Promise<void>;
  /** Up to 10 rows in a list opened with `buttonLabel`. */
  sendList(chatId: string, body: string, buttonLabel: string, choices: readonly Choice[], options?: SendOptions): Promise<void>;
  /** Buttons when the choices fit them, a list otherwise (opened with `listLabel`, default "Choisir"). */
  sendChoices(chatId: string, body: string, choices: readonly Choice[], options?: SendOptions & { listLabel?: string }): Promise<void>;
  /** Downloads a customer's media by its id (`raw.audio.id` for a voice note, `raw.image.id` for a photo). */
  downloadMediaById(mediaId: string, signal?: AbortSignal): Promise<DownloadedMedia>;
  /** The core's capability: a message's media (a voice note to transcribe), by the id in its payload. */
  downloadMedia(message: IncomingMessage, options: DownloadMediaOptions): Promise<MessageMedia>;
}
