import type { GroupInspection } from './groups.js';
import { tally, type DataInspection } from './inspect.js';

const ratio = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}:1` : 'a class is missing');

function groupLines(g: GroupInspection, maxListed: number): string[] {
  const out = [`groups by ${JSON.stringify(g.pattern)} on the file ${g.from}: ${g.splits.map((s) => `${s.split} ${s.groups} (${s.images} image${s.images === 1 ? '' : 's'})`).join(', ')}`];
  const bySplits = Object.entries(tally(g.shared.map((s) => s.splits.join(' and '))));
  out.push(
    `  ${g.shared.length} group${g.shared.length === 1 ? '' : 's'} in more than one split${g.shared.length ? ` (${bySplits.map(([k, n]) => `${n} in ${k}`).join(', ')}; leak: the same patient is trained on and evaluated on)` : ''}`,
  );
  for (const s of g.shared.slice(0, maxListed)) {
    const files = s.files.length > 4 ? `${s.files.slice(0, 3).join(', ')}, ... (${s.files.length} files)` : s.files.join(', ');
    out.push(`  IN ${s.splits.join(' AND ')} ${s.group}: ${files}`);
  }
  if (g.shared.length > maxListed) out.push(`  ... and ${g.shared.length - maxListed} more`);
  if (g.unmatched.length) {
    out.push(`  no group for ${g.unmatched.length} file${g.unmatched.length === 1 ? '' : 's'} (the pattern's first capture group does not match): ${g.unmatched.slice(0, maxListed).join(', ')}${g.unmatched.length > maxListed ? ', ...' : ''}`);
  }
  return out;
}

/** The inspection as text for the terminal: problems last, where the eye ends up. */
export function formatInspection(r: DataInspection, maxListed = 10): string {
  const out: string[] = [`data: ${r.dir}`, `classes: ${r.classes.join(', ')}`, ''];
  const width = Math.max(5, ...r.splits.map((s) => s.split.length));
  const colWidth = r.classes.map((c) => Math.max(c.length, 6));
  out.push([`split`.padEnd(width), ...r.classes.map((c, i) => c.padStart(colWidth[i]!)), 'total'.padStart(6), '  imbalance (largest:smallest)'].join('  '));
  for (const s of r.splits) {
    out.push([s.split.padEnd(width), ...r.classes.map((c, i) => String(s.counts[c] ?? 0).padStart(colWidth[i]!)), String(s.total).padStart(6), `  ${ratio(s.imbalance)}`].join('  '));
  }
  const all = r.classes.map((c) => r.splits.reduce((a, s) => a + (s.counts[c] ?? 0), 0));
  const allRatio = Math.min(...all) === 0 ? Infinity : Math.max(...all) / Math.min(...all);
  out.push([`all`.padEnd(width), ...all.map((n, i) => String(n).padStart(colWidth[i]!)), String(all.reduce((a, b) => a + b, 0)).padStart(6), `  ${ratio(allRatio)}`].join('  '));
  out.push('');
  const shown = r.sizes.slice(0, 5).map((s) => `${s.size} (${s.count})`);
  out.push(`image sizes: ${r.sizes.length} distinct; most common ${shown.join(', ')}${r.sizes.length > 5 ? ', ...' : ''}`);
  if (r.images.length) {
    const ws = r.images.map((i) => i.width);
    const hs = r.images.map((i) => i.height);
    out.push(`  width ${Math.min(...ws)}-${Math.max(...ws)} px, height ${Math.min(...hs)}-${Math.max(...hs)} px`);
  }
  out.push(`channels: ${Object.entries(r.channels).map(([c, n]) => `${c} (${n})`).join(', ') || '-'}; formats: ${Object.entries(r.formats).map(([f, n]) => `${f} (${n})`).join(', ') || '-'}`);
  out.push('');
  const cross = r.duplicates.filter((d) => d.crossSplit);
  out.push(`duplicates: ${r.duplicates.length} group${r.duplicates.length === 1 ? '' : 's'} of identical files, ${cross.length} across splits${cross.length ? ' (leak: the same image is trained and evaluated on)' : ''}`);
  for (const d of r.duplicates.slice(0, maxListed)) out.push(`  ${d.crossSplit ? 'ACROSS SPLITS ' : ''}${d.conflictingLabels ? 'CONFLICTING LABELS ' : ''}${d.files.join(' = ')}`);
  if (r.duplicates.length > maxListed) out.push(`  ... and ${r.duplicates.length - maxListed} more`);
  if (r.groups) out.push(...groupLines(r.groups, maxListed));
  out.push(`unreadable: ${r.unreadable.length}`);
  for (const u of r.unreadable.slice(0, maxListed)) out.push(`  ${u.file}: ${u.reason}`);
  if (r.unreadable.length > maxListed) out.push(`  ... and ${r.unreadable.length - maxListed} more`);
  return out.join('\n');
}
