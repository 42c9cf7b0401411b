import { Hono } from 'hono';
import type { AppEnv } from '../http/env.js';
export const webRoutes = new Hono<AppEnv>();
