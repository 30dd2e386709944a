import { startTestService, TEST_TOKEN, testAuth, type TestServiceOptions } from "../support/service.ts";

export { TEST_TOKEN };

/**
 * The whole HTTP app as production assembles it (api and projector roles) over real Redis
 * (random prefix) and a real Postgres schema, with a temporary repositories folder holding
 * `alpha` and `beta`. Limits are high unless overridden; `roles` as `ccm start --role` would.
 */
export const createTestApp = async (env: Record<string, string> = {}, options: Pick<TestServiceOptions, "roles"> = {}) => {
  const service = await startTestService({ config: env, ...options });
  if (!service.app || !service.tokens) throw new Error("the api role did not start");
  return { ...service, app: service.app, tokens: service.tokens, auth: testAuth };
};

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

export const PROBLEM_TYPE = "application/problem+json; charset=utf-8";
