import { composite } from './formulas';
import { keywordsOf, topKeywords } from './keywords';

describe('topics', () => {
  it('finds Latin words and Chinese bigrams, without stop words', () => {
    expect(keywordsOf('The printer is offline')).toEqual(['printer', 'offline']);
    expect(keywordsOf('你好，发票开错了')).toEqual(['发票', '票开', '开错', '错了']);
  });

  it('ranks by the number of subjects a keyword appears in', () => {
    const top = topKeywords(['发票开错了', '发票没收到', 'Printer offline', 'printer jams', '发票抬头'], 3);
    expect(top).toEqual([
      { keyword: '发票', tickets: 3 },
      { keyword: 'printer', tickets: 2 },
      { keyword: 'jams', tickets: 1 },
    ]);
  });
});

describe('scorecard formula', () => {
  it('weighs the parts that have data and leaves the others out', () => {
    expect(composite({ response: 100, resolution: 50, afterSales: 100, satisfaction: 50, disputes: 100 })).toBe(75);
    // Only satisfaction (30) and after-sales (20): (30 × 60 + 20 × 90) ÷ 50 = 72.
    expect(composite({ response: null, resolution: null, afterSales: 90, satisfaction: 60, disputes: null })).toBe(72);
    expect(composite({ response: null, resolution: null, afterSales: null, satisfaction: null, disputes: null })).toBe(
      null,
    );
  });
});
