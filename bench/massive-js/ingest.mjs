// Ingest peer for bench/run: the official Massive JavaScript client (@massive.com/client-js, its
// websocketClient over the `websocket` package) against the same `odte replay-server --speed max`
// as odte's own ingest. One connection per cluster, as odte opens; after auth_success each asks for
// the same subscriptions odted does; every message is JSON.parse'd (the client hands over raw
// frames, so that is what any user of it does) and its market events counted. A pass is timed from
// the first market event to the last cluster's replay_complete, like bench_ingest, and so are the
// CPU times: this process's (process.cpuUsage) and, given the server's pid, the server's over the
// same window, from the scheduler's accounting of its threads as bench_ingest reads it.
//
// WARMUP passes (default 0) run first and are not reported: V8 compiles the hot paths during them.
//
// usage: node ingest.mjs ws://127.0.0.1:PORT KEY PASSES [SERVER_PID] [WARMUP]   -> one JSON object on stdout
import { readdirSync, readFileSync } from 'node:fs';
import { websocketClient } from '@massive.com/client-js';

const [base, key, passesArg, serverPid, warmupArg] = process.argv.slice(2);

// Seconds of CPU of every thread of the server (/proc/PID/task/TID/schedstat, first field in ns).
function serverCpu() {
  if (!serverPid) return -1;
  let ns = 0;
  for (const tid of readdirSync(`/proc/${serverPid}/task`)) {
    ns += Number(readFileSync(`/proc/${serverPid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  }
  return ns / 1e9;
}
const clusters = { stocks: 'T.*,Q.*,A.*,AM.*', options: 'T.*,Q.*,A.*,AM.*', indices: 'V.*,A.*,AM.*' };

function pass() {
  return new Promise((resolve, reject) => {
    const client = websocketClient(key, base);
    const sockets = [];
    let events = 0, complete = 0, t0 = null, cpu0 = null, server0 = -1;
    const finish = () => {
      const wall_s = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      const server_cpu_s = server0 >= 0 ? serverCpu() - server0 : -1;
      for (const s of sockets) s.close();
      resolve({ events, wall_s, cpu_s: (cpu.user + cpu.system) / 1e6, server_cpu_s });
    };
    for (const [cluster, subscriptions] of Object.entries(clusters)) {
      const ws = client[cluster]();
      sockets.push(ws);
      ws.onerror = (e) => reject(new Error(`${cluster}: ${e.message ?? e}`));
      ws.onmessage = (msg) => {
        for (const e of JSON.parse(msg.data)) {
          if (e.ev === 'status') {
            if (e.status === 'auth_success') ws.send(JSON.stringify({ action: 'subscribe', params: subscriptions }));
            else if (e.status === 'auth_failed') reject(new Error(`${cluster}: auth_failed`));
            else if (e.status === 'replay_complete' && ++complete === sockets.length) finish();
            continue;
          }
          if (t0 === null) {
            t0 = process.hrtime.bigint();
            cpu0 = process.cpuUsage();
            server0 = serverCpu();
          }
          ++events;
        }
      };
    }
  });
}

for (let i = 0; i < Number(warmupArg ?? 0); ++i) await pass();
const passes = [];
for (let i = 0; i < Number(passesArg); ++i) passes.push(await pass());
console.log(JSON.stringify({ client: '@massive.com/client-js', node: process.version, passes }));
