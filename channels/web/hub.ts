/** What one instance tells the others about a visitor's chat. */
export type ChatSignal =
  /** New events are in the chat log: an instance holding the visitor's pages reads them. */
  | { readonly kind: 'events'; readonly chatId: string }
  /** "typing…" for `visibleMs`, on every page of the visitor. */
  | { readonly kind: 'typing'; readonly chatId: string; readonly visibleMs: number };

/**
 * How instances sharing one chat log tell each other that a visitor's chat changed, so the
 * instance holding a visitor's open pages shows a reply another instance sent. One process
 * needs none (its own pages are fed directly); the shared mode gives one on Postgres
 * `LISTEN/NOTIFY`.
 */
export interface ChatHub {
  /** Tells the other instances (not this one). Never throws: a lost signal only delays the page until it reconnects. */
  publish(signal: ChatSignal): void;
  /** Hears what the other instances publish. */
  subscribe(listener: (signal: ChatSignal) => void): void;
}
