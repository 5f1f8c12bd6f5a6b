/**
 * Lambda function references in integration and authorizer URIs: a function ARN
 * (`arn:aws:lambda:us-east-1:123456789012:function:pets[:alias]`) or the API Gateway invocation
 * form (`arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{functionArn}/invocations`).
 * Either may contain `${stageVariables.name}`.
 */

/** A function ARN with its parts. */
export interface LambdaFunctionRef {
  readonly region: string;
  readonly accountId: string;
  /** Function name, possibly with a `${stageVariables.x}` reference. */
  readonly functionName: string;
  readonly qualifier?: string;
  readonly functionArn: string;
}

const SEGMENT = '(?:[A-Za-z0-9_-]|\\$\\{stageVariables\\.[A-Za-z0-9_]+\\})+';
const FUNCTION_ARN = new RegExp(
  // The account is digits; AWS accepted an 11-digit one (the AWS CLI's get-integration and reimport-api examples).
  `^arn:aws(?:-[a-z]+)*:lambda:([a-z0-9-]+):(\\d{1,12}|\\$\\{stageVariables\\.[A-Za-z0-9_]+\\}):function:(${SEGMENT})(?::(\\$LATEST|${SEGMENT}))?$`,
);
const INVOCATION = /^arn:aws(?:-[a-z]+)*:apigateway:([a-z0-9-]+):lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/;

/** Parses either form; undefined when the URI names no Lambda function. */
export function parseLambdaUri(uri: string): LambdaFunctionRef | undefined {
  const invocation = INVOCATION.exec(uri);
  const arn = invocation ? (invocation[2] as string) : uri;
  const m = FUNCTION_ARN.exec(arn);
  if (!m) return undefined;
  return {
    region: m[1] as string,
    accountId: m[2] as string,
    functionName: m[3] as string,
    ...(m[4] ? { qualifier: m[4] } : {}),
    functionArn: arn,
  };
}

const STAGE_VARIABLE = /\$\{stageVariables\.([A-Za-z0-9_]+)\}/g;

/**
 * Substitutes `${stageVariables.x}` in a function reference with the stage's values. Returns the
 * resolved reference and the names of variables that were missing or empty (callers fail the
 * request: AWS cannot invoke a function whose name is incomplete).
 */
export function resolveStageVariables(ref: LambdaFunctionRef, variables: Readonly<Record<string, string>>): { ref: LambdaFunctionRef; missing: string[] } {
  const missing = new Set<string>();
  const replace = (s: string) =>
    s.replace(STAGE_VARIABLE, (_, name: string) => {
      const value = Object.hasOwn(variables, name) ? variables[name] : undefined;
      if (value === undefined || value === '') missing.add(name);
      return value ?? '';
    });
  return {
    ref: {
      region: ref.region,
      accountId: replace(ref.accountId),
      functionName: replace(ref.functionName),
      ...(ref.qualifier !== undefined ? { qualifier: replace(ref.qualifier) } : {}),
      functionArn: replace(ref.functionArn),
    },
    missing: [...missing],
  };
}
