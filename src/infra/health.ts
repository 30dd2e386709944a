/**
 * What is wrong with the service right now, as its parts report it (the database away,
 * durability not verified, Redis lost its data). /health shows it and says `degraded`.
 */
export interface HealthProblem {
  readonly component: string;
  readonly detail: string;
}

export const createHealthBoard = () => {
  const problems = new Map<string, string>();
  return {
    /** Sets (a string) or clears (null) the problem of one component. */
    report: (component: string, detail: string | null) => {
      if (detail === null) problems.delete(component);
      else problems.set(component, detail);
    },
    problems: (): HealthProblem[] => [...problems.entries()].map(([component, detail]) => ({ component, detail })),
  };
};

export type HealthBoard = ReturnType<typeof createHealthBoard>;
