// The htmlparser2-only build: the full one also loads parse5, undici and encoding sniffers (some 16 MB
// per probe thread) that the inspection never uses.
import * as cheerio from 'cheerio/slim';
import type { AnyNode, Element } from 'domhandler';
import { detectCharset } from './content.js';

/**
 * Sections (栏目) of a government portal, read the way the national website inspection reads them: the
 * homepage's navigation names the sections, and each section page is a list of dated items. HTML is
 * parsed with cheerio (htmlparser2); only plain text (a date, a year heading) is matched by pattern.
 * Pure: no network, never throws.
 */

export type SectionType = 'dynamic' | 'notice_policy' | 'personnel' | 'other';
export const SECTION_TYPES = ['dynamic', 'notice_policy', 'personnel', 'other'] as const satisfies readonly SectionType[];

export interface DecodedPage {
  text: string;
  charset: string;
  /** The declared charset did not decode the bytes (many U+FFFD); the page was decoded as GB18030 instead. */
  charsetMismatch: boolean;
}

/**
 * Decodes a page with its declared charset (BOM, header, then `<meta>`), UTF-8 when none. Chinese portals
 * often declare UTF-8 and send GBK (or the reverse): when the declared charset yields many replacement
 * characters, the other one is tried and kept if it decodes better. `decoded` is the text a probe has
 * already decoded with the declared charset (the liveness probe's `bodyText`): it is reused, so a page
 * is decoded once unless its charset lies.
 */
export function decodePage(bytes: Uint8Array, contentType?: string, decoded?: { text: string; charset: string }): DecodedPage {
  const declared = decoded?.charset ?? detectCharset(bytes, contentType);
  const text = decoded?.text ?? new TextDecoder(declared).decode(bytes);
  const bad = replacementShare(text);
  if (bad > 0.01) {
    const other = declared === 'gb18030' ? 'utf-8' : 'gb18030';
    const alt = new TextDecoder(other).decode(bytes);
    if (replacementShare(alt) < bad / 2) return { text: alt, charset: other, charsetMismatch: true };
  }
  return { text, charset: declared, charsetMismatch: false };
}

function replacementShare(text: string): number {
  let bad = 0;
  let nonAscii = 0;
  const n = Math.min(text.length, 200_000);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) nonAscii++;
    if (c === 0xfffd) bad++;
  }
  return nonAscii ? bad / nonAscii : 0;
}

// ---------------------------------------------------------------------------------------------------
// Dates

export interface DateContext {
  /** A year heading above the item (`2021年`), for `06-30`-style dates. */
  year?: number;
  /** Today (local, `YYYY-MM-DD`): a month-day with no year is this year, or last year when it would be in the future. */
  today: string;
}

const FULL_DATE = /((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?/;
const MONTH_DAY = /(?:^|[^\d-/.])[[(（【]?\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*[\])）】]?(?![\d-/.])/;

const pad = (n: number) => String(n).padStart(2, '0');

function validDay(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > 31) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1) return null;
  return `${y}-${pad(m)}-${pad(d)}`;
}

/**
 * The date in a list item's text: `2021-06-30`, `2021/6/30`, `2021.06.30`, `2021年06月30日`, or a
 * month and day (`[06-30]`, `06-30`, `6月30日`) whose year is the heading above it or inferred from today.
 * Dates more than a day in the future are not dates of publication (a counter, an event): null.
 */
export function parseItemDate(text: string, ctx: DateContext): string | null {
  const t = text.replace(/\s+/g, ' ');
  const full = FULL_DATE.exec(t);
  if (full) {
    const day = validDay(Number(full[1]), Number(full[2]), Number(full[3]));
    return day && day <= addDay(ctx.today) ? day : null;
  }
  const md = MONTH_DAY.exec(t);
  if (!md) return null;
  const m = Number(md[1]);
  const d = Number(md[2]);
  const thisYear = Number(ctx.today.slice(0, 4));
  if (ctx.year) {
    const day = validDay(ctx.year, m, d);
    return day && day <= addDay(ctx.today) ? day : null;
  }
  const guess = validDay(thisYear, m, d);
  if (guess && guess <= addDay(ctx.today)) return guess;
  return validDay(thisYear - 1, m, d);
}

function addDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

const YEAR_HEADING = /^\s*((?:19|20)\d{2})\s*年?\s*(?:度)?\s*$/;

// ---------------------------------------------------------------------------------------------------
// Lists

export interface ListItem {
  title: string;
  url: string | null;
  date: string | null;
}

export interface PageList {
  items: ListItem[];
  /** Newest item date, or null (no items, or none dated: an undated item counts as not updated). */
  newest: string | null;
  dated: number;
}

const ITEM_TAGS = new Set(['li', 'tr', 'dd', 'dt', 'p']);
const LIST_TAGS = new Set(['li', 'tr', 'dd']);
const BLOCK_TAGS = new Set(['div', 'ul', 'table']);
const SKIP_TAGS = 'script, style, noscript, template';
const HEADING = /^h[1-6]$/;

/** A parsed page without its scripts and styles: parse once, read it for the list, the links and the text. */
export type ParsedPage = cheerio.CheerioAPI;

/**
 * Parses with htmlparser2 (forgiving, and several times faster than the spec parser for what we read:
 * links, list items and text). The DOM is some ten times the page's size: callers read what they need
 * (see `readPage`) and drop it.
 */
export function parsePage(html: string): ParsedPage | null {
  try {
    const $ = cheerio.load(html, { xml: { xmlMode: false, decodeEntities: true } });
    $(SKIP_TAGS).remove();
    return $;
  } catch {
    return null;
  }
}

const load = (input: string | ParsedPage): ParsedPage | null => (typeof input === 'string' ? parsePage(input) : input);

const isElement = (n: AnyNode): n is Element => n.type === 'tag' || n.type === 'script' || n.type === 'style';

/** The text of a node and its descendants, as cheerio's `.text()`, without wrapping nodes (iterative: deep nesting is fine). */
function textOf(root: AnyNode): string {
  if (root.type === 'text') return (root as unknown as { data: string }).data;
  const out: string[] = [];
  const stack: AnyNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'text') out.push((n as unknown as { data: string }).data);
    else if ('children' in n) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out.join('');
}

/** What an element holds, counted once bottom-up (instead of a descendant query per element). */
interface Holds {
  /** Descendant `a[href]`s (the element itself not counted). */
  links: number;
  first: Element | null;
  /** A descendant `li`, `tr` or `dd`. */
  listBelow: boolean;
}

function countHolds(roots: AnyNode[]): Map<Element, Holds> {
  const holds = new Map<Element, Holds>();
  // Post-order without recursion: a page of 20,000 unclosed tags nests 20,000 deep.
  const stack: Array<{ el: Element; i: number }> = [];
  const push = (n: AnyNode) => isElement(n) && stack.push({ el: n, i: 0 });
  for (const r of roots) {
    push(r);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.el.children.length) {
        push(top.el.children[top.i++]!);
        continue;
      }
      stack.pop();
      const h: Holds = { links: 0, first: null, listBelow: false };
      for (const c of top.el.children) {
        if (!isElement(c)) continue;
        const ch = holds.get(c)!;
        const self = c.name === 'a' && c.attribs.href !== undefined;
        if (self && !h.first) h.first = c;
        if (!h.first && ch.first) h.first = ch.first;
        h.links += ch.links + (self ? 1 : 0);
        h.listBelow ||= ch.listBelow || LIST_TAGS.has(c.name);
      }
      holds.set(top.el, h);
    }
  }
  return holds;
}

/**
 * The list items of a page: every `li`/`tr`/`dd`/`p` (or a `div` with a single link) that holds a
 * link with a title, grouped by their parent; the page's list is the group with the most dated items
 * (navigation menus have no dates), or the largest group of long-titled links when nothing is dated.
 * Caps: `maxItems` items read.
 */
export function extractList(html: string | ParsedPage, baseUrl: string, today: string, maxItems = 2000): PageList {
  const $ = load(html);
  if (!$) return { items: [], newest: null, dated: 0 };
  const roots = $.root().children().toArray();
  const holds = countHolds(roots);
  const groups = new Map<AnyNode, ListItem[]>();
  let year: number | undefined;
  let seen = 0;
  // Document order, depth first, without recursion; an item's insides are not visited.
  const stack: AnyNode[] = [...roots].reverse();
  while (stack.length && seen < maxItems) {
    const node = stack.pop()!;
    if (node.type !== 'tag') continue;
    const el = node as Element;
    const tag = el.name;
    if (HEADING.test(tag) || tag === 'strong' || tag === 'b' || (el.attribs.class ?? '').includes('year')) {
      const y = YEAR_HEADING.exec(textOf(el));
      if (y) {
        year = Number(y[1]);
        continue;
      }
    }
    const h = holds.get(el)!;
    const isItem = (ITEM_TAGS.has(tag) || (tag === 'div' && h.links === 1 && el.children.every((c) => c.type !== 'tag' || !BLOCK_TAGS.has((c as Element).name)))) && h.links >= 1 && h.links <= 3;
    if (isItem && !h.listBelow && h.first) {
      const a = h.first;
      const aText = textOf(a);
      const title = (a.attribs.title ?? aText).replace(/\s+/g, ' ').trim();
      if (title.length >= 2) {
        let url: string | null = null;
        try {
          url = new URL(a.attribs.href ?? '', baseUrl).href;
        } catch {
          url = null;
        }
        // The date: outside the title first (a `<span>` after it, a cell), then anywhere in the item.
        const rest = textOf(el).replace(/\s+/g, ' ').replace(aText.replace(/\s+/g, ' '), ' ');
        const date = parseItemDate(rest, { year, today }) ?? parseItemDate(title, { year, today });
        const parent = el.parent ?? el;
        const list = groups.get(parent) ?? [];
        list.push({ title: title.slice(0, 200), url, date });
        groups.set(parent, list);
        seen++;
        continue;
      }
    }
    for (let i = el.children.length - 1; i >= 0; i--) stack.push(el.children[i]!);
  }
  let best: ListItem[] = [];
  let bestScore = -1;
  for (const list of groups.values()) {
    const dated = list.filter((i) => i.date).length;
    const longTitles = list.filter((i) => i.title.length >= 8).length;
    const score = dated * 1000 + longTitles;
    if (score > bestScore || (score === bestScore && list.length > best.length)) {
      best = list;
      bestScore = score;
    }
  }
  // A group with no date and only short link texts is a menu, not a list of items.
  if (bestScore < 1000 && best.every((i) => i.title.length < 8)) best = [];
  // Lists split into several blocks (a year heading per block) count together when they are all dated lists.
  const datedGroups = [...groups.values()].filter((l) => l.filter((i) => i.date).length >= Math.max(1, l.length / 2));
  const items = datedGroups.length > 1 ? datedGroups.flat() : best;
  const dates = items.map((i) => i.date).filter((d): d is string => d !== null);
  return { items, newest: dates.length ? dates.reduce((a, b) => (a > b ? a : b)) : null, dated: dates.length };
}

// ---------------------------------------------------------------------------------------------------
// Navigation

export interface DiscoveredSection {
  url: string;
  name: string;
  type: SectionType;
}

/** The type a section's name suggests (动态、要闻 → dynamic; 通知公告、政策文件 → notice_policy; 人事 → personnel). */
export function sectionTypeOf(name: string): SectionType {
  if (/人事|任免|任职|干部/.test(name)) return 'personnel';
  if (/通知|公告|公示|政策|文件|法规|规章|解读|规范性/.test(name)) return 'notice_policy';
  if (/动态|要闻|新闻|资讯|工作|信息|快讯|头条|媒体/.test(name)) return 'dynamic';
  return 'other';
}

const NOT_SECTIONS = /^(首页|网站首页|返回首页|主页|网站地图|English|english|无障碍|关怀版|长者模式|适老化|登录|注册|搜索|更多|more|\s*»\s*|>>)$/i;

/**
 * Sections named by a homepage: links of its navigation (`nav`, or an element whose class or id says
 * nav/menu) and the "更多" link of each homepage block (named by the block's heading), on the same site.
 */
export function discoverSections(html: string | ParsedPage, baseUrl: string, max = 60): DiscoveredSection[] {
  const $ = load(html);
  if (!$) return [];
  const base = new URL(baseUrl);
  const out = new Map<string, DiscoveredSection>();
  const add = (href: string | undefined, name: string) => {
    const n = name.replace(/\s+/g, '').trim();
    if (!href || !n || n.length > 12 || NOT_SECTIONS.test(n) || out.size >= max) return;
    let u: URL;
    try {
      u = new URL(href, baseUrl);
    } catch {
      return;
    }
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.host !== base.host) return;
    u.hash = '';
    if (u.pathname === base.pathname && !u.search) return;
    if (!out.has(u.href)) out.set(u.href, { url: u.href, name: n, type: sectionTypeOf(n) });
  };
  $('nav a[href], [class*="nav"] a[href], [id*="nav"] a[href], [class*="menu"] a[href], [id*="menu"] a[href]').each((_, a) => {
    add($(a).attr('href'), $(a).attr('title') ?? $(a).text());
  });
  $('a[href]').each((_, a) => {
    const text = $(a).text().replace(/\s+/g, '');
    if (!/^(更多|more|MORE|更多>>|更多»|>>|更多\+|\+)$/i.test(text) && !/更多/.test(text)) return;
    // The block's heading: the nearest preceding heading-like text in the link's ancestors.
    let el = $(a).parent();
    for (let i = 0; i < 4 && el.length; i++, el = el.parent()) {
      const h = el.find('h1, h2, h3, h4, h5, [class*="title"], [class*="tit"], span').filter((_, x) => $(x).find('a').length === 0 || $(x).text().replace(/\s+/g, '') !== text).first();
      const name = h.text().replace(/更多|more|>>|»|\+/gi, '').trim();
      if (name) {
        add($(a).attr('href'), name);
        break;
      }
    }
  });
  return [...out.values()];
}

// ---------------------------------------------------------------------------------------------------
// Page facts for the other checks

export interface PageFacts {
  /** Absolute http(s) links (fragments dropped), document order, without duplicates, at most `maxLinks`. */
  links: Array<{ url: string; text: string }>;
  linksTruncated: boolean;
  images: number;
  imagesWithAlt: number;
  /** Visible text, for the wording check (capped). */
  text: string;
  /** Entries to an elderly-friendly / accessible version (适老化, 关怀版, 长者模式, 无障碍). */
  careEntries: Array<{ url: string | null; text: string }>;
}

const CARE = /适老化|关怀版|长者模式|无障碍|老年模式|长辈版/;
const NOT_LINK = /^(javascript|mailto|tel|data):/i;

/**
 * Links, images and visible text of a page, in one walk of its DOM (no selector engine, no wrapper per
 * node). Text is gathered up to `maxText` characters.
 */
export function pageFacts(html: string | ParsedPage, baseUrl: string, maxLinks = 500, maxText = 200_000): PageFacts {
  const $ = load(html);
  if (!$) return { links: [], linksTruncated: false, images: 0, imagesWithAlt: 0, text: '', careEntries: [] };
  const seen = new Set<string>();
  const links: PageFacts['links'] = [];
  let truncated = false;
  const careEntries: PageFacts['careEntries'] = [];
  let images = 0;
  let imagesWithAlt = 0;
  let body: Element | null = null;
  const stack: AnyNode[] = [...$.root().children().toArray()].reverse();
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type !== 'tag') continue;
    const el = n as Element;
    if (el.name === 'body' && !body) body = el;
    else if (el.name === 'img') {
      images++;
      if ((el.attribs.alt ?? '').trim().length > 0) imagesWithAlt++;
    } else if (el.name === 'a' && el.attribs.href !== undefined) anchor(el);
    for (let i = el.children.length - 1; i >= 0; i--) stack.push(el.children[i]!);
  }
  function anchor(a: Element) {
    const href = (a.attribs.href ?? '').trim();
    const text = (textOf(a) || a.attribs.title || '').replace(/\s+/g, ' ').trim();
    let url: URL | null = null;
    if (href && !NOT_LINK.test(href) && !href.startsWith('#')) {
      try {
        url = new URL(href, baseUrl);
      } catch {
        url = null;
      }
    }
    if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
      url.hash = '';
      const u = url.href;
      if (careEntries.length < 5 && CARE.test(text)) careEntries.push({ url: u, text: text.slice(0, 40) });
      if (!seen.has(u)) {
        if (links.length >= maxLinks) truncated = true;
        else {
          seen.add(u);
          links.push({ url: u, text: text.slice(0, 80) });
        }
      }
    } else if (careEntries.length < 5 && CARE.test(text)) careEntries.push({ url: null, text: text.slice(0, 40) });
  }
  const text = textUpTo(body ?? $.root()[0]!, maxText * 2);
  return { links, linksTruncated: truncated, images, imagesWithAlt, text: text.replace(/\s+/g, ' ').slice(0, maxText), careEntries };
}

/** The text below `root`, stopping once `max` characters are gathered (an endless page is not joined whole). */
function textUpTo(root: AnyNode, max: number): string {
  const out: string[] = [];
  let size = 0;
  const stack: AnyNode[] = [root];
  while (stack.length && size < max) {
    const n = stack.pop()!;
    if (n.type === 'text') {
      const d = (n as unknown as { data: string }).data;
      out.push(d);
      size += d.length;
    } else if ('children' in n) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out.join('');
}

// ---------------------------------------------------------------------------------------------------
// One page, read once

export interface PageRead {
  list: PageList;
  facts: PageFacts;
  /** The sections its navigation names (asked for on the homepage only). */
  sections: DiscoveredSection[];
}

/**
 * Everything the inspection takes from one page, from one parse: its list, its facts and (`withSections`)
 * the sections it names. Only these small facts are returned; the DOM is garbage when this returns.
 * Never throws: a page the parser chokes on reads as empty.
 */
export function readPage(html: string, baseUrl: string, today: string, o: { maxLinks?: number; withSections?: boolean } = {}): PageRead {
  try {
    const $ = parsePage(html);
    if ($) return { list: extractList($, baseUrl, today), facts: pageFacts($, baseUrl, o.maxLinks), sections: o.withSections ? discoverSections($, baseUrl) : [] };
  } catch {
    /* below */
  }
  return { list: { items: [], newest: null, dated: 0 }, facts: { links: [], linksTruncated: false, images: 0, imagesWithAlt: 0, text: '', careEntries: [] }, sections: [] };
}
