// Installs the Debian packages the benchmark drives, only when a binary is missing.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync, unlinkSync } from 'node:fs';

/** binary name -> Debian package that ships it */
export const TOOLS = {
  wrk: 'wrk',
  h2load: 'nghttp2-client',
  haproxy: 'haproxy',
  nginx: 'nginx',
  taskset: 'util-linux',
};

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const POLICY_RC_D = '/usr/sbin/policy-rc.d';

export function which(name) {
  for (const dir of SEARCH_PATH) {
    const p = `${dir}/${name}`;
    if (existsSync(p)) return p;
  }
  return null;
}

function run(cmd, args, log) {
  log(`$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** Ensures every tool exists; returns { name: absolutePath }. Throws with a clear message otherwise. */
export function ensureTools(log = console.log) {
  const missing = Object.keys(TOOLS).filter((t) => !which(t));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((t) => TOOLS[t]))];
    log(`installing Debian packages: ${pkgs.join(' ')}`);
    // A policy-rc.d that exits 101 stops the packages' postinst from starting system nginx/haproxy on :80.
    const ownPolicy = !existsSync(POLICY_RC_D);
    if (ownPolicy) writeFileSync(POLICY_RC_D, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
    try {
      run('apt-get', ['update', '-q'], log);
      run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], log);
    } finally {
      if (ownPolicy) unlinkSync(POLICY_RC_D);
    }
    stopSystemServices(log);
  }
  const paths = {};
  for (const t of Object.keys(TOOLS)) {
    const p = which(t);
    if (!p) throw new Error(`${t} is still missing after installing ${TOOLS[t]}`);
    paths[t] = p;
  }
  return paths;
}

// Belt and braces for machines without policy-rc.d support: the bench never uses the system services.
function stopSystemServices(log) {
  for (const svc of ['nginx', 'haproxy']) {
    try {
      execFileSync('service', [svc, 'stop'], { stdio: 'ignore' });
      log(`system service ${svc} stopped (or was not running)`);
    } catch {
      // not running, or no init system: nothing to stop
    }
  }
}
