#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm ci` (the prepare script); run it from there.
import { main } from '../dist/cli/main.js';

// A reader that stops early (`waterflow runs | head -3`) closes the pipe: what is left to print
// is not wanted, which is no error (no stack trace), and the command still finishes its work.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
});

process.exitCode = await main(process.argv.slice(2));
