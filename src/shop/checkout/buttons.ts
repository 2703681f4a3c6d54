/**
 * The checkout's buttons: what a press means, written into the button's id as
 * `co:<seq>:<verb>[:<argument>]`. `seq` is the prompt the button belongs to, so a press on a
 * button of an older message is recognised as such (and refused politely) instead of acting
 * on a state that has moved on. Ids stay far below Telegram's 64 bytes.
 */
import type { Button } from '../../core/channel.js';

/** What pressing a checkout button does. */
export type ChoiceVerb =
  /** Picks the n-th product of the list shown (argument: 1-based index). */
  | 'pick'
  /** Takes this size for the product awaiting one. */
  | 'size'
  /** Starts the purchase of the product last talked about. */
  | 'buy'
  | 'confirm'
  | 'edit'
  | 'cancel'
  /** Adds another article. */
  | 'add'
  /** Goes on to the delivery details (no more articles). */
  | 'next'
  /** Changes one field (argument: `items`, `name`, `phone` or `zone`). */
  | 'field'
  /** Takes the platform's display name as the customer's name. */
  | 'myname'
  /** Takes the n-th delivery zone of the list shown (argument: 1-based index). */
  | 'zone'
  /** Removes the n-th line of the cart (argument: 1-based index). */
  | 'remove';

/** A press, read back from a button id. */
export interface Choice {
  readonly seq: number;
  readonly verb: ChoiceVerb;
  readonly argument?: string;
}

const VERBS: ReadonlySet<string> = new Set(['pick', 'size', 'buy', 'confirm', 'edit', 'cancel', 'add', 'next', 'field', 'myname', 'zone', 'remove']);
const PREFIX = 'co:';

/** A checkout button for prompt `seq`. */
export function choiceButton(seq: number, label: string, verb: ChoiceVerb, argument?: string): Button {
  return { id: `${PREFIX}${seq}:${verb}${argument === undefined ? '' : `:${argument}`}`, label };
}

/** Whether a message's action is a checkout button (of any prompt, stale or not). */
export function isCheckoutAction(action: string | undefined): action is string {
  return action !== undefined && action.startsWith(PREFIX);
}

/** Reads a checkout button id; `undefined` for anything else, forged ids included. */
export function readChoice(action: string): Choice | undefined {
  const match = /^co:(\d{1,9}):([a-z]+)(?::([A-Za-z0-9_-]{1,20}))?$/.exec(action);
  if (!match || !VERBS.has(match[2]!)) return undefined;
  return { seq: Number(match[1]), verb: match[2] as ChoiceVerb, ...(match[3] !== undefined && { argument: match[3] }) };
}
