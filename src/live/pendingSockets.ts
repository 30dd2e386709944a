/**
 * Counts WebSockets that are open but not yet authenticated, per remote address. The upgrade
 * route is public, so without a cap one address could hold thousands of idle sockets for the
 * whole first-message timeout.
 */
export const createPendingSockets = (maxPerAddress: number) => {
  const counts = new Map<string, number>();
  return {
    /** A release function when there is room (call it once the socket is authenticated or gone), else null. */
    admit(address: string): (() => void) | null {
      const count = counts.get(address) ?? 0;
      if (count >= maxPerAddress) return null;
      counts.set(address, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (counts.get(address) ?? 1) - 1;
        if (left <= 0) counts.delete(address);
        else counts.set(address, left);
      };
    },
    count: (address: string): number => counts.get(address) ?? 0,
  };
};

export type PendingSockets = ReturnType<typeof createPendingSockets>;
