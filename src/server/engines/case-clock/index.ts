export * from './case-clock.js';
