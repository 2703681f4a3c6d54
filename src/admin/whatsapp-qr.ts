import type { Hono } from 'hono';
import QRCode from 'qrcode';
import type { Health } from '../core/channel.js';
import type { OwnerAuth } from './auth.js';

/**
 * `GET /admin/whatsapp`: the QR code to link the shop's phone, for an owner whose bot runs on
 * a VPS without a screen. Behind the owner's login; refreshes itself every 5 s.
 */
export function addWhatsAppQrPage(app: Hono, options: { auth: Pick<OwnerAuth, 'guard'>; qr: () => string | null; status: () => Health }): void {
  app.get('/admin/whatsapp', options.auth.guard, async (c) => {
    const qr = options.qr();
    const status = options.status();
    const body = qr
      ? `<p>Sur le téléphone de la boutique : WhatsApp → Appareils connectés → Connecter un appareil, puis scannez :</p>${await QRCode.toString(qr, { type: 'svg', margin: 2, width: 320 })}`
      : `<p>WhatsApp : <strong>${escapeHtml(status.state)}</strong>${status.detail ? ` — ${escapeHtml(status.detail)}` : ''}</p>`;
    return c.html(
      `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="refresh" content="5"><title>Connecter WhatsApp</title><style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#222}svg{width:100%;height:auto}</style></head><body><h1>Connecter WhatsApp</h1>${body}</body></html>`,
    );
  });
}

/** Prints the QR code in the terminal for an owner running the bot by hand. */
export async function printQrInTerminal(qr: string, write: (text: string) => void): Promise<void> {
  write(await QRCode.toString(qr, { type: 'terminal', small: true }));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
