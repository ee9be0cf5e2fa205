// The scenario format as a JSON Schema, emitted from the same zod schemas that parse it (pos replay --schema).
import { z } from "zod";
import { FAULT_KINDS } from "../faults/fault-spec.js";
import { STEP_SCHEMAS } from "./load.js";
import { faultListSchema, faultSchema, headerSchema, OPS, opSchema } from "./scenario.js";

const FAULT_TEXT = {
  type: "string",
  pattern: `^\\s*(${FAULT_KINDS.join("|")})(\\s|$)`,
  description: `${FAULT_KINDS.join(", ")}; then times=N, path=/…, probability=0..1, jitter=ms, delay=ms, direction=up|down`,
  examples: ["blackhole", "http 503 times=2", "latency 300 path=/v1/transactions", "bandwidth 256 direction=down"],
};

/** The object form of one fault: the text plus the limits written as fields. */
const FAULT_OBJECT = {
  type: "object",
  properties: {
    fault: FAULT_TEXT,
    times: { type: "integer", minimum: 1 },
    path: { type: "string", pattern: "^/" },
    probability: { type: "number", minimum: 0, maximum: 1 },
    jitter: { type: ["number", "string"] },
    delay: { type: ["number", "string"] },
    direction: { enum: ["up", "down"] },
  },
  required: ["fault"],
  additionalProperties: false,
};
const ONE_FAULT = { anyOf: [FAULT_TEXT, FAULT_OBJECT] };

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
        Object.assign(ctx.jsonSchema, ONE_FAULT);
      }
      if (ctx.zodSchema === faultListSchema) {
        for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
        Object.assign(ctx.jsonSchema, {
          anyOf: [...ONE_FAULT.anyOf, { type: "array", items: ONE_FAULT, minItems: 1 }],
        });
      }
      if (ctx.zodSchema === opSchema) {
        for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
        Object.assign(ctx.jsonSchema, {
          anyOf: [
            { const: 917 },
            { enum: OPS.filter((op) => !op.startsWith("cdx run")) },
            { type: "string", pattern: "^cdx run \\d{4}( --full)?$" },
          ],
        });
      }
    },
  }) as Record<string, unknown>;
  return {
    ...schema,
    title: "pos replay scenario",
    description: "A failover scenario for pos replay (docs/scenarios.md).",
  };
}
