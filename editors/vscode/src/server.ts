// Finds the `tandem` binary: the configured path, else `tandem` on PATH, else ~/.cargo/bin.
import * as path from 'node:path';

export interface Environment {
  env: Record<string, string | undefined>;
  platform: string;
  home: string;
  /** Whether `file` exists and can be run. */
  isExecutable: (file: string) => boolean;
}

function expandHome(p: string, home: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(home, p.slice(1)) : p;
}

/** The server binary to run, or undefined when there is none. */
export function findServer(configured: string, e: Environment): string | undefined {
  const setting = configured.trim();
  if (setting !== '') {
    const p = expandHome(setting, e.home);
    // A bare name is looked up on PATH like a shell would.
    if (!p.includes('/') && !p.includes('\\')) {
      return searchPath([p], e);
    }
    return e.isExecutable(p) ? p : undefined;
  }
  const names = e.platform === 'win32' ? ['tandem.exe', 'tandem'] : ['tandem'];
  return searchPath(names, e) ?? names.map((n) => path.join(e.home, '.cargo', 'bin', n)).find(e.isExecutable);
}

function searchPath(names: string[], e: Environment): string | undefined {
  const sep = e.platform === 'win32' ? ';' : ':';
  const dirs = (e.env.PATH ?? e.env.Path ?? '').split(sep).filter((d) => d !== '');
  for (const dir of dirs) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (e.isExecutable(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

/** What to tell the user when `findServer` found nothing. */
export function notFoundMessage(configured: string): string {
  if (configured.trim() !== '') {
    return `tandem: the server binary "${configured}" (setting tandem.path) does not exist or cannot be run.`;
  }
  return (
    'tandem: the `tandem` binary was not found on PATH. Build it (`cargo build --release` in the tandem ' +
    'repository) and put target/release/tandem on PATH, or set tandem.path to its location.'
  );
}
