import { UpstreamUnavailableError, type GroupDirectory } from '../shared/ports/index.js';

/** Group → members (lower-case emails); nested groups by naming a group's email as a member. */
export type Directory = Record<string, string[]>;

export function transitive(directory: Directory, group: string, email: string, seen = new Set<string>()): boolean {
  if (seen.has(group)) return false;
  seen.add(group);
  const members = directory[group] ?? [];
  return members.includes(email) || members.some((m) => directory[m] !== undefined && transitive(directory, m, email, seen));
}

/** An in-memory GroupDirectory for the local stack and the tests (passes the same contract as CloudIdentityGroups). */
export class StaticGroups implements GroupDirectory {
  unavailable = 0;
  constructor(readonly directory: Directory = {}) {}

  memberOf(email: string, groups: readonly string[]): Promise<Set<string>> {
    if (this.unavailable > 0) {
      this.unavailable -= 1;
      return Promise.reject(new UpstreamUnavailableError('Cloud Identity Groups API: UNAVAILABLE'));
    }
    return Promise.resolve(new Set(groups.map((g) => g.toLowerCase()).filter((g) => transitive(this.directory, g, email.toLowerCase()))));
  }
}

