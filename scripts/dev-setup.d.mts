// Types for scripts/dev-setup.mjs, so its tests are type-checked.
export function ensureDevVars(publicUrl: string, dir?: string): string[];
