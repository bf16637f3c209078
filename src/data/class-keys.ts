import { createHash } from 'node:crypto';
import { DataError } from './errors.js';

/**
 * What MLflow takes in a metric, param or tag key (`^[/\w.\- ]*$`, ASCII here as in
 * src/tracking/validation.ts), less `/`, which would make a class a sub-folder of the file store.
 */
const KEY_CHARS = /[^\w.\- ]+/g;
/** Keys are at most 250 characters; this leaves room for the longest prefix (`exp.target.specificity_`). */
const MAX_CLASS_KEY = 200;

/**
 * The key a class name takes inside metric, param and tag keys (`test_recall_<key>`,
 * `class_weight.<key>`) and target names (`recall_<key>`). A name made of letters, digits,
 * `_ - .` and spaces is its own key (NORMAL stays NORMAL). Otherwise accents are dropped (Á -> A,
 * by Unicode decomposition); if that is not enough, every run of other characters becomes one
 * `_` and the first 6 hex digits of the name's sha256 are appended, so that names differing
 * only there (`A+B`, `A&B`; two Chinese names) keep distinct keys: `NORMÁL` -> `NORMAL`,
 * `A+B` -> `A_B-<6 hex>`, `NORMÁL 😷` -> `NORMAL _-<6 hex>`. The same name always gives the
 * same key; the rare collision left (`NORMÁL` beside `NORMAL`) is refused by `classKeys`.
 */
export function classKey(name: string): string {
  const plain = name.normalize('NFKD').replace(/\p{M}+/gu, '');
  const key = plain.replace(KEY_CHARS, '_');
  if (key === plain && key !== '') return key.slice(0, MAX_CLASS_KEY);
  return `${key.slice(0, MAX_CLASS_KEY - 7)}-${createHash('sha256').update(name).digest('hex').slice(0, 6)}`;
}

/** Each class's key, in class order; a DataError when two classes would share one. */
export function classKeys(classes: readonly string[]): string[] {
  const keys = classes.map(classKey);
  const seen = new Map<string, string>();
  classes.forEach((name, i) => {
    const other = seen.get(keys[i]!);
    if (other !== undefined) {
      throw new DataError(`classes '${other}' and '${name}' would both be logged as '${keys[i]}' (MLflow keys take letters, digits, _ - . and spaces): rename one of them`);
    }
    seen.set(keys[i]!, name);
  });
  return keys;
}
