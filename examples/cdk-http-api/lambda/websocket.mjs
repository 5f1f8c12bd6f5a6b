// WebSocket API handler for $connect, $default and ping: routes with a route response
// (returnResponse: true in the CDK app) send the returned body back to the caller.
export const handler = async (event) => {
  const { routeKey, connectionId } = event.requestContext;
  if (routeKey === '$connect') return { statusCode: 200 };
  if (routeKey === 'ping') return { statusCode: 200, body: JSON.stringify({ pong: true, connectionId }) };
  return { statusCode: 200, body: JSON.stringify({ routeKey, echo: event.body ?? null }) };
};
