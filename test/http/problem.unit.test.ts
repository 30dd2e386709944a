import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { DomainError, domainErrorCodes, type DomainErrorCode } from "../../commands/errors.ts";
import { AppError, allErrorCodes, errorCodes, type ErrorCode } from "../../src/errors.ts";
import { problemErrorHandler } from "../../src/http/problem.ts";

const appThrowing = (error: unknown) => {
  const app = Fastify();
  app.setErrorHandler(problemErrorHandler);
  app.get("/boom", async () => {
    throw error;
  });
  return app;
};

describe("problem+json errors", () => {
  it.each(Object.entries(domainErrorCodes))("maps the decider's %s to HTTP %i from the one table", async (code, status) => {
    const response = await appThrowing(new DomainError(code as DomainErrorCode, "refused", { promptId: "p1" })).inject("/boom");
    expect(response.statusCode).toBe(status);
    expect(response.headers["content-type"]).toBe("application/problem+json; charset=utf-8");
    expect(response.json()).toMatchObject({ code, status, detail: "refused", details: { promptId: "p1" } });
  });

  it.each(Object.entries(errorCodes).filter(([, status]) => status < 500))("sends the app's %s as HTTP %i", async (code, status) => {
    const response = await appThrowing(AppError.of(code as ErrorCode, "nope")).inject("/boom");
    expect(response.statusCode).toBe(status);
    expect(response.json()).toMatchObject({ code, status });
  });

  it("hides the internals of a 500", async () => {
    const response = await appThrowing(new Error("connect ECONNREFUSED postgres://admin:hunter2@db/secret")).inject("/boom");
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/hunter2|ECONNREFUSED|postgres/);
    expect(response.json()).toMatchObject({ code: "internal_error", status: 500 });
  });

  it("keeps every code to one status: the domain and app tables do not overlap", () => {
    const shared = Object.keys(domainErrorCodes).filter((code) => code in errorCodes);
    expect(shared).toEqual([]);
    expect(Object.keys(allErrorCodes)).toHaveLength(Object.keys(domainErrorCodes).length + Object.keys(errorCodes).length);
  });
});
