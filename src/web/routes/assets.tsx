import { deflateSync } from 'node:zlib';
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';

/**
 * Static files of the pages: htmx from node_modules (the extranet has no internet, so no CDN) and the
 * favicon. htmx is read once from the installed `htmx.org` package; the release bundle ships that file
 * (scripts/release.mjs EXTERNAL). Where no file system is reachable (Workers) the script is a 404 and
 * the pages work without it.
 */
export const assetPages = new Hono<AppEnv>();

let htmx: Promise<Uint8Array | null> | undefined;

function readHtmx(): Promise<Uint8Array | null> {
  htmx ??= (async () => {
    try {
      const [{ createRequire }, { readFile }] = await Promise.all([import('node:module'), import('node:fs/promises')]);
      const require = createRequire(import.meta.url);
      return new Uint8Array(await readFile(require.resolve('htmx.org/dist/htmx.min.js')));
    } catch {
      return null;
    }
  })();
  return htmx;
}

/** Pages ask for `?v=HTMX_VERSION` (layout.tsx), which changes with the package: a year-long cache is safe. */
assetPages.get('/assets/htmx.min.js', async (c) => {
  const body = await readHtmx();
  if (!body) return c.notFound();
  c.header('content-type', 'text/javascript; charset=utf-8');
  c.header('cache-control', 'public, max-age=31536000, immutable');
  return c.body(body as Uint8Array<ArrayBuffer>);
});

assetPages.get('/favicon.ico', (c) => {
  c.header('content-type', 'image/x-icon');
  c.header('cache-control', 'public, max-age=604800');
  return c.body(FAVICON as Uint8Array<ArrayBuffer>);
});

// ---- favicon: a 32×32 PNG inside an ICO container, drawn here (the bureau's blue, a white check) ----

function crc32(buf: Uint8Array): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function faviconPng(size = 32): Buffer {
  const rows: Buffer[] = [];
  const onCheck = (x: number, y: number) => {
    // Two strokes of a check mark, 3 px wide.
    const d1 = Math.abs(y - (x + 8)) <= 1.6 && x >= 8 && x <= 14;
    const d2 = Math.abs(y - (36 - x)) <= 1.6 && x >= 13 && x <= 24;
    return d1 || d2;
  };
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const edge = Math.min(x, y, size - 1 - x, size - 1 - y);
      const [r, g, b, a] = onCheck(x, y) ? [255, 255, 255, 255] : edge < 1 ? [11, 61, 145, 160] : [11, 61, 145, 255];
      row.set([r, g, b, a], 1 + x * 4);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

function icoOf(png: Buffer, size: number): Uint8Array {
  const head = Buffer.alloc(6 + 16);
  head.writeUInt16LE(0, 0);
  head.writeUInt16LE(1, 2);
  head.writeUInt16LE(1, 4);
  head.writeUInt8(size, 6);
  head.writeUInt8(size, 7);
  head.writeUInt16LE(1, 10);
  head.writeUInt16LE(32, 12);
  head.writeUInt32LE(png.length, 14);
  head.writeUInt32LE(22, 18);
  return new Uint8Array(Buffer.concat([head, png]));
}

export const FAVICON = icoOf(faviconPng(32), 32);
