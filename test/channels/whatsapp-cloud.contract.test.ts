import { expect, vi } from 'vitest';
import { startCloudChannel } from '../support/cloud-channel.js';
import { runChannelContract } from './contract.js';

runChannelContract('whatsapp (Cloud API)', async (receive) => {
  const { graph, meta, channel, close } = await startCloudChannel({ typingRefreshMs: 100 });
  await channel.start(receive);
  await vi.waitFor(() => expect(channel.status().state).toBe('ready'), { timeout: 2500 });
  return {
    adapter: channel,
    chatIds: ['2250701020304', '2250505060708'],
    async customerWrites(chatId, text, options = {}) {
      await meta.customerWrites(chatId, text, { copies: options.deliveries ?? 1 });
    },
    async customerSends(chatId, kind) {
      const media = graph.addMedia(Buffer.from(kind === 'photo' ? 'jpeg bytes' : 'opus bytes'), kind === 'photo' ? 'image/jpeg' : 'audio/ogg; codecs=opus');
      const content =
        kind === 'photo'
          ? { type: 'image', image: { mime_type: 'image/jpeg', sha256: media.sha256, id: media.id } }
          : { type: 'audio', audio: { mime_type: 'audio/ogg; codecs=opus', sha256: media.sha256, id: media.id, voice: true } };
      await meta.customerSends(chatId, content);
    },
    async customerSpeaks(chatId, audio) {
      const media = graph.addMedia(Buffer.from(audio), 'audio/ogg; codecs=opus');
      await meta.customerSends(chatId, { type: 'audio', audio: { mime_type: 'audio/ogg; codecs=opus', sha256: media.sha256, id: media.id, voice: true } });
    },
    replies: (chatId) => graph.texts(chatId),
    choices: (chatId) => [...(graph.texts(chatId).at(-1) ?? '').matchAll(/^\*(\d+)\.\* (.+)$/gm)].map((match) => match[2]!),
    async choose(chatId, label) {
      const last = graph.texts(chatId).at(-1) ?? '';
      const number = [...last.matchAll(/^\*(\d+)\.\* (.+)$/gm)].find((match) => match[2] === label)?.[1];
      await meta.customerWrites(chatId, number ?? label);
    },
    typingCount: (chatId) => graph.typings(chatId).length,
    close,
  };
});
