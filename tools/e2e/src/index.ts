export { WORKSPACE_ROOT, bundle, freePort, startProcess, tcpOpen, waitFor, type Proc } from './harness.js';
