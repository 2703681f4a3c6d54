/**
 * Keeping abusers out without a core change: a `MessageHandler` decorator (rate and size
 * limits, the owner's blocklist) and the blocklist itself, kept in `DATA_DIR/blocked.json`.
 */
export { BlocklistError, openBlocklist, type BlockedCustomer, type Blocklist } from './blocklist.js';
export { FRENCH_ABUSE_TEXTS, guardAbuse, type AbuseGuardOptions, type AbuseTexts, type RefusalReason } from './guard.js';
export { createRateLimit, type RateLimit, type RateLimitOptions, type RateVerdict } from './rate-limit.js';
