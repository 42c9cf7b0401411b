/**
 * `xuncha serve` on an empty DATA_DIR: the image (src/db/pglite-image.ts) is laid out on a thread of
 * its own from the first moment of the process, while the main thread loads the server's modules, so
 * the two overlap instead of adding up. openPglite takes what was laid (`takeImagePrefetch`) once it
 * holds the data dir's lock, and moves it into place; without a prefetch (the TypeScript sources, other
 * commands, a data dir that exists) it lays the image out itself, as before. A prefetch nobody takes
 * (the lock was held, the configuration was bad) is removed when the process exits.
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ImageThreadCommand, ImageThreadInput, ImageThreadMessage } from './image-thread.js';
import { findImage, stagingFor, type ImageManifest } from './pglite-image.js';
import { DEFAULT_DATA_DIR, migrationsFolder } from './paths.js';

export interface ImagePrefetch {
  target: string;
  /** Waits for the image laid out in `staging`; rejects with the reason it could not be. */
  laid(): Promise<{ manifest: ImageManifest; staging: string; owed: boolean }>;
  /** Lays out the deferred folders into the placed data dir (after `laid`, under the lock). */
  layDeferred(): Promise<void>;
  /** Removes what was laid: the lock was not ours, or the image is not wanted. */
  abandon(): void;
}

let pending: ImagePrefetch | undefined;

/** The thread's script beside the bundle (dist/image-thread.mjs); undefined when running from the sources. */
function threadScript(): URL | undefined {
  for (const bundled of [new URL('./image-thread.mjs', import.meta.url), new URL('../image-thread.mjs', import.meta.url)]) {
    if (existsSync(fileURLToPath(bundled))) return bundled;
  }
  return undefined;
}

/** Starts laying out the image when `serve` will open an empty embedded database; a no-op otherwise. */
export function startImagePrefetch(env: NodeJS.ProcessEnv): void {
  if (pending || env.DATABASE_URL) return;
  const target = join(resolve(env.DATA_DIR || DEFAULT_DATA_DIR), 'pg');
  if (existsSync(join(target, 'PG_VERSION'))) return;
  const files = findImage();
  const script = threadScript();
  if (!files || !script) return;
  const staging = stagingFor(target);
  const flags = new SharedArrayBuffer(8);
  const input: ImageThreadInput = { flags, files, target, staging, migrationsFolder: migrationsFolder() };
  const worker = new Worker(script, { workerData: input, name: 'image' });
  worker.unref();
  const send = (command: ImageThreadCommand) => worker.postMessage(command);
  const next = () =>
    new Promise<ImageThreadMessage>((resolveMessage, reject) => {
      const settle = (fn: () => void) => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        fn();
      };
      const onMessage = (m: ImageThreadMessage) => settle(() => resolveMessage(m));
      const onError = (e: Error) => settle(() => reject(e));
      const onExit = (code: number) => settle(() => reject(new Error(`the image thread stopped (code ${code})`)));
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
  let taken = false;
  // Unused at exit: the thread is told to stop and waited for (briefly), so nothing writes to the
  // staging folder while it is removed. Never throws: the process is already on its way out.
  process.once('exit', () => {
    if (taken) return;
    const shared = new Int32Array(flags);
    Atomics.store(shared, 0, 1);
    Atomics.wait(shared, 1, 0, 10_000);
    try {
      rmSync(staging, { recursive: true, force: true });
    } catch {
      // A start under the lock removes staging folders of processes that have died.
    }
  });
  const laid = next().then((m) => {
    if (m.type !== 'laid') throw new Error(m.type === 'failed' ? m.message : `unexpected ${m.type}`);
    return { manifest: m.manifest, staging, owed: m.owed };
  });
  laid.catch(() => {}); // its taker reads the reason
  pending = {
    target,
    // The thread keeps the process alive only while someone waits for it (an unused prefetch must not).
    laid() {
      worker.ref();
      return laid.then((r) => ((taken = true), r)).finally(() => worker.unref());
    },
    async layDeferred() {
      worker.ref();
      const done = next();
      send({ type: 'lay-deferred' });
      try {
        const m = await done;
        if (m.type === 'failed') throw new Error(m.message);
      } finally {
        worker.unref();
      }
    },
    abandon() {
      send({ type: 'abandon' });
    },
  };
}

/** The prefetch for this data dir's `pg` folder, once: the caller owns it from then on. */
export function takeImagePrefetch(target: string): ImagePrefetch | undefined {
  if (!pending || pending.target !== resolve(target)) return undefined;
  const taken = pending;
  pending = undefined;
  return taken;
}
