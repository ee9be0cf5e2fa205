// A PostgreSQL 15 cluster per test file: started before its tests, stopped and removed after them.
import { afterAll, beforeAll } from "vitest";
import { type PgCluster, type StartPostgresOptions, startPostgres } from "./pg-cluster.js";

export { PG_BIN, PG_PASSWORD, PG_USER, type PgCluster, startPostgres } from "./pg-cluster.js";

/** One cluster for the test file: started before its tests, stopped and removed after them (also on failure). */
export function usePostgres(options?: StartPostgresOptions): () => PgCluster {
  let cluster: PgCluster | undefined;
  beforeAll(async () => {
    cluster = await startPostgres(options);
  }, 60_000);
  afterAll(() => cluster?.stop());
  return () => {
    if (!cluster) throw new Error("the PostgreSQL cluster did not start (see beforeAll)");
    return cluster;
  };
}
