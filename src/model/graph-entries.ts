import { checkSchema } from '../config/ajv.js';
import { dotted, IssueCollector, show } from '../config/collector.js';
import { locate, type PathKey } from '../config/locate.js';
import { isMapping, type Mapping } from '../config/merge.js';
import { closest } from '../config/suggest.js';
import type { LayerEntry } from '../registry/architectures/architecture.js';
import { layers } from '../registry/layers/index.js';
import { MODEL_INPUT } from './spec.js';

/** Keys an entry of a `layers:` list may carry beside its one layer or block. */
const ENTRY_KEYS = ['id', 'in', 'repeat'] as const;
/** Blocks inside blocks deeper than this are taken for a block that uses itself. */
const MAX_BLOCK_DEPTH = 16;

/** A model as YAML writes it: its layers, and the params and blocks they may use. */
export interface GraphModelDef {
  layers: unknown[];
  params?: Mapping;
  blocks?: Mapping;
}

interface Scope {
  /** Prefix of the ids made inside this list (a block instance's name and a slash). */
  prefix: string;
  /** Global id of the list's `input`. */
  input: string;
  /** $name values: the block's params, then the model's. */
  vars: Mapping;
  /** Config path of the list. */
  keys: PathKey[];
  depth: number;
}

interface Node extends LayerEntry {
  id: string;
  inputs: string[];
  keys: PathKey[];
}

/** `$name`, or `$name*k` / `$name/k` with a whole number k (widths that follow a width: `$width*2`). */
const PARAM_REF = /^\$([A-Za-z_]\w*)(?:\s*([*/])\s*(\d+))?$/;

/** Replaces every `$name` string in `value` by that param's value; an unknown one is an issue at its path. */
function substitute(value: unknown, vars: Mapping, keys: PathKey[], issues: IssueCollector): unknown {
  const ref = typeof value === 'string' ? PARAM_REF.exec(value) : null;
  if (ref) {
    const [, name, op, k] = ref as unknown as [string, string, string | undefined, string | undefined];
    if (!(name in vars)) {
      const near = closest(name, Object.keys(vars));
      issues.add(keys, `unknown param '$${name}'${near ? ` (did you mean '$${near}'?)` : ''}`, [Object.keys(vars).length ? `params here: ${Object.keys(vars).map((v) => `$${v}`).join(', ')}` : 'no params are declared here: add `params: {name: default}` to the model or block']);
      return value;
    }
    const v = vars[name];
    if (op === undefined) return structuredClone(v);
    if (typeof v !== 'number') {
      issues.add(keys, `${show(value)} multiplies or divides '$${name}', which is ${show(v)}, not a number`);
      return value;
    }
    return op === '*' ? v * Number(k) : v / Number(k);
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, vars, [...keys, i], issues));
  if (isMapping(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars, [...keys, k], issues)]));
  return value;
}

const hasParamRef = (value: unknown): boolean =>
  typeof value === 'string' ? PARAM_REF.test(value) : Array.isArray(value) ? value.some(hasParamRef) : isMapping(value) ? Object.values(value).some(hasParamRef) : false;

/**
 * Rewrites a layers list in place as a run records it: `- flatten` as `{flatten: {}}`, and each
 * layer's params with their defaults filled in (where no `$param` is used), so that the logged
 * config says every value the layers ran with.
 */
export function fillLayerDefaults(list: unknown[]): void {
  list.forEach((raw, i) => {
    if (typeof raw === 'string' && layers.has(raw)) list[i] = { [raw]: {} };
    const entry = list[i];
    if (!isMapping(entry)) return;
    const name = Object.keys(entry).find((k) => !(ENTRY_KEYS as readonly string[]).includes(k));
    if (name === undefined || !layers.has(name)) return;
    const args = entry[name] ?? {};
    if (!isMapping(args) || hasParamRef(args)) return;
    entry[name] = args;
    checkSchema(layers.get(name).params, args, [], new IssueCollector([]));
  });
}

/**
 * Expands a model's `layers:` (with `id:`, `in:`, `repeat:`, `$params` and `blocks:`) into layer
 * entries whose inputs are named, in topological order, the output last. Every problem is added
 * to `issues` at its place in the file; the result is undefined when there was one.
 */
export function expandGraph(def: GraphModelDef, values: Mapping, keys: PathKey[], issues: IssueCollector): LayerEntry[] | undefined {
  const before = issues.issues.length;
  const blocks = def.blocks ?? {};
  const nodes: Node[] = [];
  const counters = new Map<string, number>();
  const fresh = (prefix: string, name: string): string => {
    const key = `${prefix}${name}`;
    const n = counters.get(key) ?? 0;
    counters.set(key, n + 1);
    return `${key}_${n}`;
  };

  const expandList = (list: unknown[], scope: Scope): string => {
    const entryKeys = (i: number): PathKey[] => [...scope.keys, i];
    // Local ids first, so that `in:` may name a later entry (a cycle is then found below).
    const local = new Map<string, string>([[MODEL_INPUT, scope.input]]);
    const outputs: string[] = [];
    list.forEach((raw, i) => {
      const id = isMapping(raw) && typeof raw.id === 'string' ? raw.id : undefined;
      if (id === undefined) return;
      if (local.has(id)) issues.add([...entryKeys(i), 'id'], id === MODEL_INPUT ? `id '${MODEL_INPUT}' names the input; choose another` : `id '${id}' is given twice`);
      else local.set(id, `${scope.prefix}${id}`);
    });
    list.forEach((raw, i) => {
      const at = entryKeys(i);
      const fields = typeof raw === 'string' ? {} : isMapping(raw) ? raw : undefined;
      const names = typeof raw === 'string' ? [raw] : fields ? Object.keys(fields).filter((k) => !(ENTRY_KEYS as readonly string[]).includes(k)) : [];
      if (!fields || names.length !== 1) {
        issues.add(at, `an entry is one layer or block, \`- name: {params}\`, with optional ${ENTRY_KEYS.join(', ')} (got ${show(raw)})`);
        outputs.push(scope.input);
        return;
      }
      const name = names[0]!;
      const nameAt = typeof raw === 'string' ? at : [...at, name];
      const isBlock = isMapping(blocks[name]);
      if (!isBlock && !layers.has(name)) {
        const near = closest(name, [...layers.names(), ...Object.keys(blocks)]);
        const kind = Object.keys(blocks).length ? 'layer or block' : 'layer';
        issues.add(nameAt, `unknown ${kind} '${name}'${near ? ` (did you mean '${near}'?)` : ''}`, [`registered layers: ${layers.names().join(', ')}`, ...(Object.keys(blocks).length ? [`blocks: ${Object.keys(blocks).join(', ')}`] : []), 'see them with their params: exp list'], 'key');
        outputs.push(scope.input);
        return;
      }
      // `- activation: relu`: a layer with one param may be given its value alone.
      const only = isBlock ? [] : Object.keys((layers.get(name).params.properties as Mapping | undefined) ?? {});
      const given = fields[name] ?? {};
      const args = !isMapping(given) && only.length === 1 && !Array.isArray(given) ? { [only[0]!]: given } : given;
      if (!isMapping(args)) {
        issues.add(nameAt, `${dotted(nameAt)} takes its params as a mapping, \`- ${name}: {...}\` (got ${show(args)})`);
        outputs.push(scope.input);
        return;
      }
      const params = substitute(args, scope.vars, nameAt, issues) as Mapping;

      // Inputs: `in:` (local ids), else the entry before (the list's input for the first).
      const previous = i === 0 ? scope.input : outputs[i - 1]!;
      let inputs = [previous];
      if (fields.in !== undefined) {
        const refs = Array.isArray(fields.in) ? fields.in : [fields.in];
        if (refs.length === 0 || !refs.every((r) => typeof r === 'string')) {
          issues.add([...at, 'in'], `in: takes an id or a list of ids (got ${show(fields.in)})`);
        } else if (i === 0 && (refs.length !== 1 || refs[0] !== MODEL_INPUT)) {
          issues.add([...at, 'in'], `the first entry takes the input: its in: can only be '${MODEL_INPUT}' (got ${show(fields.in)})`);
        } else {
          inputs = (refs as string[]).map((r, k) => {
            const found = local.get(r);
            if (found !== undefined) return found;
            const near = closest(r, [...local.keys()]);
            issues.add(Array.isArray(fields.in) ? [...at, 'in', k] : [...at, 'in'], `unknown id '${r}'${near ? ` (did you mean '${near}'?)` : ''}`, [`ids here: ${[...local.keys()].join(', ')}`]);
            return previous;
          });
        }
      }

      let repeat = 1;
      if (fields.repeat !== undefined) {
        const n = substitute(fields.repeat, scope.vars, [...at, 'repeat'], issues);
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
          if (typeof fields.repeat !== 'string' || !fields.repeat.startsWith('$') || typeof n !== 'string') issues.add([...at, 'repeat'], `repeat must be a whole number of at least 1 (got ${show(n)}${n !== fields.repeat ? ` from ${show(fields.repeat)}` : ''})`);
        } else {
          repeat = n;
        }
      }

      const id = local.get(typeof fields.id === 'string' ? fields.id : '') ?? undefined;
      let out = '';
      for (let copy = 0; copy < repeat; copy++) {
        const last = copy === repeat - 1;
        const copyInputs = copy === 0 ? inputs : [out];
        if (isBlock) {
          out = expandBlock(name, params, nameAt, copyInputs, scope, last ? id : undefined);
        } else {
          out = last && id !== undefined ? id : fresh(scope.prefix, name);
          // A copy's params are its own: the schema fills in defaults in place.
          const own = structuredClone(params);
          checkSchema(layers.get(name).params, own, nameAt, issues);
          nodes.push({ layer: name, params: own, id: out, inputs: copyInputs, keys: nameAt });
        }
      }
      outputs.push(out);
    });
    return outputs.at(-1) ?? scope.input;
  };

  const expandBlock = (name: string, args: Mapping, at: PathKey[], inputs: string[], scope: Scope, id: string | undefined): string => {
    const block = blocks[name] as Mapping;
    const blockKeys = [...keys, 'blocks', name];
    if (scope.depth >= MAX_BLOCK_DEPTH) {
      issues.add(at, `block '${name}' is nested more than ${MAX_BLOCK_DEPTH} deep: does it use itself?`);
      return inputs[0]!;
    }
    if (inputs.length !== 1) {
      issues.add(at, `block '${name}' takes one input (got ${inputs.length})`);
      return inputs[0]!;
    }
    const declared = isMapping(block.params) ? block.params : {};
    for (const k of Object.keys(args).filter((k) => !(k in declared))) {
      const near = closest(k, Object.keys(declared));
      issues.add([...at, k], `block '${name}' has no param '${k}'${near ? ` (did you mean '${near}'?)` : ''}`, [`its params: ${Object.keys(declared).join(', ') || 'none'}`], 'key');
    }
    const prefix = id !== undefined ? `${id}/` : `${fresh(scope.prefix, name)}/`;
    const list = Array.isArray(block.layers) ? block.layers : [];
    const out = expandList(list, { prefix, input: inputs[0]!, vars: { ...values, ...declared, ...args }, keys: [...blockKeys, 'layers'], depth: scope.depth + 1 });
    if (id === undefined) return out;
    // The block's output takes the entry's id: rename its last node.
    const lastNode = nodes.find((n) => n.id === out);
    if (lastNode) {
      for (const n of nodes) n.inputs = n.inputs.map((i) => (i === out ? id : i));
      lastNode.id = id;
      return id;
    }
    return out;
  };

  expandList(def.layers, { prefix: '', input: MODEL_INPUT, vars: values, keys: [...keys, 'layers'], depth: 0 });
  if (issues.issues.length > before) return undefined;
  const sorted = topologicalOrder(nodes, issues);
  if (!sorted) return undefined;
  return sorted.map(({ layer, params, id, inputs, keys: at }) => ({ layer, params, id, inputs, where: locate(issues.sources, issues.overrides, at, 'key') }));
}

/** Nodes with every node after its inputs (list order among the rest); a cycle or an unused output is an issue. */
function topologicalOrder(nodes: Node[], issues: IssueCollector): Node[] | undefined {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const used = new Set(nodes.flatMap((n) => n.inputs));
  const output = nodes.at(-1);
  let ok = true;
  for (const n of nodes) {
    if (n !== output && !used.has(n.id)) {
      issues.add(n.keys, `the output of ${n.id.replace(/_\d+$/, '')} (${n.id}) is not used by any entry: give a later entry \`in: ${n.id}\`, or remove it`, [], 'key');
      ok = false;
    }
  }
  const order: Node[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: Node, path: string[]): void => {
    if (state.get(n.id) === 'done') return;
    if (state.get(n.id) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(n.id)), n.id];
      issues.add(n.keys, `the entries form a cycle: ${cycle.join(' -> ')}`, ['each entry must take only inputs computed before it']);
      ok = false;
      return;
    }
    state.set(n.id, 'visiting');
    for (const i of n.inputs) {
      const from = byId.get(i);
      if (from) visit(from, [...path, n.id]);
    }
    state.set(n.id, 'done');
    order.push(n);
  };
  for (const n of nodes) visit(n, []);
  return ok ? order : undefined;
}
