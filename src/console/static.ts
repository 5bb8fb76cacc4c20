import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { fileAbove } from '../platform/file-above.js';

/** The browser code and styles: web/ at the repository root, committed as plain ES modules and CSS. */
export const WEB_DIR = webDir();

function webDir(): string {
  const index = fileAbove(path.dirname(fileURLToPath(import.meta.url)), path.join('web', 'index.html'));
  if (index === null) throw new Error('the console\'s web/ directory was not found above src/console');
  return `${path.dirname(index)}${path.sep}`;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Everything the console loads comes from this origin: no inline script or style, no frames, no external fonts.
 * `connect-src 'self'` is what lets the signature tool and the demo call the APIs on the same server.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function secureHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache');
}

/** Loads web/ once: a fixed set of files, so no request path ever reaches the file system. */
function loadAssets(): Map<string, { type: string; body: Buffer }> {
  const assets = new Map<string, { type: string; body: Buffer }>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      const type = TYPES[path.extname(entry.name)];
      if (entry.isFile() && type) assets.set(path.relative(WEB_DIR, full).split(path.sep).join('/'), { type, body: fs.readFileSync(full) });
    }
  };
  walk(WEB_DIR);
  return assets;
}

export async function staticRoutes(app: FastifyInstance): Promise<void> {
  const assets = loadAssets();
  const send = (reply: FastifyReply, name: string): FastifyReply => {
    const asset = assets.get(name);
    if (!asset) return secureHeaders(reply).code(404).type('text/plain; charset=utf-8').send('Not found');
    return secureHeaders(reply).code(200).type(asset.type).send(asset.body);
  };
  app.get('/', { schema: { hide: true } }, async (_request, reply) => send(reply, 'index.html'));
  app.get<{ Params: { '*': string } }>('/console/assets/*', { schema: { hide: true } }, async (request, reply) => send(reply, request.params['*']));
}
