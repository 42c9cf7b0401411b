/**
 * A value that already holds its own JSON text (written by PostgreSQL, say). The route that returns it
 * sends that text as is (`c.body(value[jsonText])`) instead of stringifying the value again; anything
 * else that serialises it goes through its `toJSON`.
 */
export const jsonText = Symbol('jsonText');

export interface HasJsonText {
  readonly [jsonText]: string;
}

export function hasJsonText(value: unknown): value is HasJsonText {
  return typeof value === 'object' && value !== null && typeof (value as Partial<HasJsonText>)[jsonText] === 'string';
}
