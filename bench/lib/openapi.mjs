// The OpenAPI 3.0 document of row (f): `total` routes of a plausible service, `GET /items/{id}` (the benchmarked
// route, as in row (e)) among them, all on one shared Lambda integration. Imported with ImportApi.

/** Builds the document; routes are literal, parameterised, nested, ANY and greedy, like a real API's. */
export function thousandRoutes(functionArn, total = 1000) {
  const paths = {};
  let count = 0;
  const integration = { $ref: '#/components/x-amazon-apigateway-integrations/bench' };
  const add = (path, method) => {
    if (count >= total) return;
    paths[path] ??= {};
    paths[path][method === 'ANY' ? 'x-amazon-apigateway-any-method' : method.toLowerCase()] = {
      'x-amazon-apigateway-integration': integration,
    };
    count++;
  };
  // Neighbours of the benchmarked route first, so its resource is not alone.
  add('/items', 'GET');
  add('/items', 'POST');
  add('/items/{id}', 'GET');
  add('/items/{id}', 'PUT');
  add('/items/{id}', 'DELETE');
  add('/items/{id}/tags/{tag}', 'GET');
  for (let n = 0; count < total; n++) {
    const base = `/svc${n}`;
    add(`${base}/items`, 'GET');
    add(`${base}/items`, 'POST');
    add(`${base}/items/{id}`, 'GET');
    add(`${base}/items/{id}`, 'PUT');
    add(`${base}/items/{id}`, 'DELETE');
    add(`${base}/items/{id}/tags/{tag}`, 'GET');
    add(`${base}/{proxy+}`, 'ANY');
  }
  return {
    openapi: '3.0.1',
    info: { title: `bench-${total}-routes`, version: '1' },
    paths,
    components: {
      'x-amazon-apigateway-integrations': {
        bench: { type: 'aws_proxy', httpMethod: 'POST', uri: functionArn, payloadFormatVersion: '2.0' },
      },
    },
  };
}
