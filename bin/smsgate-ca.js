#!/usr/bin/env node
// Entry point kept in plain JS so the `bin` works after `npm run build` without a TS loader.
import { runCli } from '../dist/src/cli/run.js';

process.exitCode = await runCli(process.argv.slice(2));
