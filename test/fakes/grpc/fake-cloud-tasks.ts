import { grpc } from 'google-gax';
import { FakeGrpcServer, GAX_PROTOS, grpcError, protosOf } from '../../../local/grpc/fake-grpc-server.js';

/** A fake Cloud Tasks v2 CreateTask from the protos in @google-cloud/tasks; task names are unique like the real queue's. */
export class FakeCloudTasks {
  readonly server: FakeGrpcServer;
  readonly tasks = new Map<string, Record<string, unknown>>();

  constructor() {
    this.server = new FakeGrpcServer(['google/cloud/tasks/v2/cloudtasks.proto'], [protosOf('@google-cloud/tasks'), GAX_PROTOS], {
      'google.cloud.tasks.v2.CloudTasks': {
        CreateTask: (request) => {
          const task = request.task as Record<string, unknown>;
          const name = String(task.name);
          if (this.tasks.has(name)) throw grpcError(grpc.status.ALREADY_EXISTS, `Requested entity already exists: ${name}`);
          this.tasks.set(name, task);
          return task;
        },
      },
    });
  }

  start(): Promise<number> {
    return this.server.start();
  }
}
