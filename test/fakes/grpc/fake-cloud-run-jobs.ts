import { createRequire } from 'node:module';
import { grpc, protobuf } from 'google-gax';
import { FakeGrpcServer, GAX_PROTOS, grpcError, protosOf } from '../../../local/grpc/fake-grpc-server.js';

/**
 * A fake Cloud Run Admin API v2 for jobs (Jobs.RunJob, Executions.GetExecution, and the
 * long-running operation RunJob answers with) built from the protos in @google-cloud/run. Like
 * Cloud Run, RunJob on a job that does not exist is NOT_FOUND, every RunJob starts a new execution
 * (named by the server, never by the caller), the operation carries that execution as metadata
 * and is not done while it runs, and an execution runs for some polls before it completes,
 * succeeded or failed with its task counts and a Completed condition.
 */
const require = createRequire(import.meta.url);
const root = protobuf.Root.fromJSON(require('@google-cloud/run/build/protos/protos.json') as protobuf.INamespace);
const ExecutionType = root.lookupType('google.cloud.run.v2.Execution');

type Obj = Record<string, unknown>;
export interface JobBehaviour {
  /** GetExecution polls before the execution completes (0: complete at the first look). */
  pollsToFinish: number;
  /** Tasks that fail (of taskCount). */
  failedTasks: number;
  taskCount: number;
}

interface ExecutionState {
  name: string;
  job: string;
  pollsLeft: number;
  behaviour: JobBehaviour;
  env: Record<string, string>;
  createdAt: number;
}

const seconds = (ms: number) => ({ seconds: String(Math.floor(ms / 1000)), nanos: 0 });

export class FakeCloudRunJobs {
  readonly server: FakeGrpcServer;
  readonly jobs = new Map<string, JobBehaviour>();
  readonly executions = new Map<string, ExecutionState>();
  private counter = 0;

  constructor() {
    const protos = protosOf('@google-cloud/run');
    this.server = new FakeGrpcServer(
      ['google/cloud/run/v2/job.proto', 'google/cloud/run/v2/execution.proto', 'google/longrunning/operations.proto'],
      [protos, GAX_PROTOS],
      {
        'google.cloud.run.v2.Jobs': { RunJob: (r) => this.runJob(r) },
        'google.cloud.run.v2.Executions': { GetExecution: (r) => this.getExecution(r) },
        'google.longrunning.Operations': { GetOperation: (r) => this.getOperation(r) },
      },
    );
  }

  start(): Promise<number> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** A job that exists; each run behaves as described. */
  seed(name: string, behaviour: Partial<JobBehaviour> = {}): void {
    this.jobs.set(name, { pollsToFinish: 0, failedTasks: 0, taskCount: 1, ...behaviour });
  }

  /** Executions started for a job, oldest first. */
  executionsOf(job: string): ExecutionState[] {
    return [...this.executions.values()].filter((e) => e.job === job);
  }

  private runJob(request: Obj): Obj {
    const job = String(request.name);
    const behaviour = this.jobs.get(job);
    if (!behaviour) throw grpcError(grpc.status.NOT_FOUND, `Resource '${job}' was not found`);
    this.counter += 1;
    const name = `${job}/executions/${job.split('/').pop() ?? 'job'}-${this.counter.toString(36).padStart(5, '0')}`;
    const overrides = request.overrides as { containerOverrides?: { env?: { name?: string; value?: string }[] }[] } | undefined;
    const env = Object.fromEntries((overrides?.containerOverrides ?? []).flatMap((c) => c.env ?? []).map((e) => [e.name ?? '', e.value ?? '']));
    const execution: ExecutionState = { name, job, pollsLeft: behaviour.pollsToFinish, behaviour, env, createdAt: Date.now() };
    this.executions.set(name, execution);
    const metadata = { typeUrl: 'type.googleapis.com/google.cloud.run.v2.Execution', value: Buffer.from(ExecutionType.encode(ExecutionType.fromObject(this.view(execution, false))).finish()) };
    return { name: `${job}/operations/run-${this.counter}`, done: false, metadata };
  }

  private view(execution: ExecutionState, completed: boolean): Obj {
    const { taskCount, failedTasks } = execution.behaviour;
    const base = { name: execution.name, job: execution.job.split('/').pop(), taskCount, createTime: seconds(execution.createdAt), startTime: seconds(execution.createdAt) };
    if (!completed) return { ...base, runningCount: taskCount, reconciling: true, conditions: [{ type: 'Completed', state: 'CONDITION_RECONCILING', message: 'Running' }] };
    const ok = failedTasks === 0;
    return {
      ...base,
      succeededCount: taskCount - failedTasks,
      failedCount: failedTasks,
      completionTime: seconds(Date.now()),
      conditions: [{ type: 'Completed', state: ok ? 'CONDITION_SUCCEEDED' : 'CONDITION_FAILED', message: ok ? 'Execution completed successfully.' : `Task ${execution.name.split('/').pop() ?? ''}-task0 failed with exit code 1` }],
    };
  }

  private getExecution(request: Obj): Obj {
    const execution = this.executions.get(String(request.name));
    if (!execution) throw grpcError(grpc.status.NOT_FOUND, `Resource '${String(request.name)}' was not found`);
    if (execution.pollsLeft > 0) {
      execution.pollsLeft -= 1;
      return this.view(execution, false);
    }
    return this.view(execution, true);
  }

  private getOperation(request: Obj): Obj {
    return { name: String(request.name), done: false };
  }
}
