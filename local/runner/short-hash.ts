/** The StartedBy job tag: the compiler's, so that local and cloud tasks are tagged alike. */
export { jobHash as shortHash } from '../../compiler/index.js';
