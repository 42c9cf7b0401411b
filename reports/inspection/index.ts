export * from './scorecard.js';
