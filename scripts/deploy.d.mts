// Types for scripts/deploy.mjs, so its tests are type-checked.
export class DeployError extends Error {}
export const MIN_ADMIN_TOKEN_LENGTH: number;
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}
export interface DeployIo {
  run(args: string[], options?: { stream?: boolean }): Promise<RunResult>;
  ask(question: string, options?: { secret?: boolean }): Promise<string>;
  log(line: string): void;
  env: Record<string, string | undefined>;
  readText(path: string): string | null;
  writeText(path: string, text: string): void;
  remove(path: string): void;
  random(bytes: number, encoding: "hex" | "base64url"): string;
  tempPath(): string;
}
export interface DeployResult {
  url: string | null;
  consoleUrl: string | null;
  created: { queues: string[]; secrets: string[] };
}
export function queueNames(configText: string): string[];
export function configuredPublicUrl(configText: string): string | null;
export function deployedUrl(output: string): string | null;
export function deploy(io: DeployIo, options?: { publicUrl?: string; dryRun?: boolean }): Promise<DeployResult>;
export function createNodeIo(): DeployIo & { close(): void };
