// The server's state for the status bar, from `tandem/status` notifications or, for servers
// without them, from the `tandem/metrics` request.

export type State = 'starting' | 'loading' | 'ready' | 'degraded' | 'error' | 'stopped';

export interface Status {
  state: State;
  model: string;
  detail: string;
}

const STATES: readonly string[] = ['starting', 'loading', 'ready', 'degraded', 'error', 'stopped'];

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
}

/** A `tandem/status` notification's params (`state`, `model`, `detail`), or undefined if malformed. */
export function fromNotification(params: unknown): Status | undefined {
  const p = record(params);
  if (!p || typeof p.state !== 'string' || !STATES.includes(p.state)) {
    return undefined;
  }
  return { state: p.state as State, model: str(p.model), detail: str(p.detail) };
}

/** A `tandem/metrics` answer (`state`: loading, ready or failed), or undefined if malformed. */
export function fromMetrics(metrics: unknown): Status | undefined {
  const m = record(metrics);
  switch (m?.state) {
    case 'loading':
      return { state: 'loading', model: str(m.model), detail: 'loading the model' };
    case 'ready':
      return { state: 'ready', model: str(m.model), detail: '' };
    case 'failed':
      return { state: 'error', model: str(m.model), detail: str(m.error) };
    default:
      return undefined;
  }
}

export interface View {
  /** Status bar text, with a codicon. */
  text: string;
  tooltip: string;
  /** Status bar background: none, warning or error. */
  severity: 'none' | 'warning' | 'error';
}

const ICONS: Record<State, string> = {
  starting: '$(sync~spin)',
  loading: '$(sync~spin)',
  ready: '$(check)',
  degraded: '$(warning)',
  error: '$(error)',
  stopped: '$(circle-slash)',
};

const WORDS: Record<State, string> = {
  starting: 'starting',
  loading: 'loading the model',
  ready: 'ready',
  degraded: 'degraded',
  error: 'error',
  stopped: 'stopped',
};

/** How the status bar item shows `s`. */
export function view(s: Status): View {
  const parts = [`tandem: ${WORDS[s.state]}`];
  if (s.model !== '') {
    parts.push(`model: ${s.model}`);
  }
  if (s.detail !== '') {
    parts.push(s.detail);
  }
  parts.push('Click for details.');
  const severity = s.state === 'error' ? 'error' : s.state === 'degraded' ? 'warning' : 'none';
  return { text: `${ICONS[s.state]} tandem`, tooltip: parts.join('\n'), severity };
}
