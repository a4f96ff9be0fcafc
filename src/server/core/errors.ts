/**
 * The one error family of Khiên. Services throw these; the HTTP error handler maps them to
 * `{ error: { code, message, details?, requestId } }`. Codes are stable (`org_unit.not_found`).
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;

  constructor(code: string, status: number, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.details = options.details;
  }
}

export class ValidationError extends AppError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, 400, message, { details });
  }
}

/** The request is well-formed but the content cannot be processed (e.g. an import with bad rows). */
export class UnprocessableError extends AppError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, 422, message, { details });
  }
}

export class UnauthenticatedError extends AppError {
  constructor(code = 'auth.unauthenticated', message = 'Bạn cần đăng nhập.') {
    super(code, 401, message);
  }
}

export class ForbiddenError extends AppError {
  /**
   * The org unit the refused action concerned, recorded as the `authz.denied` entry's unit so the auditors of
   * that unit see it. Kept out of `details`: the 403 body must not tell a caller where an object they may not
   * see lives.
   */
  readonly unitId: string | null;
  constructor(code = 'auth.forbidden', message = 'Bạn không có quyền thực hiện thao tác này.', details?: unknown, options: { unitId?: string | null } = {}) {
    super(code, 403, message, { details });
    this.unitId = options.unitId ?? null;
  }
}

export class NotFoundError extends AppError {
  constructor(code: string, message = 'Không tìm thấy.') {
    super(code, 404, message);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, 409, message, { details });
  }
}

export class TooManyRequestsError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(code: string, message: string, retryAfterSeconds: number) {
    super(code, 429, message, { details: { retryAfterSeconds } });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
