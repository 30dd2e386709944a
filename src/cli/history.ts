import { parseArgs } from "node:util";
import type { Logger } from "pino";
import type { SessionAnalysis } from "../transcripts/analyseSession.ts";
import { listSessions } from "../transcripts/transcriptQueries.ts";
import { loadSession } from "../transcripts/loadSession.ts";
import { createTranscriptScanner, type ScanProgress } from "../transcripts/scanner.ts";
import type { TranscriptDb } from "../transcripts/transcriptDb.ts";
import { NotRegularFileError } from "../infra/regularFile.ts";

/**
 * `ccm history scan | ls [--project P] | show <claudeSessionId> [--json] [--thread main|all]`.
 * `scan` updates the index (progress bar on stderr), `ls` lists indexed sessions, and `show`
 * parses one session's files in full and reports what the decoder and the thread builder saw.
 */
export type HistoryCliDeps = {
  readonly db: TranscriptDb;
  readonly claudeConfigDir: string;
  readonly logger: Logger;
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream & { isTTY?: boolean };
};

const usage = `usage: ccm history scan
       ccm history ls [--project <cwd>] [--limit N] [--json]
       ccm history show <claudeSessionId> [--json] [--thread main|all]
`;

const megabytes = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

const progressBar = (p: ScanProgress): string => {
  const ratio = p.bytesTotal === 0 ? 1 : Math.min(1, p.bytesDone / p.bytesTotal);
  const filled = Math.round(ratio * 30);
  return `\r[${"#".repeat(filled)}${".".repeat(30 - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ` +
    `${p.filesDone}/${p.filesTotal} files ${megabytes(p.bytesDone)}/${megabytes(p.bytesTotal)} MB`;
};

const scan = async (deps: HistoryCliDeps, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> => {
  const scanner = createTranscriptScanner(deps);
  const report = await scanner.scan({ onProgress: (p) => err.write(progressBar(p)) });
  if (report.filesRead > 0) err.write("\n");
  const rate = report.durationMs > 0 ? report.bytesRead / 1024 / 1024 / (report.durationMs / 1000) : 0;
  out.write(
    `${report.files} files, ${report.filesRead} read, ${megabytes(report.bytesRead)} MB in ${(report.durationMs / 1000).toFixed(2)} s ` +
      `(${rate.toFixed(0)} MB/s), ${report.lines} lines, ${report.invalid} invalid, ${report.removed} removed, ${report.skipped} skipped\n`,
  );
  return 0;
};

const ls = async (deps: HistoryCliDeps, args: string[], out: NodeJS.WritableStream): Promise<number> => {
  const { values } = parseArgs({ args, options: { project: { type: "string" }, limit: { type: "string" }, json: { type: "boolean" } } });
  const limit = Math.max(1, Math.min(1000, Number(values.limit ?? 50) || 50));
  const { sessions, total } = await listSessions(deps.db, { projectPath: values.project, limit, offset: 0 });
  if (values.json === true) {
    out.write(JSON.stringify({ sessions, total }) + "\n");
    return 0;
  }
  for (const s of sessions) {
    const title = (s.title ?? s.firstPrompt ?? "").replace(/\s+/g, " ").slice(0, 60);
    out.write(`${s.claudeSessionId}  ${s.lastTimestamp ?? "-".padEnd(24)}  ${String(s.messageCount).padStart(5)} msgs  ${s.projectPath ?? "?"}  ${title}\n`);
  }
  out.write(`${sessions.length} of ${total} sessions\n`);
  return 0;
};

export const showJson = (analysis: SessionAnalysis, thread: "main" | "all") => ({
  sessionId: analysis.sessionId ?? null,
  cwd: analysis.cwd ?? null,
  lines: analysis.counts.lines,
  messages: analysis.counts.messages,
  invalid: analysis.counts.invalid,
  unknown: analysis.counts.unknown,
  truncated: analysis.counts.truncated,
  partial: analysis.counts.partial,
  duplicates: analysis.duplicates,
  mainThread: analysis.mainThread,
  ...(thread === "all" ? { allThread: analysis.allThread } : {}),
  branches: analysis.branches.length,
  subagents: analysis.subagents.map(({ uuids, ...group }) => ({ ...group, messages: uuids.length })),
  turns: analysis.finalResponses.length,
  finalResponses: analysis.finalResponses,
});

const describe = (analysis: SessionAnalysis, uuid: string): string => {
  const line = analysis.lines.get(uuid);
  if (line === undefined) return `${uuid} (truncated)`;
  const text = "content" in line ? line.content.map((b) => (b.type === "text" ? b.text : `[${b.type}]`)).join(" ") : `[${line.kind}]`;
  return `${line.env.timestamp ?? ""} ${line.kind.padEnd(10)} ${text.replace(/\s+/g, " ").slice(0, 100)}`;
};

const show = async (deps: HistoryCliDeps, args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> => {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: "boolean" }, thread: { type: "string" } } });
  const id = positionals[0];
  const thread = values.thread ?? "main";
  if (id === undefined || (thread !== "main" && thread !== "all")) {
    err.write(usage);
    return 2;
  }
  const analysis = await loadSession(deps, id);
  if (analysis === undefined) {
    err.write(`no Claude Code session ${id} under ${deps.claudeConfigDir}\n`);
    return 1;
  }
  if (values.json === true) {
    out.write(JSON.stringify(showJson(analysis, thread)) + "\n");
    return 0;
  }
  for (const uuid of thread === "main" ? analysis.mainThread : analysis.allThread) out.write(describe(analysis, uuid) + "\n");
  out.write(`${analysis.counts.lines} lines, ${analysis.counts.invalid} invalid, ${analysis.finalResponses.length} turns\n`);
  return 0;
};

export async function runHistory(args: string[], deps: HistoryCliDeps): Promise<number> {
  const out = deps.stdout ?? process.stdout;
  const err = deps.stderr ?? process.stderr;
  const [sub, ...rest] = args;
  try {
    if (sub === "scan") return await scan(deps, out, err);
    if (sub === "ls") return await ls(deps, rest, out);
    if (sub === "show") return await show(deps, rest, out, err);
  } catch (error) {
    if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
      err.write(`${error.message}\n${usage}`);
      return 2;
    }
    if (error instanceof NotRegularFileError) {
      err.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  err.write(usage);
  return sub === undefined || sub === "help" || sub === "--help" ? 0 : 2;
}
