/**
 * Errors the admin API turns into HTTP answers. Each message is written for the person who reads it in the admin.
 */
export class PluginError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A request the caller can fix (400): names the field that is wrong. */
export class InputError extends PluginError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(400, message, details);
  }
}

export class NotFoundError extends PluginError {
  constructor(message: string) {
    super(404, message);
  }
}

export class ConflictError extends PluginError {
  constructor(message: string) {
    super(409, message);
  }
}
