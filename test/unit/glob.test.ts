import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globMatches, wildcards } from '../../shared/domain/index.js';

/** The linear matcher agrees with the obvious (exponential) definition on small inputs. */
function reference(pattern: string, value: string): boolean {
  if (pattern === '') return value === '';
  if (pattern[0] === '*') return [...Array(value.length + 1).keys()].some((i) => reference(pattern.slice(1), value.slice(i)));
  return value.length > 0 && pattern[0] === value[0] && reference(pattern.slice(1), value.slice(1));
}

describe('globMatches', () => {
  it('agrees with the recursive definition of `*` on random patterns and values', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '-', '*'), maxLength: 8 });
    fc.assert(fc.property(text, fc.string({ unit: fc.constantFrom('a', 'b', '-'), maxLength: 10 }), (pattern, value) => globMatches(pattern, value) === reference(pattern, value)), { numRuns: 2_000, seed: 20261202 });
  });

  it('worked examples: literal text, stars anywhere, and regex characters taken literally', () => {
    expect(globMatches('release-*', 'release-')).toBe(true);
    expect(globMatches('*', '')).toBe(true);
    expect(globMatches('a*b*c', 'aXXbYYc')).toBe(true);
    expect(globMatches('a*b*c', 'aXXcYYb')).toBe(false);
    expect(globMatches('v1.*', 'v1x2')).toBe(false);
    expect(globMatches('.*', 'anything')).toBe(false);
    expect(wildcards('*-*-x')).toBe(2);
  });
});
