/**
 * 严重错误 (wording): wrong → right terms (错敏词) of the policy matched in a page's visible text. Pure,
 * never throws. Each hit keeps its page and a little context, so a reviewer sees it without the page.
 */

export interface WordingTerm {
  wrong: string;
  right: string;
}

export interface WordingHit {
  wrong: string;
  right: string;
  page: string;
  /** Up to `contextChars` characters either side of the hit. */
  context: string;
}

export function findWordingErrors(text: string, terms: ReadonlyArray<WordingTerm>, page: string, max = 20, contextChars = 15): WordingHit[] {
  const hits: WordingHit[] = [];
  for (const t of terms) {
    if (!t.wrong) continue;
    let from = 0;
    for (;;) {
      const i = text.indexOf(t.wrong, from);
      if (i < 0 || hits.length >= max) break;
      // A wrong term that is part of the right one ("中华人民共和" inside "中华人民共和国") is no error.
      const around = text.slice(Math.max(0, i - t.right.length), i + t.wrong.length + t.right.length);
      if (!(t.right && t.right.includes(t.wrong) && around.includes(t.right))) {
        hits.push({ wrong: t.wrong, right: t.right, page, context: text.slice(Math.max(0, i - contextChars), i + t.wrong.length + contextChars) });
      }
      from = i + t.wrong.length;
    }
  }
  return hits;
}
