// The harness's waits are core's test waits (app/core/testing/wait.ts).
export { waitFor } from '../../app/core/testing/wait';
