import type { TSchema } from '@sinclair/typebox';

/** A params schema as one short line per param: `name: type (default x) - description`. */
function typeOf(s: TSchema): string {
  if (s.enum) return (s.enum as unknown[]).join('|');
  if (s.anyOf) return (s.anyOf as TSchema[]).map(typeOf).join(' or ');
  if (s.type === 'array') {
    if (Array.isArray(s.items)) return `[${(s.items as TSchema[]).map(typeOf).join(', ')}]`;
    const n = s.minItems !== undefined && s.minItems === s.maxItems ? `${String(s.minItems)} ` : '';
    return `list of ${n}${s.items ? typeOf(s.items as TSchema) : "any"}`;
  }
  const bounds = [
    s.minimum !== undefined ? `>= ${String(s.minimum)}` : '',
    s.exclusiveMinimum !== undefined ? `> ${String(s.exclusiveMinimum)}` : '',
    s.maximum !== undefined ? `<= ${String(s.maximum)}` : '',
    s.exclusiveMaximum !== undefined ? `< ${String(s.exclusiveMaximum)}` : '',
  ].filter(Boolean);
  return `${String(s.type ?? 'any')}${bounds.length ? ` ${bounds.join(', ')}` : ''}`;
}

export function describeParams(schema: TSchema): string[] {
  const properties = (schema.properties ?? {}) as Record<string, TSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, s]) => {
    const dflt = s.default !== undefined ? ` = ${JSON.stringify(s.default)}` : required.has(name) ? ' (required)' : '';
    return `${name}: ${typeOf(s)}${dflt}${s.description ? `  - ${String(s.description)}` : ''}`;
  });
}
