import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import whatsappWeb from 'whatsapp-web.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { whatsappPuppeteerOptions } from '../../../channels/whatsapp/index.js';
import { createLogger } from '../../../src/infra/logger.js';
import { fixtures, whatsappMessage } from './fake-client.js';
import { startWhatsApp, type StartedWhatsApp } from './start.js';

const AWA = '2250701020304@c.us';
const KOFI = '2250505060708@c.us';
const wait = { timeout: 2500, interval: 10 };
/** Lets every pending promise callback run (setImmediate stays real under the fake timers used here). */
const settle = () => new Promise((resolve) => setImmediate(resolve));
const fakeTime = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });

function logLines(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(String(JSON.parse(chunk.toString()).msg));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('WhatsApp channel life cycle', () => {
  let started: StartedWhatsApp | undefined;

  afterEach(async () => {
    vi.useRealTimers();
    await started?.close();
    started = undefined;
  });

  it('builds every client with the LocalAuth session in <dataDir>/whatsapp and the Chromium options', async () => {
    started = await startWhatsApp({ chromiumPath: '/opt/chromium/chrome' });
    const { options } = started.whatsapp.current();
    expect(options.authStrategy).toBeInstanceOf(whatsappWeb.LocalAuth);
    expect((options.authStrategy as InstanceType<typeof whatsappWeb.LocalAuth>).dataPath).toBe(resolve(started.dataDir, 'whatsapp'));
    expect(options.puppeteer).toEqual(whatsappPuppeteerOptions('/opt/chromium/chrome'));
    expect(options.puppeteer?.args).toEqual(expect.arrayContaining(['--no-sandbox', '--disable-setuid-sandbox', '--disable-dev-shm-usage', '--disable-gpu']));
    expect(options.puppeteer?.headless).toBe(true);
  });

  it('waits for the QR scan, shows the code, then is ready and remembers a phone is linked', async () => {
    const onQr = vi.fn();
    const onSessionLost = vi.fn();
    started = await startWhatsApp({ onQr, onSessionLost }, (whatsapp) => void whatsapp.startScripts.push('qr'));
    const { whatsapp, adapter, dataDir } = started;

    await vi.waitFor(() => expect(adapter.status()).toEqual({ state: 'starting', detail: 'scan the QR code' }), wait);
    expect(adapter.qr()).toMatch(/^2@fakeQr0,/);
    expect(onQr).toHaveBeenCalledWith(adapter.qr());

    whatsapp.current().becomeReady();
    expect(adapter.status()).toEqual({ state: 'ready', detail: 'connected as Mode Ivoire' });
    expect(adapter.qr()).toBeNull();
    expect(onSessionLost).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(existsSync(join(dataDir, 'whatsapp', 'linked'))).toBe(true), wait);
  });

  it('reconnects with a doubling backoff, says so in the log, and starts over once connected', async () => {
    fakeTime();
    const { lines, logger } = logLines();
    started = await startWhatsApp({ logger, reconnectDelayMs: 1000, maxReconnectDelayMs: 4000 }, (whatsapp) => {
      whatsapp.startScripts.push('fail', 'fail', 'fail', 'fail');
    });
    const { whatsapp, adapter } = started;
    await settle();
    expect(adapter.status()).toMatchObject({ state: 'degraded', detail: expect.stringContaining('WhatsApp Web did not start') });
    expect(lines).toContain('whatsapp: WhatsApp Web did not start: Failed to launch the browser process! (fake); reconnecting in 1 s');

    const clientsAfter = async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms);
      await settle();
      return whatsapp.clients.length;
    };
    for (const delay of [1000, 2000, 4000, 4000]) {
      const before = whatsapp.clients.length;
      expect(await clientsAfter(delay - 1)).toBe(before);
      expect(await clientsAfter(1)).toBe(before + 1);
    }
    expect(adapter.status().state).toBe('ready');
    expect(whatsapp.clients.slice(0, -1).every((client) => client.destroyed)).toBe(true);

    await whatsapp.disconnect('NAVIGATION');
    expect(adapter.status()).toEqual({ state: 'degraded', detail: 'disconnected (NAVIGATION)' });
    expect(await clientsAfter(999)).toBe(5);
    expect(await clientsAfter(1)).toBe(6);
    expect(adapter.status().state).toBe('ready');
  });

  it('after a reconnection, answers each unread message once and marks its chat seen', async () => {
    started = await startWhatsApp({ reconnectDelayMs: 10 });
    const { whatsapp, adapter, received } = started;
    await vi.waitFor(() => expect(adapter.status().state).toBe('ready'), wait);
    whatsapp.customerWrites(AWA, 'Premier message');

    await whatsapp.disconnect('TIMEOUT');
    whatsapp.customerWrites(AWA, 'Vous êtes là ?');
    whatsapp.customerWrites(KOFI, 'Bonjour, vous livrez à Cocody ?');
    whatsapp.deliver(whatsappMessage(fixtures.group));
    expect(received).toHaveLength(1);

    await vi.waitFor(() => expect(whatsapp.count('sendSeen')).toBe(2), wait);
    expect(received.map((message) => [message.chatId, message.text])).toEqual([
      [AWA, 'Premier message'],
      [AWA, 'Vous êtes là ?'],
      [KOFI, 'Bonjour, vous livrez à Cocody ?'],
    ]);
    expect(whatsapp.calls.filter((call) => call.method === 'fetchMessages').map((call) => [call.chatId, call.options])).toEqual([
      [AWA, { limit: 2 }],
      [KOFI, { limit: 1 }],
    ]);

    await whatsapp.disconnect('TIMEOUT');
    await vi.waitFor(() => expect(whatsapp.count('getChats')).toBe(3), wait);
    await settle();
    expect(received).toHaveLength(3);
  });

  it('calls onSessionLost once when the phone is logged out, then shows the new QR code', async () => {
    const onSessionLost = vi.fn();
    started = await startWhatsApp({ onSessionLost, reconnectDelayMs: 10 });
    const { whatsapp, adapter } = started;
    await vi.waitFor(() => expect(adapter.status().state).toBe('ready'), wait);

    whatsapp.startScripts.push('qr');
    await whatsapp.disconnect('LOGOUT');
    expect(onSessionLost).toHaveBeenCalledWith('logged out by WhatsApp (LOGOUT)');
    expect(adapter.status()).toEqual({ state: 'degraded', detail: 'disconnected (LOGOUT)' });

    await vi.waitFor(() => expect(adapter.status()).toEqual({ state: 'starting', detail: 'scan the QR code' }), wait);
    expect(onSessionLost).toHaveBeenCalledTimes(1);
    whatsapp.current().becomeReady();
    expect(adapter.status().state).toBe('ready');

    whatsapp.current().fire('auth_failure', 'session restore failed');
    expect(onSessionLost).toHaveBeenLastCalledWith('authentication failed: session restore failed');
    await vi.waitFor(() => expect(adapter.status().state).toBe('ready'), wait);
    expect(onSessionLost).toHaveBeenCalledTimes(2);
  });

  it('takes a QR code at start-up, once a phone was linked, for a lost session', async () => {
    const onSessionLost = vi.fn();
    started = await startWhatsApp({ onSessionLost }, async (whatsapp, dataDir) => {
      await mkdir(join(dataDir, 'whatsapp'), { recursive: true });
      await writeFile(join(dataDir, 'whatsapp', 'linked'), '2026-11-20T08:00:00.000Z');
      whatsapp.startScripts.push('qr');
    });
    await vi.waitFor(() => expect(onSessionLost).toHaveBeenCalledWith('WhatsApp asks for a new QR code scan'), wait);
  });

  it('restarts the browser on schedule, when no customer is waiting, keeping the session', async () => {
    fakeTime();
    started = await startWhatsApp({ browserRestartHours: 6 });
    const { whatsapp, adapter } = started;
    await settle();
    expect(adapter.status().state).toBe('ready');

    await vi.advanceTimersByTimeAsync(6 * 3_600_000 - 1000);
    await adapter.sendTyping?.(AWA);
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(whatsapp.clients).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(60_000);
    await settle();
    expect(whatsapp.clients).toHaveLength(2);
    expect(whatsapp.clients[0]?.destroyed).toBe(true);
    expect(adapter.status().state).toBe('ready');
    const dataPaths = whatsapp.clients.map((client) => (client.options.authStrategy as InstanceType<typeof whatsappWeb.LocalAuth>).dataPath);
    expect(dataPaths[1]).toBe(dataPaths[0]);
  });

  it('gives up a start that shows neither a QR code nor the chats, and tries again', async () => {
    fakeTime();
    started = await startWhatsApp({ startTimeoutMs: 5000, reconnectDelayMs: 1000 }, (whatsapp) => void whatsapp.startScripts.push('silent'));
    const { whatsapp, adapter } = started;
    await vi.advanceTimersByTimeAsync(5000);
    expect(adapter.status()).toMatchObject({ state: 'degraded', detail: expect.stringContaining('neither a QR code nor the chats') });
    await vi.advanceTimersByTimeAsync(1000);
    await settle();
    expect(whatsapp.clients).toHaveLength(2);
    expect(adapter.status().state).toBe('ready');
  });

  it('shows WhatsApp connection trouble in status()', async () => {
    started = await startWhatsApp();
    const { whatsapp, adapter } = started;
    await vi.waitFor(() => expect(adapter.status().state).toBe('ready'), wait);
    whatsapp.current().fire('change_state', 'TIMEOUT');
    expect(adapter.status()).toEqual({ state: 'degraded', detail: 'WhatsApp connection state TIMEOUT' });
    whatsapp.current().fire('change_state', 'CONNECTED');
    expect(adapter.status()).toEqual({ state: 'ready', detail: 'connected as Mode Ivoire' });
  });

  it('close() closes the browser and stops reconnecting', async () => {
    started = await startWhatsApp({ reconnectDelayMs: 10 });
    const { whatsapp, adapter } = started;
    await vi.waitFor(() => expect(adapter.status().state).toBe('ready'), wait);
    await adapter.close();
    expect(whatsapp.current().destroyed).toBe(true);
    expect(adapter.status().state).toBe('stopped');
    whatsapp.current().fire('disconnected', 'TIMEOUT');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(whatsapp.clients).toHaveLength(1);
    await expect(adapter.sendText(AWA, 'Encore là ?')).rejects.toThrow(/not running/);
  });
});
