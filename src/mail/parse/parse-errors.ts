/**
 * The one error shape of parsing: every failure of {@link parseMail} reads `Cannot parse message: …`, whatever step
 * failed, so the importer and the admin show one kind of reason. Shared by the orchestrator and the body reader.
 */

export const ERROR_PREFIX = 'Cannot parse message: ';

export function describe(err: unknown): string {
  if (err instanceof Error) {
    return err.message || err.name;
  }
  return String(err);
}
