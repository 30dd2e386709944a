import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readOwner } from "../../src/infra/dataDirLock.ts";
import { redisServersOn, runCcm, spawnCcmStart, startCcm, waitFor, type CcmService } from "../support/ccmProcess.ts";

/**
 * "The service runs; make a token for my phone": every ccm tool works beside a service that
 * owns the data folder (embedded Redis and PGlite), by running inside it; none opens the
 * folder's stores a second time.
 */
const dataDir = mkdtempSync(join(tmpdir(), "ccm-tools-"));
mkdirSync(join(dataDir, "repos", "proj"), { recursive: true });
let service: CcmService;

/** A Claude Code transcript of `turns` turns whose answers are `answerBytes` long each. */
const writeTranscript = (turns: number, answerBytes: number) => {
  const id = randomUUID();
  const folder = join(dataDir, "claude", "projects", "-work-big");
  mkdirSync(folder, { recursive: true });
  const base = { isSidechain: false, userType: "external", cwd: "/work/big", sessionId: id, version: "2.0.77" };
  const lines: string[] = [];
  let parent: string | null = null;
  for (let turn = 0; turn < turns; turn += 1) {
    const user = randomUUID();
    const answer = randomUUID();
    const time = new Date(Date.UTC(2026, 0, 1, 0, 0, turn)).toISOString();
    lines.push(JSON.stringify({ ...base, parentUuid: parent, type: "user", message: { role: "user", content: `question ${turn}` }, uuid: user, timestamp: time }));
    const text = `answer ${turn} `.padEnd(answerBytes, String.fromCharCode(97 + (turn % 26)));
    const message = { id: `msg_${turn}`, type: "message", role: "assistant", model: "fake", content: [{ type: "text", text }], stop_reason: "end_turn", usage: { input_tokens: 1, output_tokens: 1 } };
    lines.push(JSON.stringify({ ...base, parentUuid: user, type: "assistant", message, uuid: answer, timestamp: time }));
    parent = answer;
  }
  writeFileSync(join(folder, `${id}.jsonl`), `${lines.join("\n")}\n`);
  return id;
};

beforeAll(async () => {
  service = await startCcm(dataDir);
}, 90_000);

afterAll(async () => {
  if (service.child.exitCode === null) service.child.kill("SIGINT");
  await service.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

describe("ccm tools beside a running service on the embedded defaults", () => {
  it("ccm token create makes a token that works at once, without a second Redis", async () => {
    const created = await runCcm(dataDir, ["token", "create", "phone"]);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^ccm_/);
    const response = await fetch(`${service.url}/api/claude-code/sessions`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(redisServersOn(dataDir)).toHaveLength(1);
    expect((await runCcm(dataDir, ["token", "list"])).stdout).toMatch(/^phone\tmobile\t/m);
    expect(service.output()).toContain('"tool":"token"');
  }, 60_000);

  it("ccm pair prints a QR code and the URL with a fresh mobile token that works at once", async () => {
    const paired = await runCcm(dataDir, ["pair", "--url", "https://laptop.tailnet.ts.net", "--name", "my-phone"]);
    expect(paired.code).toBe(0);
    expect(paired.stdout).toMatch(/[▀▄█]{10,}/);
    const token = /^token: (ccm_\S+)$/m.exec(paired.stdout)?.[1] ?? "";
    expect(paired.stdout).toContain("url:   https://laptop.tailnet.ts.net");
    const response = await fetch(`${service.url}/api/claude-code/sessions`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect((await runCcm(dataDir, ["token", "list"])).stdout).toMatch(/^my-phone\tmobile\t/m);
    const loopback = await runCcm(dataDir, ["pair"]);
    expect(loopback.stderr).toContain("loopback address: a phone cannot reach it");
  }, 60_000);

  it("ccm replay --all and ccm events verify --all run while the service runs, over its history", async () => {
    const headers = { authorization: `Bearer ${service.token}`, "content-type": "application/json" };
    const session = (await (await fetch(`${service.url}/api/claude-code/sessions`, { method: "POST", headers, body: JSON.stringify({ folderName: "proj" }) })).json()) as { id: string };
    await fetch(`${service.url}/api/claude-code/sessions/${session.id}/prompts`, { method: "POST", headers, body: JSON.stringify({ prompt: "hello" }) });
    await waitFor("the job to complete", () => service.output().includes('"end":"completed"'));

    const replay = await runCcm(dataDir, ["replay", "--all"]);
    expect(replay.stderr).toMatch(/sessions: rebuilt and swapped in: \d+ events/);
    expect(replay.code).toBe(0);
    const verify = await runCcm(dataDir, ["events", "verify", "--all"]);
    expect(verify.stderr).toMatch(/verified 1 sessions, \d+ events: all ok/);
    expect(verify.code).toBe(0);
    const projections = JSON.parse((await runCcm(dataDir, ["projections", "--json"])).stdout) as { projections: Array<{ projection: string }> };
    expect(projections.projections.map((row) => row.projection)).toEqual(["sessions", "archive"]);
    expect(redisServersOn(dataDir)).toHaveLength(1);
  }, 90_000);

  it("ccm history show --json, over 1 MB into a pipe read slowly, arrives whole", async () => {
    const id = writeTranscript(600, 2000);
    const shown = await runCcm(dataDir, ["history", "show", id, "--json"], {}, 60_000, { slowReader: true });
    expect(shown.code).toBe(0);
    expect(shown.stdout.length).toBeGreaterThan(1024 * 1024);
    const parsed = JSON.parse(shown.stdout) as { sessionId: string; turns: number; finalResponses: string[] };
    expect(parsed).toMatchObject({ sessionId: id, turns: 600 });
    expect(parsed.finalResponses.at(-1)).toMatch(/^answer 599 b{100}/);
  }, 60_000);

  it("with the service stopped, the same tools open the folder themselves (under its lock), and piped output still arrives whole", async () => {
    service.child.kill("SIGINT");
    expect((await service.exited).code).toBe(0);
    const id = writeTranscript(600, 2000);
    const shown = await runCcm(dataDir, ["history", "show", id, "--json"], {}, 60_000, { slowReader: true });
    expect(shown.code).toBe(0);
    expect((JSON.parse(shown.stdout) as { finalResponses: string[] }).finalResponses).toHaveLength(600);
    expect((await runCcm(dataDir, ["token", "list"])).stdout).toMatch(/^phone\tmobile\t/m);
    expect(redisServersOn(dataDir)).toEqual([]);
  }, 60_000);

  it("a command that needs no database opens none (token with DATABASE_URL unreachable)", async () => {
    const env = { REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379", DATABASE_URL: "postgres://nobody@127.0.0.1:1/none", REDIS_KEY_PREFIX: `ccm-nodb-${randomUUID()}:` };
    const listed = await runCcm(dataDir, ["token", "list"], env, 20_000);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toContain("no tokens in Redis");
  }, 30_000);

  it("beside a service without the api role, Redis-only tools use the Redis it recorded; database tools are refused clearly", async () => {
    const runner = spawnCcmStart(dataDir, {}, ["--role", "runner"]);
    try {
      await waitFor("the runner to record its Redis", () => readOwner(dataDir)?.redisUrl !== undefined);
      expect(readOwner(dataDir)).toMatchObject({ command: "start", api: false });
      const created = await runCcm(dataDir, ["token", "create", "beside-runner"]);
      expect(created.code).toBe(0);
      expect((await runCcm(dataDir, ["token", "list"])).stdout).toMatch(/^beside-runner\tmobile\t/m);
      const refused = await runCcm(dataDir, ["projections"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("runs without the api role, so it cannot run ccm projections");
      expect(redisServersOn(dataDir)).toHaveLength(1);
    } finally {
      runner.child.kill("SIGINT");
      await runner.exited;
    }
  }, 60_000);
});
