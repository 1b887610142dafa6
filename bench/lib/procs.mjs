// Starts, tracks and stops every child process of the bench; reads CPU and memory from /proc.
import { spawn, execFileSync } from 'node:child_process';
import { openSync, closeSync, readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const live = new Set();
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/**
 * Spawns `cmd args` in its own process group (so Ctrl-C reaches only us and we stop the whole tree),
 * pinned with taskset when `cpu` is given. Output goes to `logFile`, or is captured when `capture`.
 */
export function start(label, cmd, args, { cpu, env, cwd, logFile, capture = false } = {}) {
  const argv = cpu === undefined ? [cmd, ...args] : ['taskset', '-c', String(cpu), cmd, ...args];
  const fd = logFile ? openSync(logFile, 'a') : null;
  const stdio = capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd ?? 'ignore', fd ?? 'ignore'];
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio, env: env ?? process.env, cwd });
  if (fd !== null) closeSync(fd);
  const proc = { label, pid: child.pid, child, logFile, exitCode: null, stdout: '', stderr: '' };
  if (capture) {
    child.stdout.on('data', (d) => (proc.stdout += d));
    child.stderr.on('data', (d) => (proc.stderr += d));
  }
  proc.exited = new Promise((resolve) => {
    child.on('error', (err) => {
      proc.exitCode = -1;
      proc.stderr += `${err.message}\n`;
      live.delete(proc);
      resolve(proc);
    });
    // 'close' rather than 'exit' so captured output is complete.
    child.on('close', (code, signal) => {
      proc.exitCode = code ?? signal;
      live.delete(proc);
      resolve(proc);
    });
  });
  live.add(proc);
  return proc;
}

/** Runs a tool to completion and returns { code, stdout, stderr }. */
export async function run(label, cmd, args, opts = {}) {
  const proc = start(label, cmd, args, { ...opts, capture: true });
  await proc.exited;
  return { code: proc.exitCode, stdout: proc.stdout, stderr: proc.stderr };
}

function signalGroup(proc, signal) {
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM, then SIGKILL to the whole group if it is still alive after graceMs. */
export async function stop(proc, { graceMs = 5000, signal = 'SIGTERM' } = {}) {
  if (proc.exitCode !== null) return proc.exitCode;
  signalGroup(proc, signal);
  const timer = sleep(graceMs).then(() => 'timeout');
  if ((await Promise.race([proc.exited, timer])) === 'timeout') {
    signalGroup(proc, 'SIGKILL');
    await proc.exited;
  }
  return proc.exitCode;
}

export async function stopAll(opts) {
  await Promise.all([...live].map((p) => stop(p, opts)));
}

/** Last resort from a synchronous 'exit' handler. */
export function killAllSync() {
  for (const p of live) signalGroup(p, 'SIGKILL');
}

export function tail(proc, lines = 15) {
  if (!proc.logFile) return proc.stderr.split('\n').slice(-lines).join('\n');
  try {
    return readFileSync(proc.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function died(proc, what) {
  return new Error(`${proc.label} exited (${proc.exitCode}) while ${what}; last log lines:\n${tail(proc)}`);
}

export async function waitForPort(port, { proc, timeoutMs = 15000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && proc.exitCode !== null) throw died(proc, `waiting for port ${port}`);
    const ok = await new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${proc?.label ?? 'process'}: port ${port} not open after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Polls GET url until it answers 200. */
export async function waitForHttp(url, { proc, timeoutMs = 20000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    if (proc && proc.exitCode !== null) throw died(proc, `waiting for ${url}`);
    const status = await new Promise((resolve) => {
      const req = http.get(url, { agent: false, timeout: 1000 }, (res) => (res.resume(), resolve(res.statusCode)));
      req.on('error', (e) => resolve(e.code ?? e.message));
      req.on('timeout', () => req.destroy());
    });
    if (status === 200) return;
    last = status;
    if (Date.now() > deadline) throw new Error(`${proc?.label ?? 'process'}: ${url} not ready after ${timeoutMs} ms (last: ${last})`);
    await sleep(100);
  }
}

/** pid plus all its descendants (nginx master + workers, a CLI that forks, ...). */
export function processTree(pid) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(name));
    children.set(stat.ppid, list);
  }
  const out = [];
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop();
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

function readStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may hold spaces: split after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]) };
}

/** utime+stime in seconds, summed over the given pids (all threads of each). */
export function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const s = readStat(pid);
    if (s) ticks += s.utime + s.stime;
  }
  return ticks / CLK_TCK;
}

/** { rssKb, hwmKb } summed over the given pids. */
export function memory(pids) {
  let rssKb = 0;
  let hwmKb = 0;
  for (const pid of pids) {
    let text;
    try {
      text = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      continue;
    }
    rssKb += Number(/^VmRSS:\s+(\d+)/m.exec(text)?.[1] ?? 0);
    hwmKb += Number(/^VmHWM:\s+(\d+)/m.exec(text)?.[1] ?? 0);
  }
  return { rssKb, hwmKb };
}

/**
 * Process time (user + nice + system) spent on one core since boot, from /proc/stat. Interrupt and
 * softirq time is left out: processes' utime/stime do not include it either.
 */
export function coreBusySeconds(cpu) {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${cpu} `));
  if (!line) return NaN;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  return (f[0] + f[1] + f[2]) / CLK_TCK;
}
