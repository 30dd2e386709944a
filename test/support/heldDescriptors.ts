import { readdirSync, readlinkSync } from "node:fs";

/** Descriptors this process holds on anything under `root` (Linux: /proc/self/fd). */
export const heldUnder = (root: string): string[] =>
  readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(root);
    } catch {
      return false;
    }
  });
