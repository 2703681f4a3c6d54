/**
 * The dashboard's purchases: the checkouts under way, and those left in the middle (the
 * "vente perdue" of the scenario), with what the cart was worth and how to call back.
 */
import { channelLabel } from '../handoff/texts.js';
import { formatFcfa } from '../records/summary.js';
import type { CatalogueSnapshot } from '../shop/catalogue.js';
import { displayPhone, describeItem, type CheckoutState, type CheckoutStep } from '../shop/checkout/state.js';
import { inProgress } from '../shop/checkout/checkout.js';
import { formatAgo, html, type SafeHtml } from './dashboard-html.js';

/** Where the dashboard reads the checkouts from. */
export interface DashboardCheckouts {
  list(): Promise<readonly CheckoutState[]>;
  /** For the value of the carts (the prices of today). */
  readonly catalogue: { snapshot(): CatalogueSnapshot | undefined };
  /** A purchase untouched this long is abandoned (`CHECKOUT_ABANDONED_MINUTES`). */
  readonly abandonedAfterMs: number;
  /** Abandoned purchases older than this are not listed (default 7 days). */
  readonly listedForMs?: number;
}

/** One purchase as the dashboard shows it. */
export interface CheckoutRow {
  readonly channel: string;
  readonly customer: string;
  readonly phone: string | null;
  readonly zone: string | null;
  readonly items: string;
  /** What the cart is worth at today's prices, delivery excluded; `null` when unknown. */
  readonly valueFcfa: number | null;
  readonly step: CheckoutStep;
  readonly stepLabel: string;
  readonly lastAt: number;
}

/** The purchases under way and the abandoned ones, newest first, with the value left on the table. */
export interface CheckoutsView {
  readonly inProgress: readonly CheckoutRow[];
  readonly abandoned: readonly CheckoutRow[];
  readonly abandonedValueFcfa: number;
  readonly abandonedAfterMinutes: number;
}

const STEP_LABELS: Readonly<Record<string, string>> = {
  product: 'choisit un article',
  size: 'choisit la taille',
  name: 'donne son nom',
  phone: 'donne son téléphone',
  zone: 'donne sa commune',
  review: 'tout est donné, récapitulatif à montrer',
  summary: 'récapitulatif affiché, pas encore confirmé',
  edit: 'modifie sa commande',
};

/** Reads the checkouts and sorts them into under way and abandoned. */
export async function loadCheckouts(source: DashboardCheckouts, now: number): Promise<CheckoutsView> {
  const snapshot = source.catalogue.snapshot();
  const listedForMs = source.listedForMs ?? 7 * 24 * 60 * 60_000;
  const rows = (await source.list())
    .filter((state) => inProgress(state) && now - state.updatedAt <= listedForMs)
    .sort((a, b) => b.updatedAt - a.updatedAt)
    .map((state): CheckoutRow => {
      const priced = state.items.map((item) => {
        const price = snapshot?.products.find((product) => product.slug === item.slug)?.priceFcfa;
        return price === undefined ? null : price * item.quantity;
      });
      const pending = state.pending && snapshot?.products.find((product) => product.slug === state.pending?.slug);
      const items = [...state.items.map(describeItem), ...(pending ? [`${pending.name} (taille à choisir)`] : [])].join(', ');
      return {
        channel: state.channel,
        customer: state.name ?? state.displayName ?? '—',
        phone: state.phone ? displayPhone(state.phone) : null,
        zone: state.zone ?? null,
        items: items || '—',
        valueFcfa: priced.length === 0 || priced.includes(null) ? null : priced.reduce<number>((sum, value) => sum + (value ?? 0), 0),
        step: state.step,
        stepLabel: STEP_LABELS[state.step] ?? state.step,
        lastAt: state.updatedAt,
      };
    });
  const abandoned = rows.filter((row) => now - row.lastAt > source.abandonedAfterMs);
  return {
    inProgress: rows.filter((row) => !abandoned.includes(row)),
    abandoned,
    abandonedValueFcfa: abandoned.reduce((sum, row) => sum + (row.valueFcfa ?? 0), 0),
    abandonedAfterMinutes: Math.round(source.abandonedAfterMs / 60_000),
  };
}

/** The section of the page; `null` when the checkouts could not be read. */
export function checkoutsSection(view: CheckoutsView | null, now: number): SafeHtml {
  if (view === null) return html`<section class="card" id="achats"><h2>Achats en cours</h2><p class="error">Achats indisponibles pour le moment.</p></section>`;
  const table = (rows: readonly CheckoutRow[], kind: string) =>
    html`<table class="stack"><thead><tr><th>Client</th><th>Panier</th><th>Valeur</th><th>Où il en est</th><th>Dernière activité</th></tr></thead><tbody>${rows.map(
      (row) => html`<tr data-checkout="${kind}">
  <th scope="row">${row.customer}<br><span class="muted">${[row.phone, channelLabel(row.channel), row.zone].filter(Boolean).join(' · ')}</span></th>
  <td data-label="Panier">${row.items}</td>
  <td data-label="Valeur" class="num">${row.valueFcfa === null ? '—' : formatFcfa(row.valueFcfa)}</td>
  <td data-label="Où il en est">${row.stepLabel}</td>
  <td data-label="Dernière activité">${formatAgo(row.lastAt, now)}</td>
</tr>`,
    )}</tbody></table>`;
  return html`<section class="card" id="achats">
  <h2>Achats en cours</h2>
  ${view.inProgress.length === 0 ? html`<p class="muted">Aucun achat en cours.</p>` : table(view.inProgress, 'in-progress')}
  <h2>Achats abandonnés <span class="muted">(sans nouvelles depuis ${view.abandonedAfterMinutes} min)</span></h2>
  ${view.abandoned.length === 0
    ? html`<p class="muted">Aucun achat abandonné cette semaine.</p>`
    : html`<p data-lost="${view.abandonedValueFcfa}">Vente perdue : <strong>${formatFcfa(view.abandonedValueFcfa)}</strong> — rappelez ces clients, leur panier les attend.</p>${table(view.abandoned, 'abandoned')}`}
</section>`;
}
