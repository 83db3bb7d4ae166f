import type { Config } from "../config";

/** Hono environment shared by every sub-app. */
export interface AppEnv {
  Bindings: Env;
  Variables: { config: Config };
}
