import { csvCell, toCsv } from './csv';

describe('CSV export', () => {
  it('neutralises cells that a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+86 138')).toBe("'+86 138");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('\rcmd')).toBe(`"'\rcmd"`);
  });

  it('leaves numbers, plain text and Chinese alone, and quotes what needs quoting', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(12.5)).toBe('12.5');
    expect(csvCell(null)).toBe('');
    expect(csvCell('发票')).toBe('发票');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
  });

  it('writes a header, CRLF rows and a BOM', () => {
    const csv = toCsv([
      { tag: '=cmd', tickets: 2 },
      { tag: '打印机', tickets: 1 },
    ]);
    expect(csv).toBe("\uFEFFtag,tickets\r\n'=cmd,2\r\n打印机,1\r\n");
  });
});
