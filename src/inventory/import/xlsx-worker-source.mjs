// Starts the .xlsx reading thread from the TypeScript sources (tests, `tsx`); the bundle has its own
// dist/xlsx-worker.mjs. tsx's loader is registered inside this thread: hooks do not cross threads.
import { register } from 'tsx/esm/api';

register();
await import('./xlsx-worker.ts');
