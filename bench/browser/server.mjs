// A static server for the start-up measurements that behaves like a common reader's static host
// (GitHub Pages): keep-alive, gzip where the browser accepts it (compressed on first use, kept in
// memory), an ETag and `Cache-Control: max-age=600`, so a warm load comes from the cache.
// `mounts` maps URL prefixes to folders: {'/': ROOT, '/single/': otherDir}.

import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.fpw': 'application/octet-stream',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.svg']);

export async function serveStatic(mounts) {
  const cache = new Map();
  const entry = (file) => {
    const { mtimeMs, size } = statSync(file);
    const key = `${file}:${mtimeMs}:${size}`;
    if (!cache.has(key)) {
      const body = readFileSync(file);
      const compress = COMPRESSIBLE.has(path.extname(file));
      const lazy = (make) => { let out; return () => { if (out === undefined) out = compress ? make() : null; return out; }; };
      cache.set(key, {
        body,
        gzip: lazy(() => gzipSync(body, { level: 9 })),
        etag: `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`,
      });
    }
    return cache.get(key);
  };
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const prefix = prefixes.find((p) => url.pathname.startsWith(p));
    const root = mounts[prefix];
    let file = path.join(root, decodeURIComponent(url.pathname.slice(prefix.length)));
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    try {
      if (statSync(file).isDirectory()) file = path.join(file, 'index.html');
      const e = entry(file);
      const headers = { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', ETag: e.etag, 'Cache-Control': 'max-age=600', Vary: 'Accept-Encoding' };
      if (req.headers['if-none-match'] === e.etag) { res.writeHead(304, headers).end(); return; }
      const accepts = req.headers['accept-encoding'] || '';
      let body = e.body;
      if (/\bgzip\b/.test(accepts) && e.gzip()) { body = e.gzip(); headers['Content-Encoding'] = 'gzip'; }
      headers['Content-Length'] = body.length;
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  server.keepAliveTimeout = 30000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, stop: () => server.close() };
}
