import { ROLE_FOR, type CommandName, type Release } from '../domain/index.js';

/**
 * Steering from the status page. The page stays server-rendered; a small inline script signs the
 * person in (the local issuer under `npm start`, Google Identity Services on Google Cloud), asks
 * onCommand what they may do on this service (`whoami`), shows only those buttons, and sends the
 * chosen command — with a reason and a confirmation step — to onCommand with their own ID token.
 * No token, no role: no buttons; and onCommand checks everything again whatever the page shows.
 */
export interface PageSteering {
  commandUrl: string;
  /** Local: the issuer of `npm start` and its per-run secret (this page is served to loopback requests only). */
  signIn: { kind: 'local'; issuerUrl: string; secret?: string } | { kind: 'google'; clientId: string };
}

/** `commands`: what the release can take now (availableCommands); the person's roles filter them further. */
export function steeringSection(release: Release, commands: readonly CommandName[], steering: PageSteering, escape: (s: string) => string): string {
  const config = { commandUrl: steering.commandUrl, signIn: steering.signIn, release: release.id, service: release.service, commands, roleFor: ROLE_FOR };
  return `<section id="steer" aria-labelledby="steer-h" data-config="${escape(JSON.stringify(config))}">
<h2 id="steer-h">Steer</h2>
<p data-who class="muted">Sign in to steer this release.</p>
<form data-signin hidden><label>Email <input name="email" type="email" autocomplete="email" required></label> <button type="submit">Sign in</button></form>
<div data-google hidden></div>
<div data-buttons role="group" aria-label="Commands you may use"></div>
<form data-confirm hidden><p data-what></p><label>Reason <input name="reason" maxlength="500" placeholder="recorded in the history"></label> <button type="submit" data-go>Confirm</button> <button type="button" data-cancel>Cancel</button></form>
<p data-status role="status" aria-live="polite"></p>
</section>
<script>${CLIENT}</script>`;
}

/** The page's script: plain DOM, no framework. Tokens live in sessionStorage (this tab only). */
const CLIENT = `(() => {
  const el = document.getElementById('steer');
  const cfg = JSON.parse(el.dataset.config);
  const KEY = 'cutover-id-token';
  const $ = (s) => el.querySelector(s);
  const say = (t) => { $('[data-status]').textContent = t; };
  const token = () => sessionStorage.getItem(KEY);
  const call = async (body) => {
    const r = await fetch(cfg.commandUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token(), 'idempotency-key': crypto.randomUUID().replace(/-/g, '') }, body: JSON.stringify(body) });
    return { status: r.status, json: await r.json().catch(() => ({})) };
  };
  const confirm = $('[data-confirm]');
  const close = () => { confirm.hidden = true; delete confirm.dataset.open; };
  const open = (command) => {
    confirm.dataset.command = command; confirm.dataset.open = '1'; confirm.hidden = false;
    $('[data-what]').textContent = command + ' ' + cfg.release + '?';
    $('[data-go]').textContent = 'Confirm ' + command;
    confirm.reason.focus();
  };
  const signIn = (why) => {
    $('[data-buttons]').replaceChildren();
    $('[data-who]').textContent = why ? 'Sign in again: ' + why : 'Sign in to steer this release.';
    if (cfg.signIn.kind === 'local') { $('[data-signin]').hidden = false; return; }
    const box = $('[data-google]'); box.hidden = false;
    const s = document.createElement('script'); s.src = 'https://accounts.google.com/gsi/client'; s.async = true;
    s.onload = () => { google.accounts.id.initialize({ client_id: cfg.signIn.clientId, callback: (r) => { sessionStorage.setItem(KEY, r.credential); box.hidden = true; show(); } }); google.accounts.id.renderButton(box, { type: 'standard' }); };
    document.head.append(s);
  };
  const show = async () => {
    if (!token()) return signIn();
    const who = await call({ command: 'whoami', service: cfg.service });
    if (who.status !== 200) { sessionStorage.removeItem(KEY); return signIn(who.json.error || 'HTTP ' + who.status); }
    $('[data-signin]').hidden = true;
    const roles = who.json.roles;
    $('[data-who]').textContent = 'Signed in as ' + who.json.actor + (roles.length ? ' (' + roles.join(', ') + ')' : ' — no role on ' + cfg.service + ': read-only');
    const buttons = cfg.commands.filter((c) => roles.includes(cfg.roleFor[c])).map((c) => {
      const b = document.createElement('button'); b.type = 'button'; b.textContent = c; b.dataset.command = c; b.onclick = () => open(c); return b;
    });
    $('[data-buttons]').replaceChildren(...buttons);
  };
  $('[data-signin]').onsubmit = async (e) => {
    e.preventDefault();
    const r = await fetch(cfg.signIn.issuerUrl + '/token', { method: 'POST', headers: { 'content-type': 'application/json', 'x-cutover-local': cfg.signIn.secret || '' }, body: JSON.stringify({ email: e.target.email.value, audience: cfg.commandUrl }) });
    if (!r.ok) return say('sign-in refused: ' + r.status);
    sessionStorage.setItem(KEY, (await r.json()).id_token);
    show();
  };
  $('[data-cancel]').onclick = close;
  confirm.onsubmit = async (e) => {
    e.preventDefault();
    const command = confirm.dataset.command;
    const reason = confirm.reason.value.trim();
    say(command + '…');
    const r = await call({ command, release: cfg.release, ...(reason ? { reason } : {}) });
    close();
    if (r.status === 200) { say(command + ' applied by ' + r.json.actor + ': now ' + r.json.release.state.phase); setTimeout(() => location.reload(), 800); }
    else say(command + ' refused (' + r.status + '): ' + (r.json.error || ''));
  };
  // Refresh like the read-only page, but never while a confirmation is open or someone is typing.
  setInterval(() => { if (!confirm.dataset.open && !(document.activeElement instanceof HTMLInputElement)) location.reload(); }, 5000);
  show();
})();`;
