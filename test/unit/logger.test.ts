import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/runtime/logger.js';

function capture(): { lines: Record<string, unknown>[]; write: (line: string) => void } {
  const lines: Record<string, unknown>[] = [];
  return { lines, write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes Cloud Logging JSON (severity, message) with the GCP config', () => {
    const out = capture();
    const log = createLogger({ level: 'info', name: 'test', destination: out });
    log.warn({ releaseId: 'checkout-b1' }, 'rolling back');
    log.debug('below the level');
    const ours = out.lines.filter((l) => l.message === 'rolling back');
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ severity: 'WARNING', releaseId: 'checkout-b1', name: 'test' });
    expect(out.lines.some((l) => l.message === 'below the level')).toBe(false);
  });

  it('writes plain pino JSON on a laptop', () => {
    const out = capture();
    createLogger({ level: 'info', gcp: false, destination: out }).info('hello');
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatchObject({ msg: 'hello', level: 30 });
    expect(out.lines[0]).not.toHaveProperty('severity');
  });
});
