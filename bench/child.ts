/**
 * Run a command in a child Node process and measure it from the outside: wall time, and
 * the child's own peak RSS (it prints process.resourceUsage().maxRSS on exit through a
 * preloaded hook, so nothing in the measured code changes).
 */
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ChildMeasure {
  readonly ms: number;
  readonly maxRssMb: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let hookFile: string | undefined;
function rssHook(): string {
  if (!hookFile) {
    const dir = mkdtempSync(join(tmpdir(), 'rr-bench-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    hookFile = join(dir, 'rss-hook.cjs');
    writeFileSync(hookFile, "process.on('exit', () => { require('fs').writeSync(2, '\\nMAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n'); });\n");
  }
  return hookFile;
}

export function measureNode(args: readonly string[], options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<ChildMeasure> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--require', rssHook(), ...args], { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d.length + stdout.length < 1e6 ? d : ''));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.end(options.stdin ?? '');
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const m = /MAXRSS_KB=(\d+)/.exec(stderr);
      resolve({ ms, maxRssMb: m ? Number(m[1]) / 1024 : NaN, code, stdout, stderr: stderr.replace(/\n?MAXRSS_KB=\d+\n?/, '') });
    });
  });
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
