/* global process, console, URL */
// What `ccm` (and so `npm start`) runs: the TypeScript sources compiled to JavaScript by esbuild
// into .build/<fingerprint>/, once per change of the sources. Compiling only strips types (about a
// second); type checking is `npm run check`'s job. A build is written to a folder of its own and
// renamed into place when complete, so processes starting at the same moment never load half of one.
import { createHash } from "node:crypto";
import { cpSync, existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SOURCES = ["src", "events", "commands", "projections", "migrations"];
const OUT = join(ROOT, ".build");
/** Builds kept besides the current one: a service started from one of them still loads its modules lazily. */
const KEEP = 5;

const walk = (dir, found = []) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, found);
    else if (/\.(ts|lua)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) found.push(path);
  }
  return found;
};

/** Every source file, and a fingerprint of their paths, sizes and times (and of this script). */
const sources = () => {
  const files = SOURCES.flatMap((folder) => walk(join(ROOT, folder))).sort();
  const hash = createHash("sha256");
  for (const file of [...files, fileURLToPath(import.meta.url)]) {
    const stat = statSync(file);
    hash.update(`${file}\0${stat.size}\0${stat.mtimeMs}\n`);
  }
  return { files, fingerprint: hash.digest("hex").slice(0, 16) };
};

/** Each file compiled on its own: every import stays an import, `./x.ts` becoming `./x.js`. */
const keepImports = {
  name: "keep-imports",
  setup(builder) {
    builder.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === "entry-point") return undefined;
      return { path: args.path.startsWith(".") ? args.path.replace(/\.ts$/, ".js") : args.path, external: true };
    });
  },
};

const prune = (current) => {
  const builds = readdirSync(OUT)
    .filter((name) => name !== current)
    .map((name) => ({ name, time: statSync(join(OUT, name)).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  for (const old of builds.slice(KEEP)) rmSync(join(OUT, old.name), { recursive: true, force: true });
};

/** The compiled `src/cli.js` of the current sources, compiling them first when they changed. */
export const compiledCli = async () => {
  const { files, fingerprint } = sources();
  const dir = join(OUT, fingerprint);
  const entry = join(dir, "src", "cli.js");
  if (existsSync(join(dir, ".complete"))) return entry;
  const temporary = `${dir}.tmp-${process.pid}`;
  await build({
    entryPoints: files.filter((file) => file.endsWith(".ts")), outdir: temporary, outbase: ROOT, bundle: true,
    platform: "node", format: "esm", target: "node20", sourcemap: true, logLevel: "error", plugins: [keepImports],
  });
  for (const file of files.filter((name) => name.endsWith(".lua"))) cpSync(file, join(temporary, relative(ROOT, file)));
  writeFileSync(join(temporary, ".complete"), "");
  try {
    renameSync(temporary, dir);
  } catch {
    // Another process finished the same build first.
    rmSync(temporary, { recursive: true, force: true });
  }
  prune(fingerprint);
  return entry;
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(relative(process.cwd(), dirname(dirname(await compiledCli()))));
}
