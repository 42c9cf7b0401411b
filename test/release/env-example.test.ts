// packaging/xuncha.env (the settings file of the .deb and the tarball) describes every variable the
// service reads, so a new one cannot be forgotten there.
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configSchema, loadConfig } from '../../src/config.js';

const text = readFileSync(new URL('../../packaging/xuncha.env', import.meta.url), 'utf8');

describe('packaging/xuncha.env', () => {
  it('names every variable of src/config.ts, set or commented out', () => {
    const named = new Set([...text.matchAll(/^#?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    expect(Object.keys(configSchema.shape).filter((k) => !named.has(k))).toEqual([]);
  });

  it('is valid as shipped, and so is each commented example once uncommented', () => {
    expect(() => loadConfig(parseEnv(text) as Record<string, string>)).not.toThrow();
    const examples = [...text.matchAll(/^#([A-Z][A-Z0-9_]*=.*)$/gm)].map((m) => m[1]!).filter((l) => !/PASSWORD|=$/.test(l));
    for (const line of examples) {
      expect(() => loadConfig({ ...(parseEnv(text) as Record<string, string>), ...(parseEnv(line) as Record<string, string>) }), line).not.toThrow();
    }
  });
});
