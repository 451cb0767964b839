import { installWorkerBinary } from '../sfu/workerBinary.js';

// mediasoup reads MEDIASOUP_WORKER_BIN when first imported, so this runs before any test file.
installWorkerBinary();
