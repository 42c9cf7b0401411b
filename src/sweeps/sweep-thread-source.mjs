// Starts a probe thread from the TypeScript sources (tests, `tsx`); the bundle has dist/sweep-thread.mjs.
// tsx's loader is registered inside this thread: hooks do not cross threads.
import { register } from 'tsx/esm/api';

register();
await import('./sweep-thread.ts');
