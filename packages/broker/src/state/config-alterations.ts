/**
 * AlterConfigs and IncrementalAlterConfigs applied to a topic's overrides, as Kafka's
 * ConfigAdminManager does: AlterConfigs replaces every override; IncrementalAlterConfigs SETs,
 * DELETEs, and APPENDs to or SUBTRACTs from list configs (starting from the current value,
 * the default when not overridden). The result is validated as a whole before anything changes.
 */
import { err, ok, type Result } from '@tributary/common';
import type { TopicDefaults } from '../config/broker-config.js';
import { adminError, type TopicAdminFailure } from './topic-admin-error.js';
import type { ConfigAlteration } from './topic-manager.js';
import { ConfigType, splitList } from './config-values.js';
import { brokerLevelValue, topicConfigDefinitions, validateConfigValue, validateOverrides } from './topic-configs.js';

/** IncrementalAlterConfigs' ConfigOperation codes. */
export const ConfigOperation = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export function applyAlteration(
  current: Readonly<Record<string, string>>,
  alteration: ConfigAlteration,
  defaults: TopicDefaults,
): Result<Record<string, string>, TopicAdminFailure> {
  if (alteration.mode === 'replace') return validateOverrides(alteration.configs);
  const names = alteration.operations.map((operation) => operation.name);
  if (new Set(names).size !== names.length) return err(adminError('INVALID_REQUEST', 'Error due to duplicate config keys'));
  const next: Record<string, string> = { ...current };
  for (const operation of alteration.operations) {
    const applied = applyOne(next, operation, defaults);
    if (!applied.ok) return applied;
  }
  return ok(next);
}

function applyOne(
  next: Record<string, string>,
  operation: { readonly name: string; readonly op: number; readonly value: string | null },
  defaults: TopicDefaults,
): Result<void, TopicAdminFailure> {
  const { name, op, value } = operation;
  const definition = topicConfigDefinitions.get(name);
  if (definition === undefined) return err(adminError('INVALID_CONFIG', `Unknown topic config name: ${name}`));
  switch (op) {
    case ConfigOperation.SET: {
      const checked = validateConfigValue(name, value);
      if (!checked.ok) return checked;
      next[name] = checked.value;
      return ok(undefined);
    }
    case ConfigOperation.DELETE:
      delete next[name];
      return ok(undefined);
    case ConfigOperation.APPEND:
    case ConfigOperation.SUBTRACT: {
      const verb = op === ConfigOperation.APPEND ? 'append' : 'subtract';
      if (definition.type !== ConfigType.LIST) return err(adminError('INVALID_CONFIG', `Config value ${verb} is not allowed for config key: ${name}`));
      if (value === null) return err(adminError('INVALID_CONFIG', `Null value not supported for : ${name}`));
      const before = splitList(next[name] ?? brokerLevelValue(definition, defaults).value);
      const given = splitList(value);
      const after = op === ConfigOperation.APPEND ? [...before, ...given.filter((item) => !before.includes(item))] : before.filter((item) => !given.includes(item));
      const checked = validateConfigValue(name, after.join(','));
      if (!checked.ok) return checked;
      next[name] = checked.value;
      return ok(undefined);
    }
    default:
      return err(adminError('INVALID_REQUEST', `Unknown config operation ${op} for config key: ${name}`));
  }
}
