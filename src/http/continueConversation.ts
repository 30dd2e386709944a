import { realpath } from "node:fs/promises";
import type { SessionCommand } from "../../commands/session/index.ts";
import type { ImportedMessage } from "../../events/session.ts";

type Turn = typeof ImportedMessage.Type;
import { AppError } from "../errors.ts";
import type { TranscriptService } from "../transcripts/transcriptService.ts";

/** A conversation's earlier turns are stored with the session in chunks of this many messages. */
const MESSAGES_PER_EVENT = 100;
/** At most this many of its newest messages are brought over (the rest stay in its transcript). */
const MAX_MESSAGES = 2000;
const PAGE = 500;

const notFound = (claudeSessionId: string, projectPath: string) =>
  AppError.of("conversation_not_found", `no Claude Code conversation ${claudeSessionId} of ${projectPath} in the history index`);

const sameFolder = async (a: string | null, b: string) => a !== null && (await realpath(a).catch(() => a)) === (await realpath(b).catch(() => b));

/** Its main thread, oldest first: what the person and the model said (no injected text, no side branches), once per uuid. */
const earlierTurns = async (history: TranscriptService, claudeSessionId: string): Promise<Turn[]> => {
  const pages: Turn[][] = [];
  let before: number | undefined;
  let count = 0;
  for (let round = 0; round < Math.ceil(MAX_MESSAGES / PAGE) + 1 && count < MAX_MESSAGES; round += 1) {
    const page = await history.getMessages(claudeSessionId, { limit: PAGE, thread: "main", ...(before !== undefined ? { before } : {}) });
    const turns = page.messages.flatMap((message): Turn[] =>
      (message.type === "user" || message.type === "assistant") && !message.isMeta && !message.isSidechain && message.uuid !== null && message.content.length > 0
        ? [{ uuid: message.uuid, role: message.type as Turn["role"], text: message.text, content: message.content, at: message.timestamp, apiMessageId: message.apiMessageId }]
        : []);
    pages.unshift(turns);
    count += turns.length;
    if (!page.hasMore || page.nextBefore === null) break;
    before = page.nextBefore;
  }
  const byUuid = new Map<string, Turn>();
  for (const turn of pages.flat()) if (!byUuid.has(turn.uuid)) byUuid.set(turn.uuid, turn);
  return [...byUuid.values()].slice(-MAX_MESSAGES);
};

/**
 * The commands that create a session continuing a conversation begun at the terminal: it must
 * be a conversation of that project in the history index (404 otherwise); its earlier turns
 * come along, so the phone reads the conversation whole, and the first prompt resumes it.
 */
export const continueConversation = async (history: TranscriptService | undefined, claudeSessionId: string, projectPath: string): Promise<SessionCommand[]> => {
  if (history === undefined) throw notFound(claudeSessionId, projectPath);
  const detail = await history.getSession(claudeSessionId).catch((error: unknown) => {
    // An id that is not in the index, or not a safe one: no such conversation here.
    if (error instanceof AppError && error.statusCode < 500) return null;
    throw error;
  });
  if (detail === null || !(await sameFolder(detail.projectPath, projectPath))) throw notFound(claudeSessionId, projectPath);
  const turns = await earlierTurns(history, claudeSessionId);
  const chunks = Array.from({ length: Math.ceil(turns.length / MESSAGES_PER_EVENT) }, (_, index) => turns.slice(index * MESSAGES_PER_EVENT, (index + 1) * MESSAGES_PER_EVENT));
  return chunks.map((messages) => ({ type: "ImportTurns", data: { claudeSessionId, messages } }) as const);
};
