/**
 * The most frequent words of ticket subjects, Chinese included: Latin words of three letters or more (minus common
 * stop words), and for runs of Chinese characters their two-character words (bigrams), the usual cheap stand-in for
 * word segmentation. Good enough to see "发票" or "printer" rise in a week; not a linguistic analysis.
 */
const STOP = new Set(
  "the and for with from that this have has are was were not you your our can cannot could would please help need about into when what why how get got still just there their them they its it's hello thanks thank dear".split(
    ' ',
  ),
);
const CJK_STOP = new Set([
  '你好',
  '请问',
  '谢谢',
  '我们',
  '你们',
  '一下',
  '没有',
  '什么',
  '怎么',
  '可以',
  '一个',
  '这个',
  '那个',
  '问题',
]);
const CJK_RUN = /[\u3400-\u4dbf\u4e00-\u9fff]+/g;
const WORD = /[a-z][a-z0-9'-]{2,}/g;

export function keywordsOf(text: string): string[] {
  const out = new Set<string>();
  const lower = text.toLowerCase();
  for (const w of lower.match(WORD) ?? []) if (!STOP.has(w)) out.add(w);
  for (const run of text.match(CJK_RUN) ?? []) {
    if (run.length === 1) continue;
    for (let i = 0; i + 2 <= run.length; i++) {
      const bigram = run.slice(i, i + 2);
      if (!CJK_STOP.has(bigram)) out.add(bigram);
    }
  }
  return [...out];
}

/** Counts each keyword once per text; the `limit` most frequent, ties by text. */
export function topKeywords(texts: string[], limit = 20): Array<{ keyword: string; tickets: number }> {
  const counts = new Map<string, number>();
  for (const t of texts) for (const k of keywordsOf(t)) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts]
    .filter(([, n]) => n > 1 || texts.length < 10)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([keyword, tickets]) => ({ keyword, tickets }));
}
