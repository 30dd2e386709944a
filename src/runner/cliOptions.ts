import { z } from "zod";

/**
 * Per-job CLI options: the session's metadata gives defaults, the prompt's options override.
 * Values end up as CLI arguments, so they are checked here: nothing may start with `-` (it
 * would be read as a flag) and only known permission modes pass. `bypassPermissions` lets the
 * CLI run any tool without asking: a session's metadata or a prompt may only choose it when the
 * operator allowed it (RUNNER_ALLOW_BYPASS_PERMISSIONS=1).
 */
const notAFlag = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((value) => !value.startsWith("-"), "must not start with '-'")
    .refine((value) => !/[\0\n\r]/.test(value), "must not contain NUL or line breaks");

export const CliOptions = z.object({
  model: notAFlag(100).pipe(z.string().regex(/^[A-Za-z0-9._:@/[\]-]+$/, "letters, digits and . _ : @ / [ ] -")).optional(),
  permissionMode: z.enum(["default", "acceptEdits", "plan", "bypassPermissions", "dontAsk"]).optional(),
  allowedTools: z.array(notAFlag(200)).max(100).optional(),
  maxTurns: z.number().int().min(1).max(1000).optional(),
});
export type CliOptions = z.infer<typeof CliOptions>;

export class InvalidOptionsError extends Error {
  override readonly name = "InvalidOptionsError";
}

const pick = (source: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> => {
  if (source === undefined) return {};
  const out: Record<string, unknown> = {};
  for (const key of ["model", "permissionMode", "allowedTools", "maxTurns"] as const) {
    if (source[key] !== undefined && source[key] !== null) out[key] = source[key];
  }
  return out;
};

export type OptionsPolicy = { readonly allowBypassPermissions: boolean };

/** Merges metadata and prompt options and validates them; throws InvalidOptionsError naming the field. */
export const resolveCliOptions = (
  metadata: Readonly<Record<string, unknown>> | undefined,
  promptOptions: Readonly<Record<string, unknown>> | undefined,
  policy: OptionsPolicy = { allowBypassPermissions: false },
): CliOptions => {
  const parsed = CliOptions.safeParse({ ...pick(metadata), ...pick(promptOptions) });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new InvalidOptionsError(`invalid CLI options: ${problems.join("; ")}`);
  }
  if (parsed.data.permissionMode === "bypassPermissions" && !policy.allowBypassPermissions) {
    throw new InvalidOptionsError(
      "invalid CLI options: permissionMode: bypassPermissions is disabled on this server (the operator can allow it with RUNNER_ALLOW_BYPASS_PERMISSIONS=1)",
    );
  }
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed.data)) if (value !== undefined) options[key] = value;
  return options as CliOptions;
};
