import { sha256Hex } from '../reports/canonical.js';

export { sha256Hex };

/**
 * Page content helpers: decoding (UTF-8 and the GB family used by many Chinese government sites), title,
 * a normalised content hash that ignores volatile parts, visible text, links and page similarity.
 */

/** Canonical decoder label for a declared charset; unknown ones fall back to UTF-8. */
export function decoderLabel(charset: string | undefined): string {
  const name = (charset ?? '').trim().toLowerCase().replace(/^["']|["']$/g, '');
  if (!name || name === 'utf-8' || name === 'utf8') return 'utf-8';
  // GB2312 and GBK pages routinely contain GBK-only characters; GB18030 is a superset of both.
  if (name === 'gb2312' || name === 'gbk' || name === 'gb_2312-80' || name === 'x-gbk' || name === 'cp936' || name === 'gb18030') {
    return 'gb18030';
  }
  try {
    return new TextDecoder(name).encoding;
  } catch {
    return 'utf-8';
  }
}

/** `charset=` of a Content-Type header value. */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  const match = /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType ?? '');
  return match?.[1];
}

/** Charset declared in the first bytes of an HTML document (`<meta charset>` or http-equiv), if any. */
export function sniffHtmlCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 4096)).toString('latin1');
  const direct = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head);
  return direct?.[1];
}

/** The charset to decode with: a BOM wins, then the header, then the document's own declaration. */
export function detectCharset(bytes: Uint8Array, contentType?: string): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return decoderLabel(charsetFromContentType(contentType) ?? sniffHtmlCharset(bytes));
}

/**
 * One decoder per charset (canonical names only, so a few dozen at most): a non-streaming decode keeps
 * no state between calls, and a sweep decodes thousands of pages a second.
 */
const decoders = new Map<string, TextDecoder>();

export function decodeBody(bytes: Uint8Array, contentType?: string): { text: string; charset: string } {
  const charset = detectCharset(bytes, contentType);
  let decoder = decoders.get(charset);
  if (!decoder) decoders.set(charset, (decoder = new TextDecoder(charset)));
  return { text: decoder.decode(bytes), charset };
}

export function isHtml(contentType: string | undefined, text: string): boolean {
  if (contentType && /html|xhtml/i.test(contentType)) return true;
  if (contentType && !/text\/plain|octet-stream/i.test(contentType)) return false;
  return /^\s*(<!doctype html|<html|<head|<title)/i.test(text);
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  copy: '©',
  reg: '®',
  middot: '·',
  mdash: '—',
  ndash: '–',
  hellip: '…',
  ldquo: '“',
  rdquo: '”',
  lsquo: '‘',
  rsquo: '’',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/**
 * Every run of whitespace (U+3000 included: `\s` has it) as one space. A run that already is one space
 * is not matched, so a page with single spaces between words is scanned, not rebuilt.
 */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s{2,}|[^\S ]/g, ' ').trim();
}

/** The document's `<title>`, entities decoded and whitespace collapsed; undefined if absent or empty. */
export function extractTitle(html: string): string | undefined {
  const match = /<title[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html);
  if (!match) return undefined;
  const title = collapseWhitespace(decodeEntities(match[1] ?? ''));
  return title ? title.slice(0, 500) : undefined;
}

const TOKEN_NAMES = /csrf|xsrf|token|nonce|authenticity|verification|__viewstate|__eventvalidation|_wpnonce|formhash/i;

/**
 * HTML with the parts that change on every request removed, so that a hash of it changes only when the
 * page's content does: comments, nonces, CSRF tokens in meta tags and hidden inputs, ASP.NET view state,
 * dates and times, cache-busting query strings, and whitespace.
 */
export function normalizeHtml(html: string): string {
  // Each pass runs only when the page can contain what it removes: a scan is cheaper than a replace,
  // which copies the page (a sweep hashes thousands of pages a second). The output is the same.
  let out = html;
  if (out.includes('<!--')) out = out.replace(/<!--[\s\S]*?-->/g, '');
  out = out.replace(/\snonce\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, '');
  if (TOKEN_NAMES.test(out)) {
    out = out.replace(/<meta\b[^>]*>/gi, (tag) => (TOKEN_NAMES.test(attr(tag, 'name') ?? '') ? '' : tag));
    out = out.replace(/<input\b[^>]*>/gi, (tag) => {
      const hidden = /^hidden$/i.test(attr(tag, 'type') ?? '');
      return hidden && TOKEN_NAMES.test(`${attr(tag, 'name') ?? ''} ${attr(tag, 'id') ?? ''}`) ? '' : tag;
    });
  }
  if (VOLATILE_IN_SCRIPT.test(out)) out = removeVolatileScripts(out);
  out = stripCacheBusters(out);
  out = stripDatesAndTimes(out);
  return collapseWhitespace(out);
}

/** What removeVolatileScripts changes, anywhere in a page: no match, no script to clean. */
const VOLATILE_IN_SCRIPT = /csrf|xsrf|token|nonce|\d{10}/i;

function attr(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return match ? (match[2] ?? match[3] ?? match[4]) : undefined;
}

/** Inline scripts that only carry tokens or timestamps (e.g. `var csrfToken = "…"`) lose their literals. */
function removeVolatileScripts(html: string): string {
  return html.replace(/(<script\b[^>]*>)([\s\S]*?)(<\/script\s*>)/gi, (_whole, open: string, body: string, close: string) => {
    const cleaned = body
      .replace(/((?:csrf|xsrf|token|nonce)\w*["']?\s*[:=]\s*)("[^"]*"|'[^']*')/gi, '$1""')
      .replace(/\b\d{10,13}\b/g, '0');
    return `${open}${cleaned}${close}`;
  });
}

/** `?v=123`, `?t=1700000000`, `?_=…`, `?ver=…` and any query on static assets. */
export function stripCacheBusters(html: string): string {
  return html
    .replace(/(\.(?:js|css|png|jpe?g|gif|svg|webp|ico|woff2?|ttf)(?=[?"'\s>]))\?[^"'\s>]*/gi, '$1')
    .replace(/([?&](?:v|t|ts|ver|version|_|timestamp|rnd|random|cb|cachebuster)=)[^&"'\s>#]*/gi, '$1');
}

/** Dates and times in the shapes Chinese government pages print them, plus epoch-like numbers. */
export function stripDatesAndTimes(text: string): string {
  return text
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, '#dt')
    .replace(/\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日/g, '#d')
    .replace(/\d{4}[-/.]\d{1,2}[-/.]\d{1,2}/g, '#d')
    .replace(/\d{1,2}:\d{2}(?::\d{2})?/g, '#t')
    .replace(/(星期|周)[一二三四五六日天]/g, '#w')
    .replace(/\b\d{13}\b|\b1\d{9}\b/g, '#ts');
}

/** SHA-256 (hex) of the normalised page; non-HTML text is only whitespace-normalised. */
export function contentHash(text: string, html = true): string {
  const normalized = html ? normalizeHtml(text) : collapseWhitespace(text);
  return sha256Hex(normalized);
}

/** Text a reader sees: no scripts, styles or tags, entities decoded, whitespace collapsed. */
export function visibleText(html: string): string {
  const noScripts = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, ' ');
  return collapseWhitespace(decodeEntities(noScripts.replace(/<[^>]+>/g, ' ')));
}

/** Absolute http(s) URLs of `<a href>` links, fragments dropped, in document order without duplicates. */
export function extractLinks(html: string, baseUrl: string): string[] {
  const seen = new Set<string>();
  const links: string[] = [];
  for (const match of html.matchAll(/<a\b[^>]*?\shref\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi)) {
    const href = decodeEntities((match[2] ?? match[3] ?? match[4] ?? '').trim());
    if (!href || /^(javascript|mailto|tel|data):/i.test(href) || href.startsWith('#')) continue;
    let url: URL;
    try {
      url = new URL(href, baseUrl);
    } catch {
      continue;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
    url.hash = '';
    const text = url.toString();
    if (!seen.has(text)) {
      seen.add(text);
      links.push(text);
    }
  }
  return links;
}

/** Character shingles of normalised visible text: works for Chinese, which has no spaces between words. */
export function shingles(text: string, size = 4): Set<string> {
  const compact = stripDatesAndTimes(text).replace(/[\s\u3000]+/g, ' ').trim().toLowerCase();
  const set = new Set<string>();
  if (compact.length === 0) return set;
  if (compact.length <= size) {
    set.add(compact);
    return set;
  }
  for (let i = 0; i + size <= compact.length; i++) set.add(compact.slice(i, i + size));
  return set;
}

/** Jaccard similarity of two sets; two empty sets are identical (1). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const item of small) if (large.has(item)) shared++;
  return shared / (a.size + b.size - shared);
}

/** 0–1 similarity of two HTML pages as a reader sees them (title included). */
export function pageSimilarity(htmlA: string, htmlB: string): number {
  const text = (html: string) => `${extractTitle(html) ?? ''} ${visibleText(html)}`;
  return jaccard(shingles(text(htmlA)), shingles(text(htmlB)));
}
