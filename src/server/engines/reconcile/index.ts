export { reconcile } from './reconcile.js';
export type { ReconcileOptions, ReconcileProgress } from './reconcile.js';
export { ReconcileError } from './dataset.js';
export { DEFAULT_NORMALISE, normaliseText, normaliseValue, rowHash } from './normalise.js';
export type { NormaliseOptions } from './normalise.js';
