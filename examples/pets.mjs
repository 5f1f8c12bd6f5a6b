// The pets function of the README: a Lambda handler (payload format 2.0, as HTTP APIs send by default)
// that runs unchanged on AWS Lambda and under `gatehouse serve --function pets=./examples/pets.mjs#handler`.
const pets = new Map([
  ['1', { id: '1', name: 'Rex', type: 'dog' }],
  ['2', { id: '2', name: 'Tom', type: 'cat' }],
]);

const json = (statusCode, body) => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export const handler = async (event) => {
  const method = event.requestContext?.http?.method ?? event.httpMethod;
  const route = event.routeKey;
  if (route === 'GET /pets') return json(200, [...pets.values()]);
  if (route === 'GET /pets/{id}') {
    const pet = pets.get(event.pathParameters?.id);
    return pet ? json(200, pet) : json(404, { message: `no pet ${event.pathParameters?.id}` });
  }
  if (route === 'POST /pets') {
    const input = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString() : (event.body ?? '{}'));
    const pet = { id: String(pets.size + 1), name: String(input.name ?? 'unnamed'), type: String(input.type ?? 'unknown') };
    pets.set(pet.id, pet);
    return json(201, pet);
  }
  if (route === 'GET /me') return json(200, { claims: event.requestContext?.authorizer?.jwt?.claims ?? null });
  return json(200, { message: 'Hello from pets', method, path: event.rawPath ?? event.path, route });
};
