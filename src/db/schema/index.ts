export * from './enums.js';
export * from './departments.js';
export * from './systems.js';
export * from './auth.js';
export * from './audit.js';
