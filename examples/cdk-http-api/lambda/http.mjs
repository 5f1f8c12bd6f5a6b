// HTTP API handlers (payload format 2.0): the same code runs on AWS Lambda and under Gatehouse.
const json = (statusCode, body) => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export const hello = async (event) => json(200, { message: process.env.GREETING, route: event.routeKey });

// Behind the JWT authorizer: the verified claims are in the request context.
export const whoami = async (event) => {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  return json(200, { route: event.routeKey, sub: claims.sub ?? null, aud: claims.aud ?? null });
};
