// The runtime's own polyfill: tests that drive aws-local-stepfunctions directly import it here.
import '../../local/engine/promise-polyfill.js';
