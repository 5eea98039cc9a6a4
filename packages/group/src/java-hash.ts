/**
 * Which `__consumer_offsets` partition holds a group: Kafka's
 * `Utils.abs(groupId.hashCode()) % numPartitions`, with Java's String.hashCode over UTF-16 code
 * units (s[0]*31^(n-1) + ... + s[n-1], in 32-bit two's complement) and Kafka's `Utils.abs`
 * (`n & 0x7fffffff`, so Integer.MIN_VALUE maps to 0 rather than staying negative).
 */
export function javaStringHashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

export function offsetsPartitionFor(groupId: string, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount <= 0) throw new RangeError(`bad partition count ${partitionCount}`);
  return (javaStringHashCode(groupId) & 0x7fffffff) % partitionCount;
}
