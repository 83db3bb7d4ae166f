import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    feedServerUrl: string;
    resendServerUrl: string;
  }
}
