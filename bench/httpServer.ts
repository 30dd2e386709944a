import Fastify from "fastify";
import { startBenchService } from "./benchService.ts";

/**
 * The server side of `bench/http.ts`, in its own process so the load generator does not
 * share its event loop: the real app (real Redis with a random prefix, a real Postgres schema)
 * and a bare Fastify app, both on 127.0.0.1. Prints one JSON line with the ports; cleans up
 * and exits on SIGTERM.
 */
const service = await startBenchService("http", 4);
const { app, token } = service;
const bare = Fastify();
bare.get("/bare", async () => ({ ok: true }));
bare.post("/bare", async (request) => ({ ok: true, size: JSON.stringify(request.body).length }));

await app.listen({ host: "127.0.0.1", port: 0 });
await bare.listen({ host: "127.0.0.1", port: 0 });
const portOf = (server: typeof app) => (server.server.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ appPort: portOf(app), barePort: portOf(bare), token })}\n`);

process.once("SIGTERM", async () => {
  await bare.close();
  await service.stop();
  process.exit(0);
});
