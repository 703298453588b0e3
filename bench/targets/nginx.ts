import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnManaged } from '../system/children.js';
import { freePort, waitForHttp } from '../system/ports.js';
import { UPSTREAM_KEY } from './workload.js';
import type { TargetContext, TargetStart } from './target.js';

const nginxWorkers = (workers = 1): number => {
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new Error(`nginx worker_processes must be a whole number 1–64, got ${workers}`);
  return workers;
};

const findNginx = (): string | null => {
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx']) {
    try {
      execFileSync(candidate, ['-v'], { stdio: 'ignore', timeout: 5000 });
      return candidate;
    } catch {
      // try the next one
    }
  }
  return null;
};

/**
 * Upstream keep-alive, no buffering: the practical floor for a proxy hop. One worker for the
 * pinned comparison; the scaling phase also runs 2 beside the gateway's `--workers 2`.
 */
export const nginxConfig = (options: { port: number; upstreamHostPort: string; prefix: string; runAsRoot: boolean; workers?: number }): string => `
${options.runAsRoot ? 'user root;' : ''}
worker_processes ${nginxWorkers(options.workers)};
worker_rlimit_nofile 40000;
pid ${join(options.prefix, 'nginx.pid')};
error_log ${join(options.prefix, 'error.log')} warn;
events {
  worker_connections 30000;
  multi_accept on;
}
http {
  access_log off;
  client_body_temp_path ${join(options.prefix, 'client-body')};
  proxy_temp_path ${join(options.prefix, 'proxy')};
  fastcgi_temp_path ${join(options.prefix, 'fastcgi')};
  uwsgi_temp_path ${join(options.prefix, 'uwsgi')};
  scgi_temp_path ${join(options.prefix, 'scgi')};
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  upstream simulator {
    server ${options.upstreamHostPort};
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${options.port} backlog=4096;
    location / {
      proxy_pass http://simulator;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 120s;
    }
  }
}
`;

export const startNginx = async (context: TargetContext, workers = 1): Promise<TargetStart> => {
  const binary = findNginx();
  if (!binary) return { status: 'skipped', name: 'nginx', reason: 'nginx not installed (apt-get install -y nginx-light)' };
  // A prefix per start: the scaling phase runs a 1-worker and a 2-worker nginx side by side.
  const prefix = mkdtempSync(join(context.workDir, 'nginx-'));
  const port = await freePort();
  const config = join(prefix, 'nginx.conf');
  writeFileSync(
    config,
    nginxConfig({ port, upstreamHostPort: new URL(context.upstreamUrl).host, prefix, runAsRoot: process.getuid?.() === 0, workers }),
  );
  const version = (() => {
    try {
      return execFileSync(binary, ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim() || null;
    } catch (error) {
      return String((error as { stderr?: string }).stderr ?? '').trim() || null;
    }
  })();
  const child = spawnManaged('nginx', binary, ['-p', prefix, '-c', config, '-e', join(prefix, 'error.log'), '-g', 'daemon off;'], {
    cpu: context.cpu,
    // SIGTERM is nginx's fast shutdown; the master takes its worker down with it.
    stopSignal: 'SIGTERM',
  });
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${origin}/openai/v1/models`, 10_000, child.isRunning);
  } catch (error) {
    await child.stop();
    return { status: 'skipped', name: 'nginx', reason: `nginx did not start: ${(error as Error).message} ${child.outputTail()}` };
  }
  return {
    status: 'ok',
    target: {
      name: 'nginx',
      origin,
      chatPath: '/openai/v1/chat/completions',
      headers: { authorization: `Bearer ${UPSTREAM_KEY}` },
      pid: child.pid,
      version: version?.replace(/^nginx version:\s*/, '') ?? null,
      notes: [`${workers} worker${workers === 1 ? '' : 's'}, upstream keepalive 64, proxy_buffering off`],
      stop: () => child.stop(),
    },
  };
};
