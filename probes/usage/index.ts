export * from './access-log.js';
export * from './distinct.js';
export * from './pull.js';
