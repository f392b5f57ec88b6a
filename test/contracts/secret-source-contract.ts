import { describe, expect, it } from 'vitest';
import { SecretUnreadableError, UpstreamUnavailableError, type SecretSource } from '../../shared/ports/index.js';

export interface SecretWorld {
  source: SecretSource;
  put(secretId: string, value: string, options?: { disabled?: boolean; readable?: boolean }): void;
  /** The next read cannot reach the secret store. */
  breakNext(): void;
}

/** The one contract every SecretSource passes: the memory fake and Secret Manager's client alike. */
export function secretSourceContract(name: string, make: () => Promise<SecretWorld> | SecretWorld): void {
  const problemOf = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => null, (e: unknown) => e);
    return error instanceof SecretUnreadableError ? error.problem : error instanceof UpstreamUnavailableError ? 'unavailable' : error;
  };

  describe(`SecretSource contract: ${name}`, () => {
    it('reads the latest version of a secret', async () => {
      const world = await make();
      world.put('chat-hook', 'https://chat.googleapis.com/v1/spaces/A/messages?key=1');
      expect(await world.source.read('chat-hook')).toBe('https://chat.googleapis.com/v1/spaces/A/messages?key=1');
    });

    it('refuses for good what cannot be read as configured: absent, not allowed, disabled, not an id', async () => {
      const world = await make();
      world.put('locked', 'x', { readable: false });
      world.put('off', 'x', { disabled: true });
      expect(await problemOf(world.source.read('absent'))).toBe('NotFound');
      expect(await problemOf(world.source.read('locked'))).toBe('PermissionDenied');
      expect(await problemOf(world.source.read('off'))).toBe('Disabled');
      expect(await problemOf(world.source.read('../other-project/secrets/x'))).toBe('Invalid');
      expect(await problemOf(world.source.read(''))).toBe('Invalid');
    });

    it('says "unavailable" (retry later) when the secret store cannot answer, then reads again', async () => {
      const world = await make();
      world.put('slack-hook', 'https://hooks.slack.com/services/T/B/C');
      world.breakNext();
      expect(await problemOf(world.source.read('slack-hook'))).toBe('unavailable');
      expect(await world.source.read('slack-hook')).toBe('https://hooks.slack.com/services/T/B/C');
    });
  });
}
