#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so a fresh clone needs no build step. The
// project's tsconfig is named explicitly: tsx would otherwise look for one in the working directory,
// and the pages (hono/jsx) would compile wrongly when xuncha is run from elsewhere.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
await import('../src/cli/main.ts');
