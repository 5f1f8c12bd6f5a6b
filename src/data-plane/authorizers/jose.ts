/**
 * jose, loaded when the first token is verified (an API without JWT authorizers never needs it, and
 * start-up stays ~60 ms shorter). jose is an ES module only, so it comes through a cached `import()`.
 */
let loading: Promise<typeof import('jose')> | undefined;

export const jose = (): Promise<typeof import('jose')> => (loading ??= import('jose'));
