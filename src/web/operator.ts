// The operator service (src/operator/operator-service.ts) with this
// request's bindings and settings: what /admin/* and the console call.
import type { Context } from "hono";
import { createMailer } from "../mail/create-mailer";
import { createOperatorService, type OperatorService } from "../operator/operator-service";
import type { AppEnv } from "./types";

export function operatorFor<E extends AppEnv>(c: Context<E>): OperatorService {
  const config = c.get("config");
  return createOperatorService({
    config,
    kv: c.env.KV,
    queue: c.env.SEND_QUEUE,
    mailer: createMailer(config, c.env.KV),
    now: () => new Date(),
    fetch: (input, init) => fetch(input, init),
  });
}
