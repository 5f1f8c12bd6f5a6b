// WebSocket handler of the petstore: every message is answered on the same connection
// (the route's routeResponseSelectionExpression makes the returned body the reply).
export const handler = async (event) => {
  const { connectionId, routeKey } = event.requestContext;
  return { statusCode: 200, body: JSON.stringify({ routeKey, connectionId, echo: event.body ?? null }) };
};
