/**
 * Glob matching for names people write into configs (branches, tags, repositories, targets,
 * secret ids): `*` matches any run of characters, everything else matches itself. No regular
 * expression is ever built from the pattern: a regex from `*-*-*-*-*-*-*-*-x` backtracks
 * exponentially in V8. This is the two-pointer wildcard match, which remembers only the last
 * star; its work is at most pattern × value characters, and both are bounded by the schemas
 * (MAX_WILDCARDS, 512 characters).
 */
export const MAX_WILDCARDS = 8;

export function wildcards(pattern: string): number {
  let n = 0;
  for (const ch of pattern) if (ch === '*') n += 1;
  return n;
}

export function globMatches(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === value[v]) {
      p += 1;
      v += 1;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p;
      resume = v;
      p += 1;
    } else if (star >= 0) {
      // The last star swallows one more character; earlier stars never need revisiting.
      p = star + 1;
      resume += 1;
      v = resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p += 1;
  return p === pattern.length;
}

/** A zod refinement's predicate: a pattern with no more than MAX_WILDCARDS stars. */
export const boundedWildcards = (pattern: string): boolean => wildcards(pattern) <= MAX_WILDCARDS;
