import { z } from 'zod';
import { judge, type JudgeInput } from './judge.js';
import type { Analysis } from './model.js';

/**
 * Evidence no workload can write. The request-log stream is fast but anyone with
 * logging.logEntries.create can add to it; Cloud Monitoring's per-revision request_count is written
 * by Google. Before a step advances on the stream's figures, the same window (as far as Monitoring
 * can already see it) is read from both; they must agree within a tolerance, and Monitoring's own
 * figures must not fail the candidate.
 */
const countsSchema = z.object({ requests: z.number().int().min(0), errors: z.number().int().min(0) });
export type Counts = z.infer<typeof countsSchema>;

const armsSchema = z.object({ candidate: countsSchema, baseline: countsSchema.nullable() });

export const confirmationSchema = z.discriminatedUnion('status', [
  /** Both sources over [windowStartAt, windowEndAt): what the authority counted and what the stream counted. */
  z.object({ status: z.literal('read'), source: z.enum(['monitoring', 'router']), windowStartAt: z.number(), windowEndAt: z.number(), authority: armsSchema, stream: armsSchema }),
  /** The authority cannot see enough of the step yet (its visibility delay). */
  z.object({ status: z.literal('pending'), source: z.enum(['monitoring', 'router']), visibleUntil: z.number() }),
  z.object({ status: z.literal('unavailable'), source: z.enum(['monitoring', 'router']), error: z.string().max(500) }),
]);
export type Confirmation = z.infer<typeof confirmationSchema>;

export interface Agreement {
  agrees: boolean;
  /** Per arm, where the two sources part, in words a person can check. */
  differences: string[];
}

/**
 * The stream agrees with the authority when, in each arm, it counted no more than `tolerance`
 * above the authority's requests (plus `slack` for the window's edges, which the two sources cut a
 * little differently) and its 5xx ratio is within ERROR_RATIO_TOLERANCE of the authority's.
 */
export function agreement(c: Extract<Confirmation, { status: 'read' }>, tolerance: number, slack = 5): Agreement {
  const differences: string[] = [];
  const arms: ['candidate' | 'baseline', Counts | null, Counts | null][] = [
    ['candidate', c.authority.candidate, c.stream.candidate],
    ['baseline', c.authority.baseline, c.stream.baseline],
  ];
  for (const [arm, authority, stream] of arms) {
    if (!authority || !stream) continue;
    // Only more entries than requests is suspect: forged entries add; a stream behind the authority
    // (still in transit, or sampled) has less evidence, not false evidence, and its ratio is checked below.
    if (stream.requests - authority.requests > tolerance * authority.requests + slack) {
      differences.push(`${arm}: the stream counted ${stream.requests} requests, ${c.source} ${authority.requests}`);
      continue;
    }
    const ratio = (x: Counts) => (x.requests > 0 ? x.errors / x.requests : 0);
    if (Math.abs(ratio(stream) - ratio(authority)) > ERROR_RATIO_TOLERANCE) {
      differences.push(`${arm}: the stream saw ${(ratio(stream) * 100).toFixed(2)}% errors, ${c.source} ${(ratio(authority) * 100).toFixed(2)}%`);
    }
  }
  return { agrees: differences.length === 0, differences };
}

/** How far apart the two sources' 5xx ratios may be: sampling and the window's edges, not forgery. */
export const ERROR_RATIO_TOLERANCE = 0.02;

export const CONFIRMATION_VERDICTS = ['confirmed', 'pending', 'disagrees', 'fail', 'unavailable'] as const;
export type ConfirmationVerdict = (typeof CONFIRMATION_VERDICTS)[number];

export interface ConfirmationResult {
  verdict: ConfirmationVerdict;
  detail: string;
  /** The judge's analysis of the authority's own figures (errors only), when they were read. */
  analysis: Analysis | null;
}

/**
 * May a step advance on the stream's word? `confirmed` when the authority's figures agree with
 * the stream's and pass the judge on their own; `fail` when the authority's figures alone fail
 * the candidate (a fact: roll back); `disagrees` when the sources part; `pending` while the
 * authority cannot see enough of the step; `unavailable` when it could not be asked.
 */
export function confirmStep(c: Confirmation | null | undefined, context: Omit<JudgeInput, 'candidate' | 'baseline'>, tolerance: number): ConfirmationResult {
  if (!c) return { verdict: 'unavailable', detail: 'no confirmation was read', analysis: null };
  if (c.status === 'pending') return { verdict: 'pending', detail: `${c.source} cannot see this step yet (visible until ${new Date(c.visibleUntil).toISOString()})`, analysis: null };
  if (c.status === 'unavailable') return { verdict: 'unavailable', detail: `${c.source}: ${c.error}`, analysis: null };
  const arm = (x: Counts) => ({ requests: x.requests, errors: x.errors, latency: null });
  const analysis = judge({ ...context, slo: { ...context.slo, maxP99LatencyMs: undefined }, candidate: arm(c.authority.candidate), baseline: c.authority.baseline ? arm(c.authority.baseline) : null });
  const span = `${c.source}, ${Math.round((c.windowEndAt - c.windowStartAt) / 1000)}s of the step`;
  if (analysis.verdict === 'fail') return { verdict: 'fail', detail: `${span}: the candidate fails on its figures`, analysis };
  const { agrees, differences } = agreement(c, tolerance);
  if (!agrees) return { verdict: 'disagrees', detail: `${span}: ${differences.join('; ')}`, analysis };
  if (analysis.verdict === 'inconclusive') return { verdict: 'pending', detail: `${span}: too few requests yet`, analysis };
  return { verdict: 'confirmed', detail: `${span}: ${c.authority.candidate.errors}/${c.authority.candidate.requests} errors, agrees with the stream`, analysis };
}
