/** The people side of the dashboard: conversations waiting for a person, and recent conversations. */
import type { HandedOffChat } from '../handoff/state-file.js';
import { channelLabel, type ContextLine } from '../handoff/texts.js';
import type { FallbackOutcome } from '../records/figures.js';
import type { ConversationEvent } from '../store/records.js';
import type { TimelineView } from './dashboard-data.js';
import { formatAgo, formatWhen, html, join, REASON_LABELS, type SafeHtml } from './dashboard-html.js';

/** `/admin/conversations/<channel>/<chat>`: where a conversation's buttons post. */
export function conversationPath(channel: string, chatId: string): string {
  return `/admin/conversations/${encodeURIComponent(channel)}/${encodeURIComponent(chatId)}`;
}

const HANDOFF_REASONS: Readonly<Record<string, string>> = {
  request: 'a demandé une personne',
  fallbacks: 'plusieurs réponses de secours de suite',
  owner: 'vous avez pris la main',
};

/** The conversations a person holds: badge, context, reply box and the "hand back" button. */
export function handoffSection(handoffs: readonly HandedOffChat[], now: number): SafeHtml {
  if (handoffs.length === 0) return html``;
  const count = handoffs.length;
  return html`<section class="card handoffs" id="personnes" aria-live="polite">
  <h2><span class="badge badge-alert" data-handoff-count="${count}">${count}</span> ${count > 1 ? 'conversations attendent' : 'conversation attend'} une personne de la boutique</h2>
  <p class="hint">Le bot se tait dans ${count > 1 ? 'ces conversations' : 'cette conversation'} jusqu’à ce que vous lui rendiez la main.</p>
  ${handoffs.map((chat) => handoffCard(chat, now))}
</section>`;
}

function handoffCard(chat: HandedOffChat, now: number): SafeHtml {
  const path = conversationPath(chat.channel, chat.chatId);
  const name = chat.customerName ?? `Client ${chat.chatId}`;
  return html`<article class="handoff" data-handoff="${chat.channel}:${chat.chatId}">
    <header><strong>${name}</strong> <span class="pill">${channelLabel(chat.channel)}</span>
      <span class="muted">${HANDOFF_REASONS[chat.reason] ?? chat.reason} · ${formatAgo(chat.since, now)}</span>
      ${chat.unread > 0 ? html`<span class="badge badge-alert">${chat.unread} non lu${chat.unread > 1 ? 's' : ''}</span>` : ''}</header>
    <ol class="timeline compact">${chat.recent.map((line) => contextLine(line, now))}</ol>
    <form method="post" action="${path}/reply" data-action class="reply">
      <label class="sr-only" for="reply-${chat.channel}-${chat.chatId}">Votre réponse à ${name}</label>
      <textarea id="reply-${chat.channel}-${chat.chatId}" name="text" rows="2" required maxlength="4000" placeholder="Votre réponse à ${name}…"></textarea>
      <div class="actions"><button type="submit" class="primary">Envoyer</button></div>
    </form>
    <form method="post" action="${path}/hand-back" data-action class="inline"><button type="submit">🤖 Rendre la main au bot</button></form>
  </article>`;
}

function contextLine(line: ContextLine, now: number): SafeHtml {
  const side = line.from === 'customer' ? 'in' : 'out';
  const kind = line.from === 'owner' ? 'human' : (line.kind ?? 'answer');
  return html`<li class="msg ${side} kind-${kind}"><p>${line.text || '(pièce jointe)'}</p><time>${formatWhen(line.at, now)}</time></li>`;
}

const OUTCOME_LABELS: Readonly<Record<FallbackOutcome, string>> = {
  recovered: 'récupérée',
  abandoned: 'abandon',
  pending: 'en attente',
};

/** The recent conversations, each a timeline with its fallback moments set apart. */
export function conversationsSection(conversations: readonly TimelineView[] | null, handoffs: readonly HandedOffChat[], now: number): SafeHtml {
  const body =
    conversations === null
      ? html`<p class="error">Conversations indisponibles : la base de données ne répond pas.</p>`
      : conversations.length === 0
        ? html`<p class="muted">Aucune conversation pour le moment.</p>`
        : join(conversations.map((chat, i) => conversationCard(chat, handoffs, now, i < 2)));
  return html`<section class="card" id="conversations">
  <h2>Conversations récentes</h2>
  <p class="legend"><span class="dot in"></span>Client <span class="dot out"></span>Bot <span class="dot fallback"></span>Réponse de secours <span class="dot human"></span>Vous</p>
  ${body}
</section>`;
}

function conversationCard(chat: TimelineView, handoffs: readonly HandedOffChat[], now: number, first: boolean): SafeHtml {
  const fallbacks = chat.events.filter((event) => event.direction === 'out' && event.kind === 'fallback');
  const outcomes = fallbacks.map((event) => chat.outcomes.get(event.id));
  const held = handoffs.some((h) => h.channel === chat.channel && h.chatId === chat.chatId);
  const name = chat.customerName ?? `Client ${chat.chatId}`;
  const last = chat.events.at(-1);
  const path = conversationPath(chat.channel, chat.chatId);
  const badges = [
    fallbacks.length > 0 ? html`<span class="badge badge-fallback">${fallbacks.length} secours</span>` : html``,
    outcomes.includes('abandoned') ? html`<span class="badge badge-abandon">abandon</span>` : html``,
    fallbacks.length > 0 && outcomes.every((o) => o === 'recovered') ? html`<span class="badge badge-ok">récupérée</span>` : html``,
    held ? html`<span class="badge badge-alert">avec une personne</span>` : html``,
  ];
  const open = first || fallbacks.length > 0 || held;
  return html`<details class="chat" data-chat="${chat.channel}:${chat.chatId}"${open ? html` open` : ''}>
  <summary><strong>${name}</strong> <span class="pill">${channelLabel(chat.channel)}</span> ${badges}
    <span class="muted when">${formatWhen(chat.lastAt, now)}</span>
    ${last ? html`<span class="preview">${last.text.slice(0, 90)}</span>` : ''}</summary>
  <ol class="timeline">${chat.events.map((event) => timelineItem(event, chat.outcomes.get(event.id), now))}</ol>
  ${held
    ? html`<p class="muted">Vous tenez cette conversation : répondez depuis l’encadré en haut de la page.</p>`
    : html`<form method="post" action="${path}/take-over" data-action class="inline"><button type="submit">🙋 Prendre la main</button></form>`}
</details>`;
}

function timelineItem(event: ConversationEvent, outcome: FallbackOutcome | undefined, now: number): SafeHtml {
  const side = event.direction;
  const label =
    event.kind === 'fallback'
      ? html`<span class="tag">Réponse de secours · ${REASON_LABELS[event.reason ?? 'internal'] ?? event.reason} · <b class="outcome-${outcome ?? 'pending'}">${OUTCOME_LABELS[outcome ?? 'pending']}</b></span>`
      : event.kind === 'human'
        ? html`<span class="tag">Vous</span>`
        : event.kind === 'late_answer'
          ? html`<span class="tag">Réponse en retard</span>`
          : event.kind === 'handoff'
            ? html`<span class="tag">Passage à une personne</span>`
            : event.kind === 'unavailable'
              ? html`<span class="tag">Pas de réponse possible</span>`
              : html``;
  const text = event.text || (event.direction === 'in' ? `(${event.kind})` : '');
  return html`<li class="msg ${side} kind-${event.kind}">${label}<p>${text}</p><time>${formatWhen(event.at, now)}</time></li>`;
}
