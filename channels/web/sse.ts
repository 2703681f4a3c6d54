import type { ChatEvent, Subscriber } from './visitors.js';

/** One page's open `text/event-stream`, fed by the visitor book. */
export interface EventStream extends Subscriber {
  readonly body: ReadableStream<Uint8Array>;
  /** Called once when the page goes away or the stream is closed. */
  onClose(listener: () => void): void;
}

/** Chunks a page has not read yet; past this the page is gone or stuck, and is let go. */
const MAX_QUEUED_CHUNKS = 256;

/**
 * A Server-Sent Events stream: chat events with their id (so `EventSource` resumes with
 * `Last-Event-ID`), `typing` events without one, and a comment every `heartbeatMs` so proxies
 * and phones keep the connection open and a vanished page is noticed.
 */
export function createEventStream(options: { readonly heartbeatMs: number; readonly retryMs: number }): EventStream {
  const encoder = new TextEncoder();
  const closeListeners: (() => void)[] = [];
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let closed = false;

  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const listener of closeListeners) listener();
  };
  const body = new ReadableStream<Uint8Array>({
    start: (streamController) => {
      controller = streamController;
    },
    cancel: finish,
  });
  const write = (chunk: string) => {
    if (closed || !controller) return;
    if ((controller.desiredSize ?? 0) < -MAX_QUEUED_CHUNKS) {
      stream.close();
      return;
    }
    controller.enqueue(encoder.encode(chunk));
  };
  const heartbeat = setInterval(() => write(': ping\n\n'), options.heartbeatMs);

  const stream: EventStream = {
    body,
    event: (event: ChatEvent) => write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`),
    typing: (visibleMs: number) => write(`event: typing\ndata: ${JSON.stringify({ visibleMs })}\n\n`),
    close() {
      if (closed) return;
      finish();
      controller?.close();
    },
    onClose: (listener) => closeListeners.push(listener),
  };
  write(`retry: ${options.retryMs}\n: bienvenue\n\n`);
  return stream;
}
