/**
 * The records: every message and reply written to the store (recorder), the dashboard's
 * figures defined over them (metrics, summary), and the owner's daily summary.
 */
export { createDailySummary, type DailySummary, type DailySummaryOptions } from './daily-summary.js';
export {
  classifyFallbacks,
  conversationStatsOf,
  dayOf,
  DEFAULT_RECOVERY_WINDOW_MS,
  isRealAnswer,
  latencyOf,
  percentile,
  REAL_ANSWER_KINDS,
  type FallbackOutcome,
  type OrderFact,
} from './figures.js';
export { createRecorder, type Recorder, type RecorderOptions } from './recorder.js';
export {
  dailySeries,
  dailySummaryText,
  formatFcfa,
  formatNumber,
  formatRate,
  totalsByChannel,
  totalsOf,
  type DailySeries,
  type Totals,
} from './summary.js';
export { composeObservers } from './observers.js';
export { voiceLine, type VoiceNoteRecord } from './voice-line.js';
