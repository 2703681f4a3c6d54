import type { BotKind } from './bot-process.js';

/**
 * The Node flags of the small-VPS profile (`docs/deploy.md`, `NODE_OPTIONS` in its systemd
 * unit): a capped old generation and smaller young-generation halves, so the heap is collected
 * before it grows rather than after. A test keeps the two in step.
 */
export const SMALL_VPS_NODE_ARGS = ['--max-old-space-size=128', '--max-semi-space-size=4'] as const;

/** One way of running a bot in a bench. */
export interface BotVariant {
  readonly label: string;
  readonly kind: BotKind;
  readonly nodeArgs?: readonly string[];
  /** Supabase configured (the bench's fake data API) instead of the embedded database. */
  readonly supabase?: boolean;
}

export const AKWABA: BotVariant = { label: 'akwaba', kind: 'akwaba' };
export const AKWABA_SMALL: BotVariant = { label: 'akwaba, small-VPS profile', kind: 'akwaba', nodeArgs: SMALL_VPS_NODE_ARGS };
export const AKWABA_SUPABASE: BotVariant = { label: 'akwaba, Supabase', kind: 'akwaba', supabase: true };
export const AKWABA_SUPABASE_SMALL: BotVariant = { label: 'akwaba, Supabase, small-VPS profile', kind: 'akwaba', nodeArgs: SMALL_VPS_NODE_ARGS, supabase: true };
export const NAIVE: BotVariant = { label: 'naive', kind: 'naive' };
export const NAIVE_CONCURRENT: BotVariant = { label: 'naive-concurrent', kind: 'naive-concurrent' };
