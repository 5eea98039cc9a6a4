/** Branded ids: a NodeId cannot be passed where a PartitionIndex is expected. */
declare const brand: unique symbol;
export type Brand<T, Name extends string> = T & { readonly [brand]: Name };

export type NodeId = Brand<number, 'NodeId'>;
export type PartitionIndex = Brand<number, 'PartitionIndex'>;
export type TopicName = Brand<string, 'TopicName'>;
export type LeaderEpoch = Brand<number, 'LeaderEpoch'>;

export const nodeId = (n: number): NodeId => n as NodeId;
export const partitionIndex = (n: number): PartitionIndex => n as PartitionIndex;
export const topicName = (s: string): TopicName => s as TopicName;
export const leaderEpoch = (n: number): LeaderEpoch => n as LeaderEpoch;
