import { z } from '@hono/zod-openapi';

/** The code that names a system, department, campaign or policy in URLs and bodies. */
export const codeSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only')
  .openapi({ example: 'LY-DSJ-001' });
