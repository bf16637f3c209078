/** Markdown cells and code spans as GFM reads them, and shell words as sh reads them back. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatSeconds } from '../../src/core/progress.js';
import { codeSpan, markdownTable, markdownText } from '../../src/text/markdown.js';
import { shellWord } from '../../src/text/shell.js';

describe('markdownText', () => {
  it('escapes what Markdown acts on, the backslash first, and shows control characters', () => {
    expect(markdownText('cnn2 fold=3/5 (5-fold)')).toBe('cnn2 fold=3/5 (5-fold)');
    expect(markdownText('a|b')).toBe('a\\|b');
    // A name holding `\|` keeps its backslash: `\\` reads as `\`, `\|` as `|`.
    expect(markdownText('a\\|b')).toBe('a\\\\\\|b');
    expect(markdownText('*bold* _x_ `c` <b> [l](u) ~s~ &amp; #1')).toBe('\\*bold\\* \\_x\\_ \\`c\\` \\<b\\> \\[l\\](u) \\~s\\~ \\&amp; \\#1');
    // Rendered, as the terminal shows it (`two\nlines\x1b[2J`): the escapes' backslashes escaped too.
    expect(markdownText('two\nlines\x1b[2J')).toBe('two\\\\nlines\\\\x1b\\[2J');
  });
});

describe('codeSpan', () => {
  it('escapes only |, and fences backticks with a longer run', () => {
    expect(codeSpan('exp run a.yaml')).toBe('`exp run a.yaml`');
    expect(codeSpan("--set 'g=(a\\d+|b)'")).toBe("`--set 'g=(a\\d+\\|b)'`");
    expect(codeSpan('echo `x` ``y``')).toBe('``` echo `x` ``y`` ```');
  });

  it('builds a table whose rows have the header\'s cells', () => {
    expect(markdownTable(['a', 'b'], [[markdownText('x|y'), codeSpan('p|q')]])).toBe('| a | b |\n| --- | --- |\n| x\\|y | `p\\|q` |');
  });
});

describe('shellWord', () => {
  it('leaves safe words bare and quotes the rest so that sh reads each back unchanged', () => {
    expect(shellWord('train.seed=7')).toBe('train.seed=7');
    expect(shellWord('experiments/resnet18.yaml')).toBe('experiments/resnet18.yaml');
    const words = ['name=tiny s8', "it's", '$HOME', '`id`', 'a|b;c&d', 'back\\slash "q"', 'new\nline', '', '*', '!x'];
    for (const w of words) expect(shellWord(w)).not.toBe(w);
    const r = spawnSync('sh', ['-c', `for w in ${words.map(shellWord).join(' ')}; do printf '%s\\0' "$w"; done`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(words);
  });
});

describe('formatSeconds', () => {
  it('seconds, minutes and seconds, hours and minutes, rounded once', () => {
    expect([12.34, 59.94, 59.97, 65, 119.6, 3599.4, 3599.6, 3911, 7620].map(formatSeconds)).toEqual(['12.3s', '59.9s', '1m00s', '1m05s', '2m00s', '59m59s', '1h00m', '1h05m', '2h07m']);
    expect(formatSeconds(NaN)).toBe('?');
  });
});
