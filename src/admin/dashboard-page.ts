/** The owner's dashboard page, rendered on the server (the chart is drawn by a small script). */
import { channelLabel } from '../handoff/texts.js';
import { formatFcfa, formatNumber, formatRate, type Totals } from '../records/summary.js';
import { ORDER_STATUSES, type OrderStatus } from '../store/types.js';
import type { RecentOrder } from '../store/records.js';
import { checkoutsSection } from './dashboard-checkouts.js';
import { conversationsSection, handoffSection } from './dashboard-conversations.js';
import type { DashboardStats, DashboardView, PaidFigures } from './dashboard-data.js';
import { paidKpi, paymentCell } from './dashboard-payments.js';
import { formatLongDay, formatSeconds, formatTime, formatWhen, html, REASON_LABELS, STATUS_LABELS, type SafeHtml } from './dashboard-html.js';

/** A one-line message at the top of the page after an action. */
export interface Notice {
  readonly kind: 'ok' | 'error';
  readonly text: string;
}

/** Versions of the static files, for cache busting. */
export interface AssetVersions {
  readonly css: string;
  readonly js: string;
  readonly chartCss: string;
  readonly chartJs: string;
}

/** The whole page. */
export function dashboardPage(view: DashboardView, assets: AssetVersions, notice?: Notice): string {
  const { stats, now } = view;
  const period = stats
    ? html`${stats.days} derniers jours (du ${formatLongDay(stats.from)} au ${formatLongDay(now)})`
    : html`30 derniers jours`;
  const waiting = view.handoffs.length;
  return html`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>${waiting > 0 ? `(${waiting}) ` : ''}Tableau de bord — ${view.shopName}</title>
<link rel="stylesheet" href="/admin/assets/uplot.min.css?v=${assets.chartCss}">
<link rel="stylesheet" href="/admin/assets/dashboard.css?v=${assets.css}">
</head>
<body data-handoffs="${waiting}">
<header class="top">
  <div>
    <h1>${view.shopName}</h1>
    <p class="sub">Tableau de bord · ${period} · mis à jour à ${formatTime(now)}</p>
  </div>
  <div class="top-actions">
    <a class="button" href="/admin">Actualiser</a>
    <form method="post" action="/admin/logout" data-action class="inline"><button type="submit">Se déconnecter</button></form>
  </div>
</header>
<main>
${notice ? html`<p class="notice notice-${notice.kind}" role="status">${notice.text}</p>` : ''}
<p class="notice notice-ok" id="new-handoff" hidden><a href="/admin">🙋 Un client demande une personne : actualiser</a></p>
${view.stats === null || view.orders === null || view.conversations === null
  ? html`<p class="notice notice-error">La base de données ne répond pas : certains chiffres manquent. Les conversations en attente d’une personne restent affichées.</p>`
  : ''}
${handoffSection(view.handoffs, now)}
${stats ? figures(stats, view.paid) : ''}
${ordersSection(view.orders, now)}
${view.checkouts === undefined ? '' : checkoutsSection(view.checkouts, now)}
${conversationsSection(view.conversations, view.handoffs, now)}
${definitions(stats?.recoveryWindowMinutes ?? 30)}
</main>
<script src="/admin/assets/uplot.min.js?v=${assets.chartJs}"></script>
<script src="/admin/assets/dashboard.js?v=${assets.js}"></script>
</body>
</html>`.value;
}

function kpi(name: string, label: string, value: string | SafeHtml, detail: SafeHtml | string, tone = ''): SafeHtml {
  return html`<div class="kpi ${tone}" data-kpi="${name}"><span class="label">${label}</span><strong class="value">${value}</strong><span class="detail">${detail}</span></div>`;
}

function figures(stats: DashboardStats, paid: PaidFigures | null): SafeHtml {
  const t = stats.totals;
  return html`<section class="kpis" aria-label="Chiffres de la période">
  ${kpi('conversations', 'Conversations', formatNumber(t.conversations), 'clients qui ont écrit, par jour')}
  ${kpi('messages', 'Messages reçus', formatNumber(t.messages), 'écrits par les clients')}
  ${kpi('fallbacks', 'Réponses de secours', formatNumber(t.fallbacks), `${formatNumber(t.timeouts)} délais · ${formatNumber(t.errors)} erreurs`, 'warn')}
  ${kpi('recoveries', 'Récupérations', formatNumber(t.recoveries), `vraie réponse dans les ${stats.recoveryWindowMinutes} min`, 'good')}
  ${kpi('recovery-rate', 'Taux de récupération', formatRate(t.recoveryRate), 'récupérations ÷ secours', 'good')}
  ${kpi('abandons', 'Abandons', formatNumber(t.abandons), t.pending > 0 ? `${formatNumber(t.pending)} encore en attente` : 'secours restés sans réponse', 'bad')}
  ${kpi('orders', 'Commandes', formatNumber(t.orders), 'hors commandes annulées')}
  ${kpi('revenue', 'Ventes', html`${formatNumber(t.revenueFcfa)}<small>\u00a0FCFA</small>`, 'articles, hors livraison')}
  ${paid ? paidKpi(paid) : ''}
</section>
<section class="card" id="graphique">
  <h2>Par jour</h2>
  <div id="chart" class="chart" data-src="/admin/api/stats" role="img" aria-label="Conversations, réponses de secours et récupérations par jour"></div>
  <details><summary>Voir les chiffres jour par jour</summary>${dailyTable(stats, paid)}</details>
</section>
<div class="grid2">
  ${reasonsSection(t)}
  <section class="card" id="latence">
    <h2>Temps de réponse du modèle</h2>
    <div class="latency">
      <div data-latency="p50"><span class="label">médiane</span><strong>${formatSeconds(stats.latency.p50)}</strong></div>
      <div data-latency="p90"><span class="label">9 sur 10 en moins de</span><strong>${formatSeconds(stats.latency.p90)}</strong></div>
      <div data-latency="p99"><span class="label">99 sur 100 en moins de</span><strong>${formatSeconds(stats.latency.p99)}</strong></div>
    </div>
    <p class="muted">Sur ${formatNumber(stats.latency.count)} réponses du modèle (p50 · p90 · p99).</p>
  </section>
</div>
${channelsSection(stats)}`;
}

function reasonsSection(t: Totals): SafeHtml {
  const reasons = Object.entries(t.fallbacksByReason) as [string, number][];
  const max = Math.max(1, ...reasons.map(([, n]) => n));
  return html`<section class="card" id="secours">
    <h2>Réponses de secours, par cause</h2>
    <ul class="bars">${reasons.map(
      ([reason, n]) =>
        html`<li data-reason="${reason}"><span class="label">${REASON_LABELS[reason] ?? reason}</span><span class="bar"><i style="width:${Math.round((n / max) * 100)}%"></i></span><strong>${formatNumber(n)}</strong></li>`,
    )}</ul>
    <p class="muted">Le délai dépassé compte les réponses trop lentes ; les autres causes sont des erreurs.</p>
  </section>`;
}

function dailyTable(stats: DashboardStats, paid: PaidFigures | null): SafeHtml {
  const s = stats.series;
  const rows = s.days
    .map((day, i) => ({ day, i }))
    .filter(({ i }) => (s.conversations[i] ?? 0) + (s.fallbacks[i] ?? 0) + (s.orders[i] ?? 0) > 0)
    .reverse();
  if (rows.length === 0) return html`<p class="muted">Rien sur la période.</p>`;
  return html`<div class="scroll"><table class="numbers"><thead><tr><th>Jour</th><th>Conversations</th><th>Secours</th><th>Récupérées</th><th>Abandons</th><th>Commandes</th><th>Ventes</th>${paid ? html`<th>Encaissé</th>` : ''}</tr></thead><tbody>${rows.map(
    ({ day, i }) =>
      html`<tr data-day="${day}"><td>${formatLongDay(Date.parse(`${day}T00:00:00Z`))}</td><td>${formatNumber(s.conversations[i] ?? 0)}</td><td>${formatNumber(s.fallbacks[i] ?? 0)}</td><td>${formatNumber(s.recoveries[i] ?? 0)}</td><td>${formatNumber(s.abandons[i] ?? 0)}</td><td>${formatNumber(s.orders[i] ?? 0)}</td><td>${formatFcfa(s.revenueFcfa[i] ?? 0)}</td>${paid ? html`<td>${formatFcfa(paid.byDay[day] ?? 0)}</td>` : ''}</tr>`,
  )}</tbody></table></div>`;
}

function channelsSection(stats: DashboardStats): SafeHtml {
  const body =
    stats.channels.length === 0
      ? html`<p class="muted">Aucune activité sur la période.</p>`
      : html`<table class="stack numbers"><thead><tr><th>Canal</th><th>Conversations</th><th>Messages</th><th>Secours</th><th>Récupérées</th><th>Taux</th><th>Abandons</th><th>Commandes</th><th>Ventes</th></tr></thead><tbody>${stats.channels.map(
          ({ channel, totals: c }) =>
            html`<tr data-channel="${channel}"><th scope="row">${channelLabel(channel)}</th><td data-label="Conversations">${formatNumber(c.conversations)}</td><td data-label="Messages">${formatNumber(c.messages)}</td><td data-label="Secours">${formatNumber(c.fallbacks)}</td><td data-label="Récupérées">${formatNumber(c.recoveries)}</td><td data-label="Taux">${formatRate(c.recoveryRate)}</td><td data-label="Abandons">${formatNumber(c.abandons)}</td><td data-label="Commandes">${formatNumber(c.orders)}</td><td data-label="Ventes">${formatFcfa(c.revenueFcfa)}</td></tr>`,
        )}</tbody></table>`;
  return html`<section class="card" id="canaux"><h2>Par canal</h2>${body}</section>`;
}

const NEXT: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['confirmed', 'delivered', 'cancelled'],
  confirmed: ['delivered', 'cancelled'],
  delivered: [],
  cancelled: [],
};
const ACTION_LABELS: Readonly<Record<string, string>> = { confirmed: 'Confirmer', delivered: 'Livrée', cancelled: 'Annuler' };

function ordersSection(orders: readonly RecentOrder[] | null, now: number): SafeHtml {
  const body =
    orders === null
      ? html`<p class="error">Commandes indisponibles : la base de données ne répond pas.</p>`
      : orders.length === 0
        ? html`<p class="muted">Aucune commande pour le moment.</p>`
        : html`<table class="stack"><thead><tr><th>N°</th><th>Date</th><th>Client</th><th>Articles</th><th>Total</th><th>Statut</th><th>Paiement</th><th></th></tr></thead><tbody>${orders.map((o) => orderRow(o, now))}</tbody></table>`;
  return html`<section class="card" id="commandes"><h2>Commandes récentes</h2>${body}</section>`;
}

function orderRow(order: RecentOrder, now: number): SafeHtml {
  const status = ORDER_STATUSES.includes(order.status) ? order.status : 'pending';
  const items = order.lines.map((l) => `${l.quantity} × ${l.productName}${l.size ? ` (${l.size})` : ''}`).join(', ');
  const actions = NEXT[status].map(
    (next) => html`<button type="submit" name="status" value="${next}" class="${next === 'cancelled' ? 'danger' : ''}">${ACTION_LABELS[next]}</button>`,
  );
  return html`<tr data-order="${order.number}">
  <th scope="row">n°${order.number}</th>
  <td data-label="Date">${formatWhen(Date.parse(order.createdAt), now)}</td>
  <td data-label="Client">${order.customerName}<br><span class="muted">${order.phone} · ${channelLabel(order.channel)} · ${order.zone.name}</span></td>
  <td data-label="Articles">${items}</td>
  <td data-label="Total" class="num">${formatFcfa(order.totalFcfa)}</td>
  <td data-label="Statut"><span class="status status-${status}">${STATUS_LABELS[status]}</span></td>
  ${paymentCell(order)}
  <td>${actions.length > 0 ? html`<form method="post" action="/admin/orders/${order.orderId}/status" data-action class="inline">${actions}</form>` : ''}</td>
</tr>`;
}

function definitions(windowMinutes: number): SafeHtml {
  return html`<section class="card definitions" id="definitions">
  <h2>Comment lire ces chiffres</h2>
  <dl>
    <dt>Conversation</dt><dd>Un client qui a écrit au moins un message dans la journée, sur un canal. Un client qui revient trois jours compte trois fois.</dd>
    <dt>Réponse de secours</dt><dd>« Désolé, je réfléchis trop… », envoyé quand la vraie réponse tarde (délai dépassé) ou bute sur une erreur.</dd>
    <dt>Récupération</dt><dd>Après une réponse de secours, le client a reçu une vraie réponse (du bot ou de vous) dans les ${windowMinutes} minutes.</dd>
    <dt>Abandon</dt><dd>Une réponse de secours restée sans vraie réponse pendant ${windowMinutes} minutes.</dd>
    <dt>Ventes</dt><dd>Le prix des articles commandés, sans les frais de livraison ; les commandes annulées ne comptent pas.</dd>
    <dt>Encaissé</dt><dd>Les paiements Wave ou CinetPay reçus ce jour-là (livraison comprise), confirmés auprès du fournisseur ; un montant qui ne correspond pas à la commande reste « à vérifier » et ne compte pas.</dd>
  </dl>
  <p class="muted">Les journées sont celles d’Abidjan (GMT).</p>
</section>`;
}
