import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Dependency direction (DESIGN.md §2): events ← commands ← src, events ← projections ← src.
const forbid = (...dirs) => ({
  "no-restricted-imports": ["error", {
    patterns: dirs.map((dir) => ({ group: [`**/${dir}/**`, `**/${dir}`], message: `this folder must not import from ${dir}/` })),
  }],
});

export default tseslint.config(
  { ignores: ["node_modules", ".data", ".build", "coverage", "dist", ".dependency-cruiser.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "no-console": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  { files: ["events/**"], rules: forbid("commands", "projections", "src", "migrations") },
  { files: ["commands/**"], rules: forbid("projections", "src", "migrations") },
  { files: ["projections/**"], rules: forbid("commands", "src", "migrations") },
  { files: ["migrations/**"], rules: { ...forbid("events", "commands", "projections", "src"), "@typescript-eslint/no-explicit-any": "off" } },
  { files: ["src/cli.ts", "src/cli/**", "bin/**", "scripts/**", "bench/**", "test/**"], rules: { "no-console": "off" } },
);
