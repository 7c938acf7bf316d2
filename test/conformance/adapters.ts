import type { ModelAdapter } from './adapter.js';
import { kmeansAdapter } from './kmeans-adapter.js';
import { LINEAR_ADAPTERS } from './linear-adapters.js';

/** Every streaming model the battery runs against: a new model needs only its adapter here. */
export const ADAPTERS: readonly ModelAdapter[] = [
  kmeansAdapter('batches'),
  kmeansAdapter('points'),
  ...LINEAR_ADAPTERS,
];
