import { describe, expect, it } from 'vitest';
import { DEFAULT_CHAT_EVENTS, chatDeliveryKey, chatMessage, checkWebhookUrl, classifyWebhookStatus, parseServiceConfig, routesFor, type ReleaseEventPayload } from '../../shared/domain/index.js';
import { serviceConfigInput } from '../support/fixtures.js';

const ORIGINS = ['https://chat.googleapis.com', 'https://hooks.slack.com'];
const event: ReleaseEventPayload = {
  schemaVersion: 1, type: 'release.rolled_back', service: 'checkout', releaseId: 'checkout-b1', phase: 'rolled_back', reason: 'RolledBack',
  cause: 'Aborted', message: 'aborted by ops@example.com — <!channel> see <https://evil.example|this> & more', trafficPercent: 0, at: '2026-11-27T12:00:00.000Z',
};

describe('chat notifications (pure)', () => {
  it('routes the default events when a channel names none, and only the named ones otherwise', () => {
    const routes = [{ format: 'slack' as const, secret: 'a' }, { format: 'google-chat' as const, secret: 'b', events: ['release.started' as const] }];
    expect(routesFor(routes, 'release.rolled_back').map((r) => r.secret)).toEqual(['a']);
    expect(routesFor(routes, 'release.started').map((r) => r.secret)).toEqual(['b']);
    expect(routesFor(routes, 'release.step_reached')).toEqual([]);
    expect(DEFAULT_CHAT_EVENTS).toEqual(expect.arrayContaining(['release.completed', 'release.rolled_back', 'release.awaiting_approval']));
  });

  it('the service config takes routes by secret id, never a URL, and at most ten', () => {
    expect(parseServiceConfig(serviceConfigInput({ notifications: [{ format: 'slack', secret: 'team-hook' }] })).notifications).toEqual([{ format: 'slack', secret: 'team-hook' }]);
    expect(() => parseServiceConfig(serviceConfigInput({ notifications: [{ format: 'slack', secret: 'https://hooks.slack.com/services/T/B/C' }] }))).toThrow(/secret id/);
    expect(() => parseServiceConfig(serviceConfigInput({ notifications: [{ format: 'teams' as never, secret: 'x' }] }))).toThrow();
    expect(() => parseServiceConfig(serviceConfigInput({ notifications: [{ format: 'slack', secret: 'x', events: ['release.exploded' as never] }] }))).toThrow();
    expect(() => parseServiceConfig(serviceConfigInput({ notifications: Array.from({ length: 11 }, () => ({ format: 'slack' as const, secret: 'x' })) }))).toThrow();
  });

  it('accepts only https webhooks of Google Chat and Slack by default', () => {
    expect(checkWebhookUrl('https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=t', 'google-chat', ORIGINS).ok).toBe(true);
    expect(checkWebhookUrl('  https://hooks.slack.com/services/T0/B0/xyz\n', 'slack', ORIGINS).ok).toBe(true);
    const refused = (url: string, format: 'google-chat' | 'slack' = 'google-chat') => {
      const r = checkWebhookUrl(url, format, ORIGINS);
      return r.ok ? 'accepted' : r.why;
    };
    expect(refused('http://chat.googleapis.com/v1/spaces/A/messages')).toMatch(/not an allowed webhook origin/);
    expect(refused('https://chat.googleapis.com.evil.example/v1/spaces/A/messages')).toMatch(/not an allowed webhook origin/);
    expect(refused('http://169.254.169.254/computeMetadata/v1/')).toMatch(/not an allowed webhook origin/);
    expect(refused('https://u:p@chat.googleapis.com/v1/spaces/A/messages')).toMatch(/no user or password/);
    expect(refused('https://chat.googleapis.com/v1/projects/x')).toBe('not a google-chat incoming webhook path');
    expect(refused('https://hooks.slack.com/services/T/B/C', 'google-chat')).toBe('not a google-chat incoming webhook path');
    expect(refused('https://hooks.slack.com/api/T/B/SECRET', 'slack')).toBe('not a slack incoming webhook path');
    expect(refused('not a url')).toBe('the secret does not hold a URL');
    expect(refused('https://u@chat.googleapis.com/v1/spaces/A/messages')).toMatch(/no user or password/);
    expect(refused('https://chat.googleapis.com/x/v1/spaces/A/messages')).toBe('not a google-chat incoming webhook path');
    expect(refused('https://chat.googleapis.com/v1/spaces/A/messages/B')).toBe('not a google-chat incoming webhook path');
    expect(refused('https://hooks.slack.com/api/services/T/B/C', 'slack')).toBe('not a slack incoming webhook path');
    expect(refused('https://evil.example/v1/spaces/A/messages')).toBe('https://evil.example is not an allowed webhook origin (https://chat.googleapis.com, https://hooks.slack.com)');
  });

  it('writes one message both formats read, with a person\'s text unable to mention or link', () => {
    const { text } = chatMessage(event, 'https://page.example/statusPage');
    expect(text.split('\n')[0]).toBe('↩️ *checkout* rolled back: `checkout-b1`');
    expect(text).toContain('phase rolled_back · RolledBack, cause Aborted · candidate at 0%');
    expect(text).toContain('&lt;!channel&gt; see &lt;https://evil.example|this&gt; &amp; more');
    expect(text).not.toContain('<!channel>');
    expect(text.endsWith('<https://page.example/statusPage?release=checkout-b1|Open the release>')).toBe(true);
    const resumed = chatMessage({ ...event, type: 'release.step_reached', cause: null, message: 'x'.repeat(5_000) }, null).text;
    expect(resumed).toMatch(/^ℹ️ \*checkout\* step reached: `checkout-b1`\nphase rolled_back · RolledBack · /);
    // A long message is cut, and with no page there is no link.
    expect(resumed.endsWith(`\n${'x'.repeat(1_000)}`)).toBe(true);
    // A cause that is the reason itself is not said twice.
    expect(chatMessage({ ...event, type: 'release.rolling_back', reason: 'Aborted' }, null).text).toContain('· Aborted · candidate');
  });

  it('retries 408, 429 and 5xx; takes other 4xx as final', () => {
    expect([200, 204, 299, 408, 429, 500, 503, 199, 300, 400, 403, 404, 410].map(classifyWebhookStatus)).toEqual(
      ['delivered', 'delivered', 'delivered', 'transient', 'transient', 'transient', 'transient', 'permanent', 'permanent', 'permanent', 'permanent', 'permanent', 'permanent'],
    );
  });

  it('keys a delivery by message, format and secret, so each channel is told each message once', () => {
    const a = { format: 'slack' as const, secret: 'one' };
    const keys = [chatDeliveryKey('m1', a), chatDeliveryKey('m2', a), chatDeliveryKey('m1', { ...a, secret: 'two' }), chatDeliveryKey('m1', { ...a, format: 'google-chat' })];
    expect(new Set(keys).size).toBe(4);
    expect(chatDeliveryKey('m1', a)).toBe(chatDeliveryKey('m1', { ...a, events: ['release.completed'] }));
  });
});
