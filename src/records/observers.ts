import type { Logger } from '../infra/logger.js';
import type { ConversationObserver } from '../core/observer.js';

/**
 * One observer that tells several, in order (the recorder before the handoff, so a request
 * for a person is recorded before the bot goes quiet). One failing never stops the others.
 *
 * @example
 * createEngine({ ...options, observer: composeObservers([recorder.observer, handoff.observer], logger) });
 */
export function composeObservers(observers: readonly (ConversationObserver | undefined)[], logger: Logger): ConversationObserver {
  const present = observers.filter((observer): observer is ConversationObserver => observer !== undefined);
  return {
    messageReceived(message) {
      for (const observer of present) {
        try {
          observer.messageReceived?.(message);
        } catch (error) {
          logger.error({ err: error }, 'message observer failed');
        }
      }
    },
    replySent(event) {
      for (const observer of present) {
        try {
          observer.replySent?.(event);
        } catch (error) {
          logger.error({ err: error }, 'reply observer failed');
        }
      }
    },
  };
}
