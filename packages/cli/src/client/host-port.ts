/** `HOST:PORT` addresses as operators type them, IPv6 in brackets (`[::1]:9092`). */
import { err, ok, type Result } from '@tributary/common';
import { ClientError } from './client-error.js';

export interface BrokerAddress {
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_KAFKA_PORT = 9092;

export function parseHostPort(text: string, defaultPort = DEFAULT_KAFKA_PORT): Result<BrokerAddress, ClientError> {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(trimmed);
  const match = bracketed ?? plain;
  if (match === null || match[1] === '') return err(new ClientError('protocol', `not a HOST:PORT address: "${text}"`));
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return err(new ClientError('protocol', `port out of range in "${text}"`));
  return ok({ host: match[1], port });
}

export function formatHostPort(address: BrokerAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
