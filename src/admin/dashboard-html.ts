/** Small helpers of the dashboard's HTML: escaping, French dates and labels. */

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A tagged template whose `${}` values are escaped, except those made by `html` itself. */
export function html(strings: TemplateStringsArray, ...values: readonly unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** HTML already escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Joins pieces of HTML. */
export function join(parts: readonly SafeHtml[], separator = ''): SafeHtml {
  return new SafeHtml(parts.map((part) => part.value).join(separator));
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

const time = new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
const dayMonth = new Intl.DateTimeFormat('fr-FR', { day: '2-digit', month: '2-digit', timeZone: 'UTC' });
const longDay = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', timeZone: 'UTC' });

/** `18:32` (Abidjan time = UTC). */
export function formatTime(at: number): string {
  return time.format(at);
}

/** `25/11 18:32`, or `18:32` for today. */
export function formatWhen(at: number, now: number): string {
  const sameDay = new Date(at).toISOString().slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return sameDay ? formatTime(at) : `${dayMonth.format(at)} ${formatTime(at)}`;
}

/** `25 novembre`. */
export function formatLongDay(at: number): string {
  return longDay.format(at);
}

/** `il y a 5 min`, `il y a 2 h`, `il y a 3 j`. */
export function formatAgo(at: number, now: number): string {
  const minutes = Math.max(0, Math.round((now - at) / 60_000));
  if (minutes < 1) return 'à l’instant';
  if (minutes < 60) return `il y a ${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `il y a ${hours} h` : `il y a ${Math.round(hours / 24)} j`;
}

/** `2,4 s` for milliseconds. */
export function formatSeconds(ms: number | null): string {
  if (ms === null) return '—';
  return `${(ms / 1000).toLocaleString('fr-FR', { maximumFractionDigits: 1, minimumFractionDigits: 1 })}\u00a0s`;
}

/** French names of the fallback reasons. */
export const REASON_LABELS: Readonly<Record<string, string>> = {
  timeout: 'Délai dépassé',
  rate_limit: 'Limite de requêtes',
  provider_error: 'Panne du fournisseur',
  internal: 'Erreur interne',
};

/** French names of the order statuses. */
export const STATUS_LABELS: Readonly<Record<string, string>> = {
  pending: 'En attente',
  confirmed: 'Confirmée',
  delivered: 'Livrée',
  cancelled: 'Annulée',
};
