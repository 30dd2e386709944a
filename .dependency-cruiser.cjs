/** Dependency direction and cycles (DESIGN.md §2, STYLE.md "Guard rails"). */
module.exports = {
  forbidden: [
    { name: "no-cycles", severity: "error", from: {}, to: { circular: true } },
    { name: "events-import-nothing-of-ours", severity: "error",
      from: { path: "^events/" }, to: { path: "^(commands|projections|src|migrations)/" } },
    { name: "commands-only-events", severity: "error",
      from: { path: "^commands/" }, to: { path: "^(projections|src|migrations)/" } },
    { name: "projections-only-events", severity: "error",
      from: { path: "^projections/" }, to: { path: "^(commands|src|migrations)/" } },
    { name: "migrations-frozen", severity: "error",
      from: { path: "^migrations/" }, to: { path: "^(events|commands|projections|src)/" } },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
  },
};
