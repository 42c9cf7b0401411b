/**
 * A value that already holds its own JSON text (written by PostgreSQL, say). `c.json` sends that text
 * as is instead of stringifying the value again (the override is in app.ts); anything else that
 * serialises it goes through its `toJSON`.
 */
export const jsonText = Symbol('jsonText');

export interface HasJsonText {
  readonly [jsonText]: string;
}

export function hasJsonText(value: unknown): value is HasJsonText {
  return typeof value === 'object' && value !== null && typeof (value as Partial<HasJsonText>)[jsonText] === 'string';
}
