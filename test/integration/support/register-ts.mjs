// `node --import ./register-ts.mjs script.mjs` runs a script that imports TypeScript sources.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
