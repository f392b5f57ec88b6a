import type { Notify } from '../../domain/index.js';
import type { Notifier } from '../../ports/index.js';
import type { Logger } from '../../runtime/logger.js';

/** Notifications as structured log lines (label `cutoverNotification`), for setups with no events topic. */
export class LogNotifier implements Notifier {
  constructor(private readonly log: Logger) {}

  notify(notification: Notify): Promise<void> {
    this.log.info({ cutoverNotification: notification }, `${notification.type} ${notification.releaseId}: ${notification.message}`);
    return Promise.resolve();
  }
}
