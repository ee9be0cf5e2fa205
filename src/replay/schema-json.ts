// The scenario format as a JSON Schema, emitted from the same zod schemas that parse it (pos replay --schema).
import { z } from "zod";
import { FAULT_KINDS } from "../faults/fault-spec.js";
import { STEP_SCHEMAS } from "./load.js";
import { faultSchema, headerSchema, OPS, opSchema } from "./scenario.js";

const FAULT_TEXT = {
  type: "string",
  pattern: `^\\s*(${FAULT_KINDS.join("|")})(\\s|$)`,
  description:
    "none, refuse, blackhole, stall, latency <ms>, http <status>, reset, garbage, lost-ack; then times=N, path=/…",
  examples: ["blackhole", "http 503 times=2", "latency 300 path=/v1/transactions"],
};

/**
 * Steps are parsed one at a time in load.ts (so an error names the step); here they become one `anyOf`, each
 * with its optional `name`. Faults and ops are parsed by code, so their input shape is written out by hand.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const steps = Object.values(STEP_SCHEMAS).map((s) =>
    s.extend({ name: z.string().optional().meta({ description: "shown in the report" }) }),
  );
  const document = headerSchema.extend({
    $schema: z.string().optional(),
    steps: z.array(z.union(steps)).min(1),
  });
  const schema = z.toJSONSchema(document, {
    io: "input",
    unrepresentable: "any",
    override: (ctx) => {
      if (ctx.zodSchema === faultSchema) {
        for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
        Object.assign(ctx.jsonSchema, {
          anyOf: [
            FAULT_TEXT,
            {
              type: "object",
              properties: {
                fault: FAULT_TEXT,
                times: { type: "integer", minimum: 1 },
                path: { type: "string", pattern: "^/" },
              },
              required: ["fault"],
              additionalProperties: false,
            },
          ],
        });
      }
      if (ctx.zodSchema === opSchema) {
        for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
        Object.assign(ctx.jsonSchema, { anyOf: [{ const: 917 }, { enum: [...OPS] }] });
      }
    },
  }) as Record<string, unknown>;
  return {
    ...schema,
    title: "pos replay scenario",
    description: "A failover scenario for pos replay (docs/scenarios.md).",
  };
}
