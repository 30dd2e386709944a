/**
 * The status words of the domain, declared once. Events (Effect Schema), the decider, the read
 * models and the API (zod) all take them from here.
 */
export const sessionStatuses = ["active", "inactive", "archived"] as const;
export type SessionStatus = (typeof sessionStatuses)[number];

/** How a job ended. */
export const jobOutcomes = ["completed", "failed", "cancelled"] as const;
export type JobOutcome = (typeof jobOutcomes)[number];

/** Where a prompt is in its life. */
export const promptStatuses = ["queued", "running", ...jobOutcomes] as const;
export type PromptStatus = (typeof promptStatuses)[number];

/** A user message is `queued` until its turn starts; `cancelled` if its prompt was. */
export const messageStatuses = ["queued", "sent", "cancelled"] as const;
export type MessageStatus = (typeof messageStatuses)[number];

/** What a permission request asks the person: a tool to run, a question, a plan to leave. */
export const permissionKinds = ["tool", "question", "plan"] as const;
export type PermissionKind = (typeof permissionKinds)[number];

export const permissionStatuses = ["pending", "allowed", "denied", "expired", "cancelled"] as const;
export type PermissionStatus = (typeof permissionStatuses)[number];

export const permissionDecisions = ["allow", "allow_always", "deny"] as const;
export type PermissionDecision = (typeof permissionDecisions)[number];
