import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

/** Top-level folders each file's relative imports reach. */
function reaches(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => relative(root, resolve(root, dirname(file), s)).split('/')[0]!);
}

// The functional core and the catalogues are what src/ is built on: they never reach back into it.
describe.each(['reports', 'probes', 'i18n'])('%s/', (dir) => {
  it('imports nothing from src/', () => {
    const files = sources(dir);
    expect(files.length).toBeGreaterThan(0);
    const back = files.flatMap((f) => reaches(f).filter((top) => top === 'src').map(() => f));
    expect(back).toEqual([]);
  });
});
