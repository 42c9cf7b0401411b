import { describe, expect, it } from 'vitest';
import {
  contentHash,
  decodeBody,
  decoderLabel,
  extractLinks,
  extractTitle,
  normalizeHtml,
  pageSimilarity,
  visibleText,
} from '../../probes/content.js';
import { encodeGbk } from '../support/fleet-gbk.js';

describe('decoding Chinese pages', () => {
  it('maps the GB family to the GB18030 decoder', () => {
    expect(decoderLabel('GB2312')).toBe('gb18030');
    expect(decoderLabel('gbk')).toBe('gb18030');
    expect(decoderLabel('"utf-8"')).toBe('utf-8');
    expect(decoderLabel('no-such-charset')).toBe('utf-8');
  });

  it('decodes GBK declared in <meta charset>', () => {
    const bytes = encodeGbk('<html><head><meta charset="gbk"><title>沂水县人民政府</title></head></html>');
    const { text, charset } = decodeBody(bytes, 'text/html');
    expect(charset).toBe('gb18030');
    expect(extractTitle(text)).toBe('沂水县人民政府');
  });

  it('lets the Content-Type header win over the document', () => {
    const bytes = Buffer.from('<meta charset="gbk"><title>费县</title>', 'utf8');
    expect(extractTitle(decodeBody(bytes, 'text/html; charset=utf-8').text)).toBe('费县');
  });

  it('defaults to UTF-8 and honours a BOM', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<title>蒙阴县</title>')]);
    expect(decodeBody(bom, 'text/html; charset=gbk').charset).toBe('utf-8');
    expect(decodeBody(Buffer.from('<title>平邑县</title>')).charset).toBe('utf-8');
  });
});

describe('titles, text and links', () => {
  it('extracts and cleans the title', () => {
    expect(extractTitle('<TITLE lang="zh">\n  临沂市&nbsp;人民政府 &amp; 大数据局 </TITLE>')).toBe('临沂市 人民政府 & 大数据局');
    expect(extractTitle('<title></title>')).toBeUndefined();
    expect(extractTitle('<p>no title</p>')).toBeUndefined();
  });

  it('keeps only what a reader sees', () => {
    expect(visibleText('<style>p{}</style><script>var a=1</script><p>政务&#x516C;开</p><!-- x -->')).toBe('政务公开');
  });

  it('resolves links against the page, dropping fragments, scripts and duplicates', () => {
    const html = `<a href="/news/1">a</a><a href='news/2#top'>b</a><a href=/news/1>dup</a>
      <a href="javascript:void(0)">x</a><a href="mailto:a@b.c">m</a><a href="#top">t</a>
      <a class="x" href="https://data.linyi.gov.cn/?a=1&amp;b=2">d</a><a name="anchor">no href</a>`;
    expect(extractLinks(html, 'http://www.linyi.gov.cn/col/index.html')).toEqual([
      'http://www.linyi.gov.cn/news/1',
      'http://www.linyi.gov.cn/col/news/2',
      'https://data.linyi.gov.cn/?a=1&b=2',
    ]);
  });
});

describe('normalised content hash', () => {
  const pageAt = (token: string, time: string, version: string, nonce: string) => `<!doctype html>
<html><head>
<meta name="csrf-token" content="${token}">
<meta name="_csrf" content="${token}">
<link href="/css/site.css?v=${version}" rel="stylesheet"><script src="/js/app.js?${version}"></script>
<script nonce="${nonce}">window.__token = "${token}"; var ts = ${version};</script>
</head><body>
<form><input type="hidden" name="__RequestVerificationToken" value="${token}"><input type="text" name="q" value="搜索"></form>
<div>今天是 ${time}</div><!-- generated ${time} -->
<ul><li>关于开展政务信息系统大排查大整改的通知</li></ul>
</body></html>`;

  it('ignores tokens, nonces, times, cache busters and whitespace', () => {
    const a = pageAt('a1b2c3', '2026年10月10日 星期六 13:55:36', '1760000000', 'n1');
    const b = pageAt('zz99yy', '2026年11月24日 星期二 09:01:02', '1763000000123', 'n2').replace(/\n/g, '\n\n  ');
    expect(contentHash(a)).toBe(contentHash(b));
  });

  it('changes when the content changes', () => {
    const a = pageAt('t', '2026-10-10 13:55:36', '1', 'n');
    const b = a.replace('大排查大整改', '年度总结');
    expect(contentHash(a)).not.toBe(contentHash(b));
  });

  it('keeps visible form values and ordinary meta tags', () => {
    const normalized = normalizeHtml('<meta name="description" content="临沂"><input type="hidden" name="page" value="2">');
    expect(normalized).toContain('description');
    expect(normalized).toContain('name="page"');
  });

  it('hashes non-HTML text with only whitespace normalised', () => {
    expect(contentHash('{"a": 1}\n', false)).toBe(contentHash('{"a":  1}', false));
  });
});

describe('page similarity', () => {
  const page = (body: string) => `<html><head><title>临沂市人民政府</title></head><body>${body}</body></html>`;

  it('is 1 for the same page and near 1 for a page differing only in the date', () => {
    expect(pageSimilarity(page('<p>新闻一</p>'), page('<p>新闻一</p>'))).toBe(1);
    expect(pageSimilarity(page('<p>新闻一 2026-10-10</p>'), page('<p>新闻一 2026-10-11</p>'))).toBe(1);
  });

  it('is low for different pages', () => {
    const portal = page('<p>政务公开 政务服务 互动交流 关于开展政务信息系统大排查大整改的通知</p>');
    const placeholder = '<html><title>IPv6 test</title><body>It works!</body></html>';
    expect(pageSimilarity(portal, placeholder)).toBeLessThan(0.1);
  });
});
