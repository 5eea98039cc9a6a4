/**
 * Topic names as Kafka checks them (org.apache.kafka.common.internals.Topic): non-empty, at most
 * 249 characters of [a-zA-Z0-9._-], not '.' or '..'. Metric names replace '.' with '_', so two
 * topics differing only there would collide; Kafka refuses to create the second, and so do we.
 * Messages follow Kafka's wording, since tools show them to users.
 */
import { err, ok, type Result } from '@tributary/common';
import { adminError, type TopicAdminFailure } from './topic-admin-error.js';

export const TOPIC_NAME_LENGTH_MAX = 249;

const LEGAL_CHARACTERS = /^[a-zA-Z0-9._-]+$/;

/** Topics the broker itself owns (group offsets, transaction state): clients cannot create or delete them. */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state']);

export function isInternalTopic(name: string): boolean {
  return INTERNAL_TOPICS.has(name);
}

export function validateTopicName(name: string): Result<void, TopicAdminFailure> {
  const invalid = (message: string) => err(adminError('INVALID_TOPIC_EXCEPTION', message));
  if (name.length === 0) return invalid("Topic name is illegal, it can't be empty");
  if (name === '.' || name === '..') return invalid('Topic name cannot be "." or ".."');
  if (name.length > TOPIC_NAME_LENGTH_MAX) {
    return invalid(`Topic name is illegal, it can't be longer than ${TOPIC_NAME_LENGTH_MAX} characters, topic name: ${name}`);
  }
  if (!LEGAL_CHARACTERS.test(name)) {
    return invalid(`Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`);
  }
  return ok(undefined);
}

/** The name with '.' replaced by '_': two topics with the same key would share metric names. */
export function collisionKey(name: string): string {
  return name.replaceAll('.', '_');
}

export function collisionError(name: string, existing: string): TopicAdminFailure {
  return adminError('INVALID_TOPIC_EXCEPTION', `Topic '${name}' collides with existing topic: ${existing}`);
}
