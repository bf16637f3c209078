import { describe, expect, it } from 'vitest';
import { predictionsCsv } from '../../src/runner/predictions-csv.js';
import { parseCsv } from '../../src/text/csv.js';

describe('parseCsv', () => {
  it('reads quoted fields with commas, quotes and line breaks, and CRLF rows', () => {
    expect(parseCsv('a,"b,c","say ""hi""","two\nlines"\r\n1,,3,\n')).toEqual([
      ['a', 'b,c', 'say "hi"', 'two\nlines'],
      ['1', '', '3', ''],
    ]);
    expect(parseCsv('x,y')).toEqual([['x', 'y']]);
    expect(parseCsv('')).toEqual([]);
  });

  it('reads back what predictionsCsv writes', () => {
    const text = predictionsCsv({
      dataDir: '/d',
      classes: ['A,1', 'B"2'],
      threshold: 0.5,
      splits: [{ name: 'test', split: { files: ['/d/test/A,1/x.png'], y: new Int32Array([0]), count: 1 }, outputs: new Float32Array([0.25]) }],
    });
    expect(parseCsv(text)).toEqual([
      ['file', 'split', 'true_class', 'predicted_class', 'p_A,1', 'p_B"2'],
      ['test/A,1/x.png', 'test', 'A,1', 'A,1', '0.75', '0.25'],
    ]);
  });
});
