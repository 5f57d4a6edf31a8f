// Loaded with `node --import` by test/cli/start-cost.test.ts: registers module hooks (they also see
// worker threads) that append every module URL loaded to the file named by PDNS_MESH_MODULE_TRACE.
import { register } from 'node:module'

register('./module-trace-hooks.mjs', import.meta.url)
