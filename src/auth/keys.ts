import { createHmac, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { settings } from '../db/schema/index.js';

/** `settings` key of the generated instance key, used when LINK_SECRET is not set. */
export const LINK_SECRET_SETTING = 'link_secret';

export type KeyPurpose = 'campaign-link' | 'link-csrf' | 'web-csrf' | 'login-csrf';

/**
 * The instance key that signs department links and web sessions: LINK_SECRET when given (the entry passes
 * it in from the parsed environment), else a random key generated once and kept in `settings` so links and
 * sessions survive restarts. Each use derives its own subkey, so a value signed for one purpose is never
 * valid for another.
 */
export class InstanceKeys {
  private master: Promise<Buffer> | undefined;
  constructor(
    private readonly db: Db,
    private readonly secret: string | undefined,
  ) {}

  private load(): Promise<Buffer> {
    this.master ??= (async () => {
      if (this.secret !== undefined) {
        if (this.secret.length < 16) throw new Error('LINK_SECRET must be at least 16 characters');
        return Buffer.from(this.secret, 'utf8');
      }
      const fresh = randomBytes(32).toString('base64url');
      // Several processes may start at once: the first insert wins and everyone reads it back.
      await this.db.insert(settings).values({ key: LINK_SECRET_SETTING, value: fresh }).onConflictDoNothing();
      const [row] = await this.db.select({ value: settings.value }).from(settings).where(eq(settings.key, LINK_SECRET_SETTING));
      if (typeof row?.value !== 'string' || row.value.length < 16) throw new Error(`settings.${LINK_SECRET_SETTING} is not a key`);
      return Buffer.from(row.value, 'base64url');
    })().catch((e) => {
      this.master = undefined;
      throw e;
    });
    return this.master;
  }

  async key(purpose: KeyPurpose): Promise<Buffer> {
    return createHmac('sha256', await this.load()).update(`xuncha:${purpose}`).digest();
  }
}

export function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/**
 * base64url bytes, only from their canonical spelling: the last character of 43 carries two unused
 * bits, so without this check four spellings of one signature would all be accepted.
 */
export function canonicalBase64url(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : null;
}
