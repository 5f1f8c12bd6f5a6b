// The Lambda handler of the WebSocket rows (w), (w0), (y): echoes a message's body; `whoami` answers the
// caller's connection id (how the (y) clients learn the ids @connections is called with).
export const handler = async (event) => ({
  statusCode: 200,
  body: event.body === 'whoami' ? event.requestContext.connectionId : event.body,
});
