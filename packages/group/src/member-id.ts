/**
 * Member ids as Kafka makes them: `${clientId}-${uuid}`. The UUID (version 4 layout) comes from
 * the injected Random so a simulation replays the same ids.
 */
import type { Random } from '@tributary/common';

const HEX = '0123456789abcdef';

export function randomUuid(random: Random): string {
  let out = '';
  for (let i = 0; i < 32; i++) {
    let digit = random.int(16);
    if (i === 12) digit = 4;
    if (i === 16) digit = 8 | (digit & 3);
    out += HEX[digit];
    if (i === 7 || i === 11 || i === 15 || i === 19) out += '-';
  }
  return out;
}

export function newMemberId(clientId: string, random: Random): string {
  return `${clientId}-${randomUuid(random)}`;
}
