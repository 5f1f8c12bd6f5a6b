// Lambda handlers of the petstore (HTTP API payload format 2.0). They run unchanged on AWS Lambda and
// under `gatehouse serve --serverless examples/petstore-serverless/serverless.yml`.
const PETS = [
  { id: '1', name: 'Rex', type: 'dog' },
  { id: '2', name: 'Tom', type: 'cat' },
];

const json = (statusCode, body) => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

export const list = async () => json(200, { store: process.env.STORE_NAME, stage: process.env.STAGE, pets: PETS });

export const get = async (event) => {
  const pet = PETS.find((p) => p.id === event.pathParameters?.id);
  return pet ? json(200, pet) : json(404, { message: `no pet ${event.pathParameters?.id}` });
};

export const create = async (event) => {
  const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString() : (event.body ?? '{}');
  const input = JSON.parse(text || '{}');
  const createdBy = event.requestContext?.authorizer?.jwt?.claims?.sub ?? null;
  return json(201, { id: String(PETS.length + 1), name: String(input.name ?? 'unnamed'), type: String(input.type ?? 'unknown'), createdBy });
};
