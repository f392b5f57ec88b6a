import type { Logging } from '@google-cloud/logging';
import { candidateLogFilter, revisionsInFilter } from '../../domain/index.js';
import { UpstreamUnavailableError } from '../../ports/index.js';

/**
 * Keeps the request-log sink's filter on the candidates Cutover is watching (official
 * @google-cloud/logging client: GetSink, UpdateSink). `ensure` adds a candidate the moment it is
 * first measured; `sync` sets the exact set (the minute tick prunes what ended). Only candidate
 * traffic is exported, so only candidate traffic is paid for.
 */
export class LoggingSinkFilter {
  private known: Set<string> | null = null;

  constructor(
    private readonly logging: Logging,
    private readonly sinkName: string,
    private readonly project: string,
    private readonly sampleRate = 1,
  ) {}

  private async current(): Promise<Set<string>> {
    const [metadata] = await this.logging.sink(this.sinkName).getMetadata();
    this.known = new Set(revisionsInFilter(String(metadata.filter ?? '')));
    return this.known;
  }

  async ensure(revision: string): Promise<void> {
    if (this.known?.has(revision)) return;
    const now = await this.call(() => this.current());
    if (now.has(revision)) return;
    await this.write([...now, revision]);
  }

  async sync(revisions: readonly string[]): Promise<boolean> {
    const now = await this.call(() => this.current());
    const wanted = new Set(revisions);
    if (wanted.size === now.size && [...wanted].every((r) => now.has(r))) return false;
    await this.write([...wanted]);
    return true;
  }

  private async write(revisions: string[]): Promise<void> {
    await this.call(() => this.logging.sink(this.sinkName).setFilter(candidateLogFilter(this.project, revisions, this.sampleRate)));
    this.known = new Set(revisions);
  }

  private async call<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw new UpstreamUnavailableError(`Logging API (sink ${this.sinkName}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}
