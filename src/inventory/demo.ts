import type { Db } from '../db/client.js';

/** Placeholder replaced by the demo seed (in progress). */
export async function seedDemo(_db: Db): Promise<{ departments: number; systems: number }> {
  return { departments: 0, systems: 0 };
}
