// Types for scripts/start.mjs, so its tests are type-checked.
export const DEFAULT_PORT: number;
export function planStart(args: string[]): { port: number; publicUrl: string; wranglerArgs: string[] };
