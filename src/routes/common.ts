import { z } from '@hono/zod-openapi';

/** Shared OpenAPI response fragments. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z
      .array(
        z.object({
          path: z.string(),
          message: z.string(),
          reason: z.string().optional().openapi({ description: 'a stable code for the message, where one exists' }),
          params: z.record(z.string(), z.string()).optional().openapi({ description: 'what the message names, for wording it' }),
        }),
      )
      .optional(),
    requestId: z.string().optional(),
  })
  .openapi('Problem');

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemSchema } } });

export const errorResponses = {
  400: problem('Invalid input, with field paths'),
  401: problem('Missing or invalid token'),
  403: problem('The token may not do this'),
  404: problem('Not found'),
} as const;

export const writeErrorResponses = {
  ...errorResponses,
  409: problem('Conflict, such as a duplicate code'),
  412: problem('If-Match does not match the current version'),
  413: problem('Body too large'),
} as const;

export const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T extends z.ZodTypeAny>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const security = [{ bearer: [] }];

export const codeParam = z.object({ code: z.string().min(1).max(64).openapi({ param: { name: 'code', in: 'path' } }) });

export const ifMatchHeader = z.object({ 'if-match': z.string().max(100).optional() });
