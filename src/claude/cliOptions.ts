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
  disallowedTools: z.array(notAFlag(200)).max(100).optional(),
  maxTurns: z.number().int().min(1).max(1000).optional(),
});
export type CliOptions = z.infer<typeof CliOptions>;

/** The metadata keys (and prompt options) that become CLI arguments. */
export const cliOptionKeys = ["model", "permissionMode", "allowedTools", "disallowedTools", "maxTurns"] as const;

export class InvalidOptionsError extends Error {
  override readonly name = "InvalidOptionsError";
}

const pick = (source: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> => {
  if (source === undefined) return {};
  const out: Record<string, unknown> = {};
  for (const key of cliOptionKeys) {
    if (source[key] !== undefined && source[key] !== null) out[key] = source[key];
  }
  return out;
};

export type OptionsPolicy = { readonly allowBypassPermissions: boolean };

/**
 * Merges metadata and prompt options and validates them; throws InvalidOptionsError naming the
 * field. The session's "always allow" rules join the allowed tools.
 */
export const resolveCliOptions = (
  metadata: Readonly<Record<string, unknown>> | undefined,
  promptOptions: Readonly<Record<string, unknown>> | undefined,
  policy: OptionsPolicy = { allowBypassPermissions: false },
  permissionRules: readonly string[] = [],
): CliOptions => {
  const merged = { ...pick(metadata), ...pick(promptOptions) };
  if (permissionRules.length > 0) {
    const given = Array.isArray(merged.allowedTools) ? (merged.allowedTools as unknown[]) : [];
    merged.allowedTools = [...new Set([...given, ...permissionRules])];
  }
  const parsed = CliOptions.safeParse(merged);
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

/**
 * What is wrong with CLI options given at the edge (a prompt's options, or a metadata patch,
 * where `null` deletes a key): null when the runner will take them. Checked when they arrive,
 * so a bad value is a 400 now rather than every later prompt failing `invalid_options`.
 */
export const optionsProblem = (given: Readonly<Record<string, unknown>>, policy: OptionsPolicy): string | null => {
  const present = Object.fromEntries(cliOptionKeys.flatMap((key) => (given[key] === undefined || given[key] === null ? [] : [[key, given[key]]])));
  const parsed = CliOptions.safeParse(present);
  if (!parsed.success) return `invalid CLI options: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}`;
  if (parsed.data.permissionMode === "bypassPermissions" && !policy.allowBypassPermissions) {
    return "permissionMode bypassPermissions is disabled on this server (the operator can allow it with RUNNER_ALLOW_BYPASS_PERMISSIONS=1)";
  }
  return null;
};
