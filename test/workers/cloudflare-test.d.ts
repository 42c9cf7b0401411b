// The part of @cloudflare/vitest-pool-workers' `cloudflare:test` module these tests use, typed
// without the full @cloudflare/workers-types (which would clash with the DOM and Node types here).
declare module 'cloudflare:test' {
  export const env: Record<string, unknown>;
  export function createExecutionContext(): { waitUntil(promise: Promise<unknown>): void; passThroughOnException(): void };
  export function waitOnExecutionContext(ctx: unknown): Promise<void>;
  export function createScheduledController(options?: { scheduledTime?: number | Date; cron?: string }): { readonly scheduledTime: number; readonly cron: string; noRetry(): void };
}
