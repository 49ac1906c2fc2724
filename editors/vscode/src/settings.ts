// Maps the extension's settings (`tandem.completion.*`, camelCase as VS Code settings go) to the
// server's completion settings (snake_case), sent as `initializationOptions` and on changes.

/** The server's key for each `tandem.completion.<key>` setting. */
export const COMPLETION_KEYS: Readonly<Record<string, string>> = {
  enabled: 'enabled',
  languages: 'languages',
  debounceMs: 'debounce_ms',
  prefixTokens: 'prefix_tokens',
  suffixTokens: 'suffix_tokens',
  maxTokens: 'max_tokens',
  timeBudgetMs: 'time_budget_ms',
  multiline: 'multiline',
  popupWaitMs: 'popup_wait_ms',
  nextEditDelayMs: 'next_edit_delay_ms',
};

/** The value a user set for `tandem.completion.<key>`, or undefined when it was left alone. */
export type Lookup = (key: string) => unknown;

/**
 * The server's completion settings for the keys the user set: keys left alone are not sent, so
 * the server keeps its own value (from its config file, or its default).
 */
export function completionSettings(lookup: Lookup): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, serverKey] of Object.entries(COMPLETION_KEYS)) {
    const value = lookup(key);
    if (value !== undefined && value !== null) {
      out[serverKey] = value;
    }
  }
  return out;
}

/** `initializationOptions` for `tandem lsp`: `{ completion: {...} }`. */
export function initializationOptions(lookup: Lookup): { completion: Record<string, unknown> } {
  return { completion: completionSettings(lookup) };
}
