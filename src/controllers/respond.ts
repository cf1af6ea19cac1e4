/** Turns the plugin's typed errors into HTTP answers with the message the admin shows. */
import { PluginError, InputError } from '../errors';

export interface Context {
  status: number;
  body: unknown;
  params: Record<string, string>;
}

export function idParam(ctx: Context, name = 'id'): number {
  const value = ctx.params[name];
  if (!/^\d+$/.test(value ?? '')) throw new InputError(`${name}: must be a numeric id`);
  return Number(value);
}

/** `action` may answer at once (a template preview renders synchronously) or with a promise; both are awaited. */
export async function respond(ctx: Context, action: () => unknown, status = 200): Promise<void> {
  try {
    const data = await action();
    ctx.status = status;
    ctx.body = { data };
  } catch (error) {
    if (error instanceof PluginError) {
      ctx.status = error.status;
      ctx.body = {
        data: null,
        error: {
          status: error.status,
          name: error.name,
          message: error.message,
          details: error.details ?? {},
        },
      };
      return;
    }
    throw error;
  }
}
