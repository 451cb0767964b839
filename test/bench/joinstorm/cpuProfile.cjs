// Preloaded into a server for profiling (`--cpu-prof` is refused in NODE_OPTIONS):
//   SERVER_NODE_OPTIONS="--require $PWD/test/bench/joinstorm/cpuProfile.cjs" CPU_PROF_DIR=/tmp/prof npm run bench:joinstorm
// Writes one .cpuprofile per server process when it exits (open it in Chrome DevTools or speedscope).
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.CPU_PROF_DIR || '/tmp';
const session = new inspector.Session();
session.connect();
session.post('Profiler.setSamplingInterval', { interval: 1000 });
session.post('Profiler.enable', () => session.post('Profiler.start'));
process.on('exit', () => {
  // A session on the main thread answers synchronously, so this runs to the end inside 'exit'.
  session.post('Profiler.stop', (err, res) => {
    if (!err) fs.writeFileSync(path.join(dir, `server-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
  });
});
