import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EntryDeps } from '../../functions/entry.js';
import { registerFunctions } from '../../functions/register.js';
import { releaseIdForBuild } from '../../shared/domain/index.js';
import { silentLogger } from '../../shared/runtime/logger.js';
import { escapeHtml } from '../../shared/views/status-page.js';
import { build } from '../support/fixtures.js';
import { fakeSystem } from '../support/system.js';

let sys = fakeSystem();
registerFunctions((): EntryDeps => ({ runtime: sys.runtime, store: sys.store, builds: sys.builds, alertPolicies: sys.alertPolicies, clock: () => sys.clock.now, log: silentLogger }));

let server: Server;
let base = '';
beforeAll(async () => {
  server = getTestServer('statusPage');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  sys = fakeSystem();
});

async function get(query: string, init: RequestInit = {}) {
  const response = await fetch(`${base}${query}`, init);
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
}

const rid = releaseIdForBuild('checkout', 'b1');

describe('statusPage (read-only web page)', () => {
  it('lists every service with its releases, linking each release', async () => {
    await sys.apply();
    await sys.send(build('b1', 'SUCCESS'));
    const page = await get('');
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.text).toContain('<h2>checkout</h2>');
    expect(page.text).toContain(`<a href="?release=${rid}">${rid}</a>`);
    expect(page.text).toMatch(/<td>shifting<\/td>/);
    expect(page.text).toContain('10% (want 10%)');
    expect(page.text).toContain('http-equiv="refresh"');
  });

  it('shows each service\'s four keys for the last 30 days, and colours each release row by phase (the phase stays written)', async () => {
    await sys.apply({ steps: [100] });
    await sys.send(build('k1', 'SUCCESS'));
    await sys.send(build('k2', 'SUCCESS'));
    sys.health.reportErrors(100, 60);
    await sys.advance(10_000);
    const page = await get('');
    expect(page.text).toMatch(/<p class="keys" data-keys><strong>Last 30 days:<\/strong> 2 deploys, 0\.07\/day/);
    expect(page.text).toContain('change failure 50% (1/2)');
    expect(page.text).toMatch(/<tr class="phase-rolled_back"><td><a href="\?release=checkout-k2">checkout-k2<\/a><\/td><td>rolled_back<\/td>/);
    expect(page.text).toMatch(/<tr class="phase-complete"><td><a href="\?release=checkout-k1">/);
  });

  it('shows one release with its traffic, health and full history', async () => {
    await sys.apply();
    await sys.send(build('b1', 'SUCCESS'));
    const page = await get(`?release=${rid}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<h1>${rid}</h1>`);
    expect(page.text).toContain('candidate 10% observed, 10% desired');
    const history = await sys.store.history(rid, 100);
    expect(history.length).toBeGreaterThan(2);
    for (const entry of history) expect(page.text).toContain(`<td>${entry.reason}</td>`);

    await sys.advance(11_000); // one health interval: a measurement is taken and judged
    const measured = await sys.store.getRelease(rid);
    const m = measured?.health?.measurements;
    if (!m) throw new Error('expected a health measurement after one interval');
    const after = await get(`?release=${rid}`);
    expect(after.text).toContain(`${measured.health?.verdict}: ${m.errors} errors in ${m.requests} requests`);
    expect(after.text).toContain('max error rate 5.00%, min 20 requests');
    // The newest analysis, every metric with both arms, as `cutover analysis` prints it.
    expect(after.text).toContain('<h2>Analysis</h2>');
    expect(after.text).toMatch(/data-analysis="pass">pass \(score 100\), against baseline checkout-\S+;/);
    expect(after.text).toMatch(/<td>error-ratio\*<\/td><td>relative<\/td><td>pass<\/td><td>0\.00%<\/td><td>0\.00%<\/td>/);
  });

  it('shows a release in several regions with each region\'s release that started, linked, in the overview and on its page', async () => {
    await sys.apply({ rollout: { waves: [{ regions: ['europe-west1'] }, { regions: ['us-central1'] }] } });
    await sys.send(build('b1', 'SUCCESS'));
    const page = await get(`?release=${rid}`);
    expect(page.text).toContain('<h2>Regions</h2>');
    expect(page.text).toContain(`<a href="?release=${encodeURIComponent(`${rid}@europe-west1`)}">${rid}@europe-west1</a>`);
    expect(page.text).toContain('region:europe-west1');
    expect(page.text).not.toContain(`${rid}@us-central1`);
    const json = JSON.parse((await get(`?release=${rid}&format=json`)).text) as { regions: { id: string }[] };
    expect(json.regions.map((r) => r.id)).toEqual([`${rid}@europe-west1`]);
    const overview = await get('');
    expect(overview.text.indexOf(`${rid}@europe-west1`)).toBeGreaterThan(overview.text.indexOf(`?release=${rid}"`));
  });

  it('answers JSON on request, with the same documents the CLI reads', async () => {
    await sys.apply();
    await sys.send(build('b1', 'SUCCESS'));
    const overview = JSON.parse((await get('?format=json')).text) as { services: { service: string; releases: { id: string; phase: string }[] }[] };
    expect(overview.services).toEqual([{ service: 'checkout', releases: [expect.objectContaining({ id: rid, state: expect.objectContaining({ phase: 'shifting' }) })] }]);
    const byAccept = await get(`?release=${rid}`, { headers: { accept: 'application/json' } });
    expect(byAccept.type).toContain('application/json');
    expect(JSON.parse(byAccept.text)).toMatchObject({ release: { id: rid }, history: expect.any(Array) });
  });

  it('escapes what users and builds wrote (commits, reasons, ids)', async () => {
    await sys.apply();
    const hostile = '<script>alert(1)</script>';
    await sys.send({ kind: 'build', buildId: 'b1', status: 'SUCCESS', commit: hostile, image: 'img@sha256:1' });
    const page = await get(`?release=${rid}`);
    expect(page.text).not.toContain(hostile);
    expect(page.text).toContain(escapeHtml(hostile));
    const missing = await get(`?release=${encodeURIComponent(hostile)}`);
    expect(missing.status).toBe(404);
    expect(missing.text).not.toContain(hostile);
  });

  it.each([
    ['an empty store', '', 200, 'No services registered yet'],
    ['an unknown release', '?release=nope', 404, 'Release nope not found'],
    ['a bad format', '?format=xml', 400, 'bad query: format'],
  ])('answers %s clearly', async (_name, query, status, text) => {
    const page = await get(query);
    expect(page.status).toBe(status);
    expect(page.text).toContain(text);
  });

  it('only reads: a POST is refused and pointed at onCommand', async () => {
    const page = await get('', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(page.status).toBe(405);
    expect(page.text).toContain('onCommand');
  });

  it('without steering configured, a release page has no steering section and refreshes itself', async () => {
    await sys.apply();
    await sys.send(build('b1', 'SUCCESS'));
    const page = await get(`?release=${rid}`);
    expect(page.text).not.toContain('id="steer"');
    expect(page.text).toContain('http-equiv="refresh"');
  });

  it('answers 503 when Firestore is unavailable', async () => {
    sys.store.failNext(1);
    const page = await get('');
    expect(page.status).toBe(503);
    expect(page.text).toContain('Firestore is unavailable');
  });
});
