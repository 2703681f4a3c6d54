import { escapeHtml } from './dashboard-html.js';

/** What the login page says above the form. */
export type LoginProblem = 'none' | 'wrong_token' | 'expired' | 'too_many';

const PROBLEMS: Readonly<Record<LoginProblem, string>> = {
  none: '',
  wrong_token: 'Accès refusé : jeton invalide.',
  expired: 'Votre session a expiré : entrez de nouveau le jeton.',
  too_many: 'Trop d’essais depuis cette connexion : réessayez dans un quart d’heure.',
};

/**
 * The owner's login page: one password field for `ADMIN_TOKEN`, posted to `/admin/login`, so
 * the token never sits in a URL (history, proxy logs, the `Referer` of a link).
 */
export function loginPage(options: { readonly next: string; readonly problem: LoginProblem }): string {
  const problem = PROBLEMS[options.problem];
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>Pages du propriétaire — connexion</title>
<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem;color:#222}label,input,button{display:block;width:100%;box-sizing:border-box;font-size:1rem}input{margin:.4rem 0 1rem;padding:.6rem;border:1px solid #bbb;border-radius:.4rem}button{padding:.7rem;border:0;border-radius:.4rem;background:#0f5b45;color:#fff}.problem{color:#b42318}</style>
</head>
<body>
<h1>Pages du propriétaire</h1>
${problem ? `<p class="problem" role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="/admin/login">
<label for="token">Jeton d’accès (ADMIN_TOKEN)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required minlength="16" autofocus>
<input type="hidden" name="next" value="${escapeHtml(options.next)}">
<button type="submit">Ouvrir</button>
</form>
</body>
</html>`;
}
