import { classKey } from '../data/class-keys.js';
import { knownTargetNames, parseTarget, parseTargetName, TargetError } from '../metrics/targets.js';
import { metricNames, metrics } from '../registry/metrics/index.js';
import type { IssueCollector } from './collector.js';
import { closest } from './suggest.js';
import type { Mapping } from './merge.js';

/**
 * Each target must parse (`'>= 0.85'`) and name a metric; per-class names (`recall_NORMAL`)
 * are checked against the classes where those are known.
 */
export function checkTargets(targets: Mapping, classes: string[] | undefined, issues: IssueCollector): void {
  for (const [name, expression] of Object.entries(targets)) {
    try {
      parseTarget(expression as string | number);
    } catch (e) {
      if (!(e instanceof TargetError)) throw e;
      issues.add(['targets', name], `targets.${name}: ${e.message}`);
    }
    // Without known classes, per-class names cannot be checked; judge the rest with none.
    const known = classes ?? [];
    try {
      parseTargetName(name, known);
    } catch (e) {
      if (!(e instanceof TargetError)) throw e;
      if (!classes && /_/.test(name)) continue;
      const names = knownTargetNames(known);
      // A class named as written (`recall_A+B`) where targets take its key (`recall_A_B-<6 hex>`).
      const perClass = metricNames('target').filter((m) => metrics.get(m).perClass);
      const byName = perClass.flatMap((m) => known.filter((c) => name === `${m}_${c}`).map((c) => `${m}_${classKey(c)}`));
      const guess = byName[0] ?? closest(name, names);
      issues.add(['targets', name], `unknown target '${name}'` + (guess ? ` (did you mean '${guess}'?)` : ''), [`known targets: ${names.join(', ')}`], 'key');
    }
  }
}
