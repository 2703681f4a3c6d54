/**
 * The delivery details: name, phone and commune, asked one at a time, but taken from any
 * message that holds them ("Awa Koné, 07 07 12 34 56, Marcory"), at any point of the dialogue,
 * corrections included ("plutôt Cocody", "mon numéro c'est le 05 …").
 */
import type { Reply } from '../../core/responder.js';
import { findZoneMentions } from '../search.js';
import { onward } from './cart.js';
import type { CheckoutTurn } from './context.js';
import { askDetail, askZone, badPhone, TEXTS, unclear, type CheckoutReply } from './prompts.js';
import type { DeliveryZone } from '../../store/types.js';
import { normalize } from '../text.js';
import { readName, readPhone } from './understand.js';

/** What a message changed among the details, and what in it was wrong. */
export interface DetailsRead {
  readonly changed: readonly ('name' | 'phone' | 'zone')[];
  /** What looked like a phone number and is not one. */
  readonly badPhone?: string;
}

/**
 * Takes the name, phone and commune a message holds into the state. The whole message is
 * read as the name only when the name is what was asked (`asked`).
 */
export function readDetails(turn: CheckoutTurn, text: string, asked?: 'name' | 'phone' | 'zone'): DetailsRead {
  const { state, zones, deps } = turn;
  const changed: ('name' | 'phone' | 'zone')[] = [];
  const phone = readPhone(text, deps.shop.country, { expected: asked === 'phone' });
  const typed = [phone.raw, phone.invalid].filter((part): part is string => part !== undefined);
  const zone = zoneOf(text, typed, zones, asked === 'zone');
  const single = pieces(text).length <= 1;
  const name = readName(text, {
    alone: asked === 'name',
    exclude: [...typed, ...(zone && !single ? [zone.part] : [])],
    isPlace: (word) => zone !== undefined && single && findZoneMentions(zones, word)[0]?.zone === zone.zone,
  });
  if (phone.valid && phone.valid !== state.phone) {
    state.phone = phone.valid;
    changed.push('phone');
  }
  if (zone && zone.zone.name !== state.zone) {
    state.zone = zone.zone.name;
    changed.push('zone');
  }
  if (name && name !== state.name && (asked === 'name' || !state.name || phone.valid || zone)) {
    state.name = name;
    changed.push('name');
  }
  return { changed, ...(!phone.valid && phone.invalid && { badPhone: phone.invalid }) };
}

const pieces = (text: string) => text.split(/[,;\n]|\s+-\s+/u).map((part) => part.trim()).filter(Boolean);
const INTRODUCED = /\b(?:a|au|sur|vers|quartier|commune|livraison|livrer|livree?|habite|j habite)\s+([a-z0-9]+(?:\s[a-z0-9]+)?)/g;

/**
 * The commune a message names, and the part of it that names it. A commune is read from a
 * part that names it exactly (`Marcory`, `zone 4`), from a part that is nothing but a commune
 * with a typo (`Marcori`), after `à`, `quartier`, `livraison`… (`à Marcori`), or anywhere when
 * it is what was asked. Not from a name that looks like one: "Aya Kouassi" is a person, not
 * Koumassi.
 */
function zoneOf(text: string, typed: readonly string[], zones: readonly DeliveryZone[], expected: boolean): { zone: DeliveryZone; part: string } | undefined {
  let rest = text;
  for (const part of typed) rest = rest.split(part).join(',');
  const parts = pieces(rest);
  for (const part of parts) {
    const words = ` ${normalize(part)} `;
    const exact = findZoneMentions(zones, part).find(({ zone }) => [zone.name, ...zone.aliases].some((label) => words.includes(` ${normalize(label)} `)));
    if (exact) return { zone: exact.zone, part };
  }
  for (const part of parts) {
    const [mention] = findZoneMentions(zones, part);
    if (mention && normalize(part).split(' ').length <= normalize(mention.label).split(' ').length) return { zone: mention.zone, part };
  }
  for (const part of parts) {
    for (const match of normalize(part).matchAll(INTRODUCED)) {
      const [mention] = findZoneMentions(zones, match[1]!);
      if (mention) return { zone: mention.zone, part };
    }
  }
  const [anywhere] = expected ? findZoneMentions(zones, rest) : [];
  return anywhere ? { zone: anywhere.zone, part: rest } : undefined;
}

/**
 * A message while a detail is asked: whatever it holds is taken, then the next question (or
 * the summary) follows; a bad phone number gets its correction, an unknown commune the list
 * of those served, and a message with nothing usable the question again.
 */
export function onDetails(turn: CheckoutTurn, text: string, asked: 'name' | 'phone' | 'zone'): Promise<Reply> | CheckoutReply {
  const { state, zones, deps } = turn;
  const read = readDetails(turn, text, asked);
  const context = { zones, country: deps.shop.country };
  if (read.badPhone) {
    state.step = 'phone';
    const kept = read.changed.length > 0 ? `${TEXTS.kept}\n` : '';
    return askDetail(state, 'phone', context, `${kept}${badPhone(read.badPhone, deps.shop.country)}`);
  }
  if (read.changed.length > 0) return onward(turn, read.changed.length > 1 ? TEXTS.kept : undefined);
  const place = text.trim().replace(/[.!]+$/, '');
  if (asked === 'zone' && place !== '' && !place.includes('?') && place.split(/\s+/).length <= 4) {
    return askZone(state, zones, TEXTS.notDelivered(place.slice(0, 40)));
  }
  const again = { name: "Je n'ai pas bien lu votre nom 🙂", phone: "Je n'ai pas trouvé de numéro de téléphone dans votre message 🙂", zone: "Je n'ai pas reconnu la commune 🙂" };
  return unclear(again[asked], askDetail(state, asked, context));
}
