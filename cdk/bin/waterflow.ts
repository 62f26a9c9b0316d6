import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app.js';
import { ConfigError } from '../lib/config.js';

const app = new App();
try {
  buildApp(app);
} catch (error) {
  // A bad context value is the operator's to fix: one line, no stack trace.
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
app.synth();
