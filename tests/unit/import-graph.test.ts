/**
 * The shape of the code, checked: files of at most 400 lines, no two files under src/ share a name (but Strapi's folder index.ts barrels), and
 * no import circles in the server, the contracts and the admin — type-only imports
 * included (a circle of types is still two files that cannot be read one without the other), with one exception
 * named below.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const TOPS = ['src', 'contracts', 'admin/src'];
const SOURCE = /\.(ts|tsx)$/;
/** `import … from './x'`, `export … from './x'`, `import './x'`: relative specifiers only (packages cannot circle). */
const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;
/**
 * The typed service registry reads the type of the service map, whose services call the registry: a circle of
 * types by design (erased at build; nothing runs in a circle). Its type-only imports are the one exception.
 */
const TYPE_CIRCLE_ALLOWED = new Set([path.join(ROOT, 'src/services/registry.ts')]);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return SOURCE.test(entry.name) ? [full] : [];
  });
}

function resolveImport(from: string, specifier: string): string | null {
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [
    base,
    `${base}.ts`,
    `${base}.tsx`,
    path.join(base, 'index.ts'),
    path.join(base, 'index.tsx'),
  ];
  return candidates.find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile()) ?? null;
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of TOPS.flatMap((top) => sourceFiles(path.join(ROOT, top)))) {
    const text = fs.readFileSync(file, 'utf8');
    const targets = Array.from(text.matchAll(IMPORT))
      .filter((match) => !(match[1] && TYPE_CIRCLE_ALLOWED.has(file)))
      .map((match) => resolveImport(file, match[2]))
      .filter((target): target is string => target !== null && SOURCE.test(target));
    graph.set(file, targets);
  }
  return graph;
}

function circles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (file: string) => {
    done.add(file);
    path.push(file);
    onPath.add(file);
    for (const target of graph.get(file) ?? []) {
      if (onPath.has(target)) found.push([...path.slice(path.indexOf(target)), target]);
      else if (!done.has(target)) visit(target);
    }
    path.pop();
    onPath.delete(file);
  };
  for (const file of graph.keys()) if (!done.has(file)) visit(file);
  return found;
}

describe('import graph', () => {
  const graph = importGraph();

  it('reads the whole tree (the check would pass on an empty one)', () => {
    expect(graph.size).toBeGreaterThan(200);
    const edges = Array.from(graph.values()).reduce((sum, targets) => sum + targets.length, 0);
    expect(edges).toBeGreaterThan(500);
  });

  it('finds a circle when there is one (the check itself works)', () => {
    const a = path.join(ROOT, 'a.ts');
    const b = path.join(ROOT, 'b.ts');
    expect(
      circles(
        new Map([
          [a, [b]],
          [b, [a]],
        ])
      )
    ).toEqual([[a, b, a]]);
  });

  it('has no import circles in src, contracts and admin/src', () => {
    const readable = circles(graph).map((circle) =>
      circle.map((file) => path.relative(ROOT, file)).join(' → ')
    );
    expect(readable).toEqual([]);
  });

  it('gives no two files under src the same name (a name says one thing), index.ts barrels aside', () => {
    const byName = new Map<string, string[]>();
    for (const file of sourceFiles(path.join(ROOT, 'src'))) {
      const name = path.basename(file);
      if (name === 'index.ts') continue;
      byName.set(name, [...(byName.get(name) ?? []), path.relative(ROOT, file)]);
    }
    expect(byName.size).toBeGreaterThan(100);
    expect(Array.from(byName.values()).filter((files) => files.length > 1)).toEqual([]);
  });

  it('keeps every file under src within 400 lines, the shipped default templates (data) aside', () => {
    const long = sourceFiles(path.join(ROOT, 'src'))
      .filter((file) => !file.includes(`${path.sep}templates${path.sep}defaults${path.sep}`))
      .map((file) => ({
        file: path.relative(ROOT, file),
        lines: fs.readFileSync(file, 'utf8').split('\n').length,
      }))
      .filter(({ lines }) => lines > 401);
    expect(long).toEqual([]);
  });
});
