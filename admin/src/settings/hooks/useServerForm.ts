import { useCallback, useState } from 'react';
import { readServerError, type ServerProblem } from '../api';
import { useNotify } from './useNotify';
import { useServerActions } from './useServerActions';

/** The server's refusal of a form, per field name as the server names it (`port`, `conditions[0].pattern` …). */
export type FieldErrors = Record<string, string>;

interface SendOptions {
  /** Show the refusal's message as a notification too (default: yes). */
  notify?: boolean;
  /** Clear the field errors before the request (default: yes; a connection test leaves the save's errors shown). */
  clearErrors?: boolean;
  /** Where a refusal that names no field is shown; without it, such a message is in the notification alone. */
  fallbackField?: string;
  onRefusal?(problem: ServerProblem): void;
}

/**
 * A form whose requests the server validates: each request (`save`, `test`, `preview` …) clears the field errors
 * first, and a refusal puts each message under the field it names. `isSending(request)` drives the button's spinner.
 */
export function useServerForm<Request extends string = 'save'>() {
  const notify = useNotify();
  const { run, isPending } = useServerActions<Request>();
  const [errors, setErrors] = useState<FieldErrors>({});

  const send = useCallback(
    (request: Request, action: () => Promise<void>, options: SendOptions = {}) =>
      run(
        request,
        async () => {
          if (options.clearErrors !== false) setErrors({});
          await action();
        },
        (error) => {
          const problem = readServerError(error);
          const named = Object.keys(problem.fields).length > 0;
          setErrors(
            !named && options.fallbackField ? { [options.fallbackField]: problem.message } : problem.fields
          );
          if (options.notify !== false) notify.danger(problem.message);
          options.onRefusal?.(problem);
        }
      ),
    [run, notify]
  );

  /**
   * A field edited after a refusal loses its message, and so do the fields inside it: `conditions[0]` clears
   * `conditions[0].pattern` too (an edited rule condition is judged afresh on the next save).
   */
  const clearError = useCallback(
    (field: string) =>
      setErrors((current) => {
        const kept = Object.entries(current).filter(
          ([name]) => name !== field && !name.startsWith(`${field}.`) && !name.startsWith(`${field}[`)
        );
        return kept.length === Object.keys(current).length ? current : Object.fromEntries(kept);
      }),
    []
  );

  /** The form shows other content (another template): the old messages go. */
  const clearErrors = useCallback(() => setErrors({}), []);

  return { errors, send, isSending: isPending, clearError, clearErrors };
}
