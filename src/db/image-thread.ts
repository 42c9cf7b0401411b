/**
 * The thread that lays out the pre-initialised embedded database while the main thread is still loading
 * the server's modules (src/db/image-prefetch.ts starts it; dist/image-thread.mjs in the bundle). It lays
 * the image into a staging folder and says so; the main thread, once it holds the data dir's lock, moves
 * it into place and asks for the deferred folders (the template databases), which this thread then lays
 * out too. Told to stop instead, it removes what it laid.
 */
import { rmSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { layFolders, layImage, openImage, type ImageFiles, type ImageManifest } from './pglite-image.js';

export interface ImageThreadInput {
  /**
   * Shared flags: [0] set by the main thread when the process exits with the prefetch unused (stop and
   * remove the staging folder); [1] set here once this thread no longer writes to the staging folder.
   */
  flags: SharedArrayBuffer;
  files: ImageFiles;
  /** The data dir's `pg` folder (which does not exist yet). */
  target: string;
  staging: string;
  migrationsFolder: string;
}

export type ImageThreadMessage = { type: 'laid'; manifest: ImageManifest; owed: boolean } | { type: 'deferred-laid' } | { type: 'failed'; message: string };
export type ImageThreadCommand = { type: 'lay-deferred' } | { type: 'abandon' };

const input = workerData as ImageThreadInput;
const post = (m: ImageThreadMessage) => parentPort!.postMessage(m);
const failed = (e: unknown) => post({ type: 'failed', message: (e as Error).message ?? String(e) });

const flags = new Int32Array(input.flags);
const doneWithStaging = () => {
  Atomics.store(flags, 1, 1);
  Atomics.notify(flags, 1);
};

try {
  const { manifest, items } = await openImage(input.files, input.migrationsFolder);
  let later: ReturnType<typeof layImage>;
  try {
    later = layImage(input.files, items, input.staging, manifest.deferred, () => Atomics.load(flags, 0) === 1);
  } finally {
    doneWithStaging();
  }
  parentPort!.once('message', (command: ImageThreadCommand) => {
    if (command.type === 'lay-deferred') {
      layFolders(input.files, input.target, later, manifest.deferred).then(() => post({ type: 'deferred-laid' }), failed).finally(() => parentPort!.close());
    } else {
      rmSync(input.staging, { recursive: true, force: true });
      parentPort!.close();
    }
  });
  post({ type: 'laid', manifest, owed: later.length > 0 });
} catch (e) {
  doneWithStaging();
  failed(e);
  parentPort!.close();
}
