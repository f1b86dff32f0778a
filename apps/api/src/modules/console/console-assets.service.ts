import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { readFile } from 'fs/promises';
import { extname, resolve, sep } from 'path';

/** Where `npm run build:console` writes the console (relative to the working directory, the repo root). */
export const CONSOLE_DIST = resolve(process.env.CONSOLE_DIST ?? 'apps/console/dist');

const TYPES: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Paths that belong to the API or to other assets: never answered with the console's index.html. */
const NOT_CONSOLE = /^\/(api|socket\.io|health|widget\.js|widget-demo)(\/|$)/;

interface FastifyReply {
  code(n: number): FastifyReply;
  header(name: string, value: string): FastifyReply;
  send(body: unknown): FastifyReply;
}
interface FastifyLike {
  get(path: string, handler: (req: { url: string }, reply: FastifyReply) => Promise<FastifyReply>): void;
}

/**
 * Registers two Fastify routes below every Nest route: `/assets/*` (content-hashed, cached for a year) and a
 * catch-all GET that answers `index.html`, so `/inbox/mine` or `/tickets/…` load the app. Static and
 * parametric API routes always win over a wildcard, and unknown API paths still get the JSON 404.
 */
@Injectable()
export class ConsoleAssetsService implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.host.httpAdapter?.getInstance?.() as FastifyLike | undefined;
    if (!fastify || typeof fastify.get !== 'function') return;
    const handler = (req: { url: string }, reply: FastifyReply) => this.serve(req.url, reply);
    fastify.get('/', handler);
    fastify.get('/*', handler);
  }

  private async serve(url: string, reply: FastifyReply): Promise<FastifyReply> {
    const path = decodeURIComponent(url.split('?')[0]);
    if (NOT_CONSOLE.test(path)) {
      return reply
        .code(404)
        .header('content-type', 'application/json; charset=utf-8')
        .send({ code: 'ROUTE_NOT_FOUND', message: `Cannot GET ${path}` });
    }
    if (path.startsWith('/assets/') || path === '/favicon.svg') {
      const file = resolve(CONSOLE_DIST, '.' + path);
      if (!file.startsWith(CONSOLE_DIST + sep)) return reply.code(404).send('');
      try {
        const body = await readFile(file);
        return reply
          .header('content-type', TYPES[extname(file)] ?? 'application/octet-stream')
          .header(
            'cache-control',
            path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
          )
          .send(body);
      } catch {
        return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('Not found');
      }
    }
    try {
      const html = await readFile(resolve(CONSOLE_DIST, 'index.html'));
      return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
    } catch {
      return reply
        .code(404)
        .header('content-type', 'text/plain; charset=utf-8')
        .send('The console is not built: run `npm run build:console`');
    }
  }
}
