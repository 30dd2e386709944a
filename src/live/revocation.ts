/**
 * Revoking a token is what one does about a lost phone: the streams it opened must end too, in
 * whichever api process they run, whichever process revoked it. Every `intervalMs` each distinct
 * token of this process's open streams is checked again (one lookup per token, not per stream);
 * the streams of a token that no longer verifies are ended.
 */
export const createRevocationWatch = (verify: (token: string) => Promise<boolean>, intervalMs = 2000) => {
  const streams = new Map<string, Set<() => void>>();
  let timer: NodeJS.Timeout | undefined;

  const sweep = async () => {
    for (const [token, ends] of [...streams]) {
      // A store that is away says nothing about the token: keep the streams until it answers.
      const valid = await verify(token).catch(() => true);
      if (valid) continue;
      streams.delete(token);
      for (const end of ends) end();
    }
  };

  return {
    /** Follows one stream of `token`; returns the function that stops following it. */
    track: (token: string, end: () => void): (() => void) => {
      const ends = streams.get(token) ?? new Set();
      streams.set(token, ends.add(end));
      return () => {
        ends.delete(end);
        if (ends.size === 0 && streams.get(token) === ends) streams.delete(token);
      };
    },
    start: () => {
      timer ??= setInterval(() => void sweep(), intervalMs);
      timer.unref();
    },
    stop: () => {
      clearInterval(timer);
      timer = undefined;
    },
  };
};
