/** The Kafka error codes the group coordinator answers with: protocol's table, by name. */
import { ErrorCode, type KafkaErrorName } from '@tributary/protocol';

export const GroupErrors = ErrorCode;

export type GroupErrorName = KafkaErrorName;
