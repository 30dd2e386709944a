import { sql } from "kysely";
import type { DeploymentWitness } from "../eventStore/deployment.ts";
import type { Database } from "./database.ts";

/** Postgres remembers each deployment's marker (by Redis key prefix): the witness that outlives Redis. */
export const createDeploymentWitness = (db: Database, keyPrefix: string): DeploymentWitness => ({
  recorded: async () => {
    const row = await db.selectFrom("deployments").select("marker").where("key_prefix", "=", keyPrefix).executeTakeFirst();
    return (row?.marker as string | undefined) ?? null;
  },
  record: async (marker) => {
    await db.insertInto("deployments").values({ key_prefix: keyPrefix, marker, created_at: sql`now()` })
      .onConflict((conflict) => conflict.column("key_prefix").doNothing()).execute();
  },
});
