import { spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/core/print-issues.js';
import { loadRuns } from '../../src/config/expand.js';
import { loadExperiment } from '../../src/config/load.js';
import { deepMerge } from '../../src/config/merge.js';
import { parseOverrides } from '../../src/config/overrides.js';
import { maskSecrets } from '../../src/config/secrets.js';
import { loadAndValidate } from '../../src/config/validate.js';
import { ExperimentDir, headlines, issuesOf, shown, VALID } from '../helpers/experiment-files.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(REPO, 'bin', 'exp.js');

let dir: ExperimentDir;
beforeEach(() => {
  dir = new ExperimentDir();
});
afterEach(() => dir.cleanup());

describe('keys that reach the prototype', () => {
  it.each(['__proto__.x=1', 'train.__proto__.epochs=3', 'constructor.prototype.x=1', 'train.constructor=1'])('refuses --set %s as that override', (text) => {
    const { overrides, issues } = parseOverrides([text]);
    expect(overrides).toEqual([]);
    expect(headlines(issues)).toEqual([expect.stringMatching(new RegExp(`^--set ${text.replace(/[.]/g, '\\.')}: refusing override .*is not a config key$`))]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('refuses a sweep key through the prototype, at the key', () => {
    const f = dir.write('exp.yaml', `${VALID}sweep:\n  grid:\n    __proto__.x: [1, 2]\n`);
    expect(headlines(issuesOf(() => loadRuns(f)))).toEqual([`${shown(f)}:12:5: sweep key '__proto__.x': '__proto__' is not a config key`]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('keeps a __proto__ key of a file as data: merged as an own key and reported as unknown', () => {
    const merged = deepMerge({ a: 1 }, JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged)).toEqual(['a', '__proto__']);
    dir.write('base.yaml', VALID);
    const f = dir.write('exp.yaml', 'extends: base.yaml\n__proto__: {polluted: true}\n');
    expect(headlines(issuesOf(() => loadAndValidate(f)))).toEqual([`${shown(f)}:2:1: unknown key '__proto__' in the experiment`]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('what a config file may be', () => {
  it('refuses extends of a device without reading it', () => {
    const f = dir.write('exp.yaml', 'extends: /dev/zero\n');
    expect(headlines(issuesOf(() => loadExperiment(f)))).toEqual([
      `${shown(f)}:1:10: cannot read experiment /dev/zero: is not a regular file (a device, pipe or socket)`,
    ]);
  });

  it('refuses a file over 4 MB', () => {
    dir.write('big.yaml', `${VALID}description: "${'x'.repeat(4 * 1024 * 1024)}"\n`);
    const f = dir.write('exp.yaml', 'extends: big.yaml\n');
    expect(headlines(issuesOf(() => loadExperiment(f)))[0]).toMatch(/: cannot read experiment .*big\.yaml: is \d+ bytes; an experiment file may have at most 4194304$/);
  });

  it('follows a symlink to a regular file', () => {
    const target = dir.write('real.yaml', VALID);
    symlinkSync(target, path.join(dir.root, 'link.yaml'));
    expect(loadAndValidate(path.join(dir.root, 'link.yaml')).config.name).toBe('n');
  });

  it('never echoes a file that is not YAML text (the environment of /proc/self/environ)', () => {
    const environ = dir.write('environ', 'PATH=/bin\0MLFLOW_TRACKING_TOKEN=s3cr3t-value\0HOME=/root\0');
    const f = dir.write('exp.yaml', `extends: ${environ}\n`);
    const issues = issuesOf(() => loadExperiment(f));
    expect(headlines(issues)).toEqual([`${shown(f)}:1:10: cannot read experiment ${environ}: it is not a YAML text file (it holds control characters or bytes that are not UTF-8)`]);
    expect(issues.map(formatIssue).join('\n')).not.toContain('s3cr3t');
  });
});

describe('secrets in printed errors', () => {
  it('masks the values of token, password and key names', () => {
    expect(maskSecrets('MLFLOW_TRACKING_TOKEN=abc123 and password: hunter2, {"api_key": "k-1"} AWS_SECRET_ACCESS_KEY=zz')).toBe(
      'MLFLOW_TRACKING_TOKEN=*** and password: ***, {"api_key": "***"} AWS_SECRET_ACCESS_KEY=***',
    );
    // Ordinary messages about keys are left alone.
    expect(maskSecrets("unknown key 'trian'; allowed keys: experiment, name")).toBe("unknown key 'trian'; allowed keys: experiment, name");
  });

  it('masks them in a code frame', () => {
    const f = dir.write('exp.yaml', `${VALID}mlflow_token: abc123\n`);
    const text = issuesOf(() => loadAndValidate(f)).map(formatIssue).join('\n');
    expect(text).toContain("unknown key 'mlflow_token'");
    expect(text).toContain('> 10 | mlflow_token: ***');
    expect(text).not.toContain('abc123');
  });
});

describe('a file with thousands of problems', () => {
  it('locates each of 2,000 unknown keys correctly and prints 50, counting the rest', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `unknown_${i}: ${i}`).join('\n');
    const f = dir.write('exp.yaml', `${VALID}${keys}\n`);
    const issues = issuesOf(() => loadAndValidate(f));
    expect(issues).toHaveLength(2000);
    expect(headlines(issues).slice(-1)).toEqual([`${shown(f)}:2009:1: unknown key 'unknown_1999' in the experiment`]);
    const r = spawnSync(process.execPath, [BIN, 'validate', '--no-data', 'exp.yaml'], { cwd: dir.root, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('exp.yaml:'))).toHaveLength(50);
    expect(lines.slice(-2)).toEqual(['... and 1,950 more', '2,000 problems found']);
  });

  it('shows a long line cut around the column, the caret under it', () => {
    const f = dir.write('exp.yaml', `${VALID}description: {${'a: 1, '.repeat(100)}bad key here: [}\n`);
    const frame = formatIssue(issuesOf(() => loadExperiment(f))[0]!).split('\n');
    expect(frame[2]).toMatch(/^> 10 \| \.\.\..*\[}$/);
    expect(frame[2]!.length).toBeLessThan(200);
    expect(frame[3]!.length).toBeLessThan(200);
  });
});
