/**
 * Which config resources AlterConfigs and IncrementalAlterConfigs may change: topics only. The
 * broker's settings come from its config file at start, so BROKER resources are refused with a
 * message saying so; other resource types are not served.
 */
import { err, ok, type Result } from '@tributary/common';
import { adminError, type TopicAdminFailure } from './topic-admin-error.js';
import { ConfigResourceType } from './config-values.js';

export interface ConfigResourceRef {
  readonly resourceType: number;
  readonly resourceName: string;
}

/** ok for a topic resource; otherwise the error to report for it. */
export function checkAlterableResource(resource: ConfigResourceRef, nodeId: number): Result<void, TopicAdminFailure> {
  if (resource.resourceType === ConfigResourceType.TOPIC) return ok(undefined);
  if (resource.resourceType === ConfigResourceType.BROKER || resource.resourceType === ConfigResourceType.BROKER_LOGGER) {
    return err(
      adminError(
        'INVALID_REQUEST',
        `Broker ${resource.resourceName === '' ? 'default' : resource.resourceName} configs cannot be altered at runtime: broker ${nodeId} reads them from its config file at start; change the file and restart.`,
      ),
    );
  }
  return err(adminError('INVALID_REQUEST', `Resource type ${resource.resourceType} is not supported; only topic (2) configs can be altered.`));
}

/** Resources named more than once in one request: Kafka refuses every occurrence. */
export function duplicateResources(resources: readonly ConfigResourceRef[]): Set<string> {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const resource of resources) {
    const key = resourceKey(resource);
    if (seen.has(key)) duplicates.add(key);
    seen.add(key);
  }
  return duplicates;
}

export function resourceKey(resource: ConfigResourceRef): string {
  return `${resource.resourceType}:${resource.resourceName}`;
}
