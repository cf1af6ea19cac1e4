import { useCallback, useState } from 'react';
import type { FieldErrors } from './useServerForm';

export type SetField<D> = <K extends keyof D>(key: K, value: D[K]) => void;

/** A form's values as typed, changed one field at a time; `replace` swaps in a whole new draft (loaded, saved). */
export function useDraft<D extends object>(initial: D | (() => D)) {
  const [draft, replace] = useState<D>(initial);
  const set: SetField<D> = useCallback(
    (key, value) => replace((current) => ({ ...current, [key]: value })),
    []
  );
  return { draft, set, replace };
}

type KeysHolding<D, V> = { [K in keyof D]-?: D[K] extends V ? K : never }[keyof D] & string;

/**
 * The props that tie a field of the settings forms (fields.tsx) to one value of a draft: its name, value, the
 * server's error for it and its change handler. `name` defaults to the draft key; it differs where the server names
 * the field otherwise (the draft's `senderDomains` is the API's `allowedSenders.domains`).
 */
export function bindDraft<D>({
  draft,
  set,
  errors,
  clearError,
}: {
  draft: D;
  set: SetField<D>;
  errors: FieldErrors;
  /** From useServerForm: editing a field takes away the server's message about it. */
  clearError?: (field: string) => void;
}) {
  return {
    /** For TextField, TextAreaField and SelectField (a select's options hold the draft's union of strings). */
    text: <K extends KeysHolding<D, string>>(key: K, name: string = key) => ({
      name,
      value: draft[key] as string,
      error: errors[name],
      onChange: (value: string) => {
        set(key, value as D[K]);
        clearError?.(name);
      },
    }),
    toggle: <K extends KeysHolding<D, boolean>>(key: K, name: string = key) => ({
      name,
      checked: draft[key] as boolean,
      error: errors[name],
      onChange: (checked: boolean) => {
        set(key, checked as D[K]);
        clearError?.(name);
      },
    }),
  };
}
