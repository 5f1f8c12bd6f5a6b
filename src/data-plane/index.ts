/**
 * The data plane: compiled stages kept current from the store, and the request pipeline.
 */
export { createDataPlane } from './pipeline.js';
export type { DataPlaneOptions } from './pipeline.js';
export { StageRegistry } from './stage-registry.js';
export { newRequestId } from './request-id.js';
