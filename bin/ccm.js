#!/usr/bin/env node
/* global process */
// Runs the compiled sources, compiling them first when they changed since the last run
// (scripts/compile.mjs: esbuild, about a second); stack traces point into the TypeScript.
import { compiledCli } from "../scripts/compile.mjs";

process.setSourceMapsEnabled(true);
await import(await compiledCli());
