/** The broker's Random for the cores (member ids): node's CSPRNG, as Kafka uses UUID.randomUUID. */
import { randomInt } from 'node:crypto';
import type { Random } from '@tributary/common';

const UINT32 = 0x1_0000_0000;

export const cryptoRandom: Random = {
  next: () => randomInt(0, 2 ** 48 - 1) / 2 ** 48,
  int: (bound) => (bound <= 1 ? 0 : bound <= UINT32 ? randomInt(0, bound) : Math.floor((randomInt(0, 2 ** 48 - 1) / 2 ** 48) * bound)),
};
