import { describe, expect, it } from "vitest";
import { ConfigError, describeConfig, parseConfig } from "../../src/config.ts";

describe("configuration", () => {
  it("applies the original backend's defaults", () => {
    const config = parseConfig({});
    expect(config.PORT).toBe(3001);
    expect(config.HOST).toBe("127.0.0.1");
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_DURABILITY).toBe("everysec");
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("stops on a bad value and names the variable", () => {
    expect(() => parseConfig({ PORT: "eighty" })).toThrow(ConfigError);
    expect(() => parseConfig({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => parseConfig({ REDIS_URL: "http://nope" })).toThrow(/REDIS_URL/);
    expect(() => parseConfig({ REDIS_DURABILITY: "sometimes" })).toThrow(/REDIS_DURABILITY/);
    expect(() => parseConfig({ API_TOKEN: "short" })).toThrow(/API_TOKEN/);
  });

  it("names the machine after the host unless told, and takes a cluster or a single Redis, not both", () => {
    const config = parseConfig({});
    expect(config.MACHINE_ID).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
    expect(config.MACHINE_NAME).toBe(config.MACHINE_ID);
    expect(config.MACHINE_HEARTBEAT_MS).toBe(5000);
    expect(parseConfig({ MACHINE_ID: "laptop" })).toMatchObject({ MACHINE_ID: "laptop", MACHINE_NAME: "laptop" });
    expect(() => parseConfig({ MACHINE_ID: "my laptop" })).toThrow(/MACHINE_ID/);
    expect(parseConfig({ REDIS_CLUSTER_NODES: "10.0.0.1:7000, 10.0.0.2:7001" }).REDIS_CLUSTER_NODES).toBe("10.0.0.1:7000, 10.0.0.2:7001");
    expect(() => parseConfig({ REDIS_CLUSTER_NODES: "10.0.0.1" })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => parseConfig({ REDIS_CLUSTER_NODES: "a:1", REDIS_URL: "redis://x:6379" })).toThrow(/REDIS_CLUSTER_NODES/);
  });

  it("builds a database URL from DB_* when DATABASE_URL is absent", () => {
    const config = parseConfig({ DB_HOST: "db.local", DB_USER: "app", DB_PASSWORD: "s3cr3t p", DB_NAME: "ccm" });
    expect(config.DATABASE_URL).toBe("postgres://app:s3cr3t%20p@db.local:5432/ccm");
  });

  it("masks secrets in the start-up description", () => {
    const config = parseConfig({
      DATABASE_URL: "postgres://app:hunter2@db:5432/x",
      REDIS_URL: "redis://:redispass@cache:6379",
      API_TOKEN: "a-very-long-secret-token",
    });
    const text = JSON.stringify(describeConfig(config));
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("redispass");
    expect(text).not.toContain("a-very-long-secret-token");
    expect(text).toContain("REDIS_DURABILITY");
  });

  it("reads METRICS_PORT (off when unset) and CORS_ORIGINS as a list of bare origins", () => {
    expect(parseConfig({}).METRICS_PORT).toBeUndefined();
    expect(parseConfig({ METRICS_PORT: "9464" }).METRICS_PORT).toBe(9464);
    expect(() => parseConfig({ METRICS_PORT: "0" })).toThrow(/METRICS_PORT/);
    expect(parseConfig({}).CORS_ORIGINS).toEqual([]);
    expect(parseConfig({ CORS_ORIGINS: "https://app.example.com, http://localhost:8081" }).CORS_ORIGINS).toEqual(["https://app.example.com", "http://localhost:8081"]);
    expect(() => parseConfig({ CORS_ORIGINS: "https://app.example.com/path" })).toThrow(/CORS_ORIGINS: https:\/\/app\.example\.com\/path is not an origin/);
    expect(() => parseConfig({ CORS_ORIGINS: "*" })).toThrow(/CORS_ORIGINS/);
  });
});
