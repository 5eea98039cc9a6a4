/**
 * The operator's HTTP endpoint: /health (200 while the process lives), /ready (200 once the
 * Kafka listener accepts and the topics are loaded, 503 before that and during shutdown) and
 * /metrics (Prometheus text).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { HostPort } from '../config/broker-config.js';

export interface HttpEndpoints {
  readonly isReady: () => boolean;
  readonly metrics: () => Promise<{ contentType: string; text: string }>;
}

/** Headers and body of one request are small; a scrape never needs more time than this. */
const REQUEST_TIMEOUT_MS = 10_000;

export class HttpServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(listen: HostPort, endpoints: HttpEndpoints, logger: Logger): Promise<HttpServer> {
    const server = createServer((req, res) => {
      route(req, res, endpoints).catch((error: unknown) => {
        logger.error({ err: error, url: req.url }, 'http request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error\n');
      });
    });
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    logger.info({ host: listen.host, port }, 'http listening');
    return new HttpServer(server, port);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
}

async function route(req: IncomingMessage, res: ServerResponse, endpoints: HttpEndpoints): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'method not allowed\n');
  switch (path) {
    case '/health':
      return text(res, 200, 'ok\n');
    case '/ready':
      return endpoints.isReady() ? text(res, 200, 'ready\n') : text(res, 503, 'not ready\n');
    case '/metrics': {
      const { contentType, text: body } = await endpoints.metrics();
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
      return;
    }
    default:
      return text(res, 404, 'not found\n');
  }
}
