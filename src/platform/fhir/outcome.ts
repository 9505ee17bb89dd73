// FHIR OperationOutcome: how the FHIR API says what went wrong. Every issue names where (a FHIRPath expression such
// as `Bundle.entry[3].resource.subject`) and what, in words written here — never a value from the request, so that
// no BSN or other personal data is echoed back or ends up in a client's logs.

/** FHIR R4 issue-type codes Koepel uses (http://hl7.org/fhir/issue-type). */
export type IssueCode =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'invariant'
  | 'security'
  | 'login'
  | 'forbidden'
  | 'not-supported'
  | 'not-found'
  | 'deleted'
  | 'duplicate'
  | 'conflict'
  | 'too-long'
  | 'business-rule'
  | 'processing'
  | 'exception'
  | 'transient'
  | 'informational';

export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

export interface Issue {
  severity: IssueSeverity;
  code: IssueCode;
  diagnostics: string;
  expression?: string[];
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: Issue[];
}

export function operationOutcome(issues: Issue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

export function issue(
  code: IssueCode,
  diagnostics: string,
  expression?: string,
  severity: IssueSeverity = 'error',
): Issue {
  return expression ? { severity, code, diagnostics, expression: [expression] } : { severity, code, diagnostics };
}

/** A request the FHIR API refuses as a whole: HTTP status and the issues to report. */
export class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly issues: Issue[],
    /** Extra response headers, e.g. WWW-Authenticate on 401. */
    readonly headers: Record<string, string> = {},
  ) {
    super(issues[0]?.diagnostics ?? 'FHIR error');
  }
}

/** The HTTP status line FHIR puts in Bundle.entry.response.status. */
export function statusLine(status: number): string {
  const text: Record<number, string> = {
    200: 'OK',
    201: 'Created',
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    422: 'Unprocessable Entity',
    500: 'Internal Server Error',
    503: 'Service Unavailable',
  };
  return `${status} ${text[status] ?? ''}`.trim();
}

/** The HTTP status that best fits a set of issues (the most severe kind wins). */
export function statusFor(issues: Issue[]): number {
  const codes = new Set(issues.map((i) => i.code));
  if (codes.has('too-long')) return 413;
  if (codes.has('conflict')) return 409;
  if (codes.has('structure') || codes.has('not-supported')) return 400;
  if (codes.has('forbidden') || codes.has('security')) return 403;
  if (codes.has('transient')) return 503;
  if (codes.has('exception')) return 500;
  return 422;
}

/** A refusal with one issue, e.g. `fhirError(404, 'not-found', 'Resource not found.')`. */
export function fhirError(
  status: number,
  code: IssueCode,
  diagnostics: string,
  headers: Record<string, string> = {},
): FhirError {
  return new FhirError(status, [issue(code, diagnostics)], headers);
}
