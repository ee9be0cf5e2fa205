// The store's "customer creation in async mode" (D365): even online, operation 612 takes the asynchronous path.
import type { CustomerInfo, DataSource } from "./data-source.js";

/**
 * The online source, except that while the store's async mode is on (job 1070 brought it) a new customer gets a
 * temporary id and "Pending sync" at once, without asking the server: the next push uploads it and HQ's async
 * customer job creates the real one, exactly as for a customer created offline.
 */
export function withCustomerAsyncMode(
  online: DataSource,
  asyncMode: () => boolean,
  createAsync: (input: { name: string; email?: string; phone?: string }) => CustomerInfo,
): DataSource {
  return {
    ...online,
    async createCustomer(input) {
      return asyncMode() ? createAsync(input) : online.createCustomer(input);
    },
  };
}
